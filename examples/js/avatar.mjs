#!/usr/bin/env node
// An avatar for a platform: POST /v1/avatar/generate with a photo and its options, then download the PNG.
// usage: node avatar.mjs [--url URL] [--key KEY] PHOTO [OUTPUT]   (defaults: $STROBE_URL, $STROBE_KEY, avatar.png)
// Node 18 or later (global fetch, FormData, Blob); no packages.
import { readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { url: { type: 'string' }, key: { type: 'string' } } });
const url = values.url ?? process.env.STROBE_URL ?? 'http://127.0.0.1:8080';
const key = values.key ?? process.env.STROBE_KEY;
const [photo, output = 'avatar.png'] = positionals;
if (!photo || !key) {
  console.error('usage: node avatar.mjs [--url URL] [--key KEY] PHOTO [OUTPUT] (or STROBE_URL, STROBE_KEY)');
  process.exit(2);
}

// Options left out come from the platform (see /openapi.json, AvatarOptions).
const form = new FormData();
form.append('image', new Blob([await readFile(photo)]), basename(photo));
form.append('platform', 'linkedin');
form.append('background', 'studio_light');
form.append('palette', 'cool_blue');
const r = await fetch(`${url}/v1/avatar/generate`, { method: 'POST', headers: { Authorization: `Bearer ${key}` }, body: form });
const job = await r.json();
if (r.status !== 200) { // every error is {"error": {"code", "message", "field"}}
  console.error(`strobe: ${job.error.message}`);
  process.exit(1);
}

const image = await fetch(job.avatar_url);
if (!image.ok) throw new Error(`download: HTTP ${image.status}`);
await writeFile(output, Buffer.from(await image.arrayBuffer()));
const warnings = job.validation_warnings.join(', ') || 'none';
console.log(`${output}: likeness ${job.likeness_score.toFixed(3)} (needs ${job.likeness_threshold.toFixed(2)}), warnings: ${warnings}, ${job.latency_ms} ms`);
