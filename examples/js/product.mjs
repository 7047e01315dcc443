#!/usr/bin/env node
// A studio product photo: POST /v1/image/product-photo queues a job (202); poll GET /v1/image/{id} until
// it is completed, then download the PNG.
// usage: node product.mjs [--url URL] [--key KEY] PHOTO [OUTPUT]   (defaults: $STROBE_URL, $STROBE_KEY, product.png)
// Node 18 or later (global fetch, FormData, Blob); no packages.
import { readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { url: { type: 'string' }, key: { type: 'string' } } });
const url = values.url ?? process.env.STROBE_URL ?? 'http://127.0.0.1:8080';
const key = values.key ?? process.env.STROBE_KEY;
const [photo, output = 'product.png'] = positionals;
if (!photo || !key) {
  console.error('usage: node product.mjs [--url URL] [--key KEY] PHOTO [OUTPUT] (or STROBE_URL, STROBE_KEY)');
  process.exit(2);
}
const auth = { Authorization: `Bearer ${key}` };
const fail = (message) => { console.error(`strobe: ${message}`); process.exit(1); };

const form = new FormData();
form.append('image', new Blob([await readFile(photo)]), basename(photo));
form.append('preset', 'white-studio');
form.append('shadow_type', 'soft');
form.append('aspect', '4:5');
const r = await fetch(`${url}/v1/image/product-photo`, { method: 'POST', headers: auth, body: form });
let job = await r.json();
if (r.status !== 200 && r.status !== 202) fail(job.error.message); // {"error": {"code", "message", "field"}}

const deadline = Date.now() + 300_000;
while (job.status === 'queued' || job.status === 'processing') {
  if (Date.now() > deadline) fail(`job ${job.id} not done in 5 minutes`);
  await sleep(1000);
  job = await (await fetch(`${url}/v1/image/${job.id}`, { headers: auth })).json();
}
if (job.status !== 'completed') fail(job.error?.message ?? job.status);

const image = await fetch(job.output_url);
if (!image.ok) throw new Error(`download: HTTP ${image.status}`);
await writeFile(output, Buffer.from(await image.arrayBuffer()));
console.log(`${output}: ${job.width}x${job.height}, ${job.latency_ms} ms`);
