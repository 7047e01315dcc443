#!/usr/bin/env node
// A corporate headshot: POST /api/v1/ai-headshot with a photo, then download the PNG at output_url.
// usage: node headshot.mjs [--url URL] [--key KEY] PHOTO [OUTPUT]   (defaults: $STROBE_URL, $STROBE_KEY, headshot.png)
// Node 18 or later (global fetch, FormData, Blob); no packages.
import { readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { url: { type: 'string' }, key: { type: 'string' } } });
const url = values.url ?? process.env.STROBE_URL ?? 'http://127.0.0.1:8080';
const key = values.key ?? process.env.STROBE_KEY;
const [photo, output = 'headshot.png'] = positionals;
if (!photo || !key) {
  console.error('usage: node headshot.mjs [--url URL] [--key KEY] PHOTO [OUTPUT] (or STROBE_URL, STROBE_KEY)');
  process.exit(2);
}

const form = new FormData();
form.append('image', new Blob([await readFile(photo)]), basename(photo));
form.append('output_format', 'png');
form.append('size', '800');
const r = await fetch(`${url}/api/v1/ai-headshot`, { method: 'POST', headers: { Authorization: `Bearer ${key}` }, body: form });
const job = await r.json();
if (r.status !== 200) { // every error is {"error": {"code", "message", "field"}}
  console.error(`strobe: ${job.error.message}`);
  process.exit(1);
}

const image = await fetch(job.output_url);
if (!image.ok) throw new Error(`download: HTTP ${image.status}`);
await writeFile(output, Buffer.from(await image.arrayBuffer()));
console.log(`${output}: ${job.width}x${job.height}, ${job.latency_ms} ms`);
