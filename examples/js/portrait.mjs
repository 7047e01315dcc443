#!/usr/bin/env node
// A styled portrait: POST /api/generate-portrait with the photo as a data URI and a prompt; the answer
// carries the JPEG as a data URI (outputImages), saved here.
// usage: node portrait.mjs [--url URL] [--key KEY] PHOTO [OUTPUT]   (defaults: $STROBE_URL, $STROBE_KEY, portrait.jpg)
// Node 18 or later (global fetch); no packages.
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { url: { type: 'string' }, key: { type: 'string' } } });
const url = values.url ?? process.env.STROBE_URL ?? 'http://127.0.0.1:8080';
const key = values.key ?? process.env.STROBE_KEY;
const [photo, output = 'portrait.jpg'] = positionals;
if (!photo || !key) {
  console.error('usage: node portrait.mjs [--url URL] [--key KEY] PHOTO [OUTPUT] (or STROBE_URL, STROBE_KEY)');
  process.exit(2);
}

const body = {
  prompt: 'golden hour light, outdoor background, warm, half body',
  seed: 42,
  inputImages: [`data:image/jpeg;base64,${(await readFile(photo)).toString('base64')}`],
};
const r = await fetch(`${url}/api/generate-portrait`, {
  method: 'POST',
  headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
  body: JSON.stringify(body),
});
const job = await r.json();
if (r.status !== 200) { // every error is {"error": {"code", "message", "field"}}
  console.error(`strobe: ${job.error.message}`);
  process.exit(1);
}

const image = job.outputImages[0]; // "data:image/jpeg;base64,..."
await writeFile(output, Buffer.from(image.slice(image.indexOf(',') + 1), 'base64'));
const ignored = job.ignoredTerms.join(', ') || 'none';
console.log(`${output}: seed ${job.seed}, likeness ${job.likenessScores[0].toFixed(3)}, words not understood: ${ignored}`);
