/* demo.js - the demo page (web/index.html): a key, a photo, one of the four products, then the API's
 * answer shown as a person would want it. Talks only to the server that served the page, with URLs
 * relative to it (so it also works behind a path prefix). No framework, no build step. */
'use strict';
(() => {
  const $ = (id) => document.getElementById(id);
  const KEY_STORE = 'strobe.key';
  const state = { file: null, inputURL: null, resultURL: null, busy: false };

  /* ---------- readable errors ---------- */

  const TITLES = {
    unauthorized: 'Your API key was not accepted',
    insufficient_credits: 'This key has no credits left',
    unsupported_format: 'That file is not a photo strobe can read',
    unreadable_input: 'That file is not a photo strobe can read',
    corrupt_image: 'That photo is damaged',
    image_too_large: 'That photo is too large',
    body_too_large: 'That photo is too large',
    image_too_small: 'That photo is too small',
    no_face: 'No face found in the photo',
    face_too_small: 'The face is too small in the photo',
    face_out_of_focus: 'The face is out of focus in the photo',
    no_subject: 'No product found in the photo',
    unsafe_content: 'The photo was refused by the safety check',
    rate_limited: 'Too many requests at once',
    overloaded: 'The server is busy',
    deadline_exceeded: 'The server took too long',
    bad_request: 'An option was not accepted',
    not_found: 'Not found',
  };

  class ApiError extends Error {
    constructor(title, detail) { super(title); this.title = title; this.detail = detail; }
  }

  const sentence = (s) => (s ? s.charAt(0).toUpperCase() + s.slice(1) + (/[.!?]$/.test(s) ? '' : '.') : '');

  /* The error object of an API answer ({code, message, field}) as a title and a sentence. */
  function apiError(err, status) {
    if (!err || typeof err !== 'object') return new ApiError('The request failed', `The server answered HTTP ${status}.`);
    const title = TITLES[err.code] || 'The request failed';
    let detail = sentence(err.message || err.code || '');
    if (err.field) detail += ` (field: ${err.field})`;
    if (err.code === 'unauthorized') detail += ' Check the key in step 1.';
    return new ApiError(title, detail);
  }

  function showError(e) {
    const box = $('error');
    box.replaceChildren();
    const t = document.createElement('strong');
    t.textContent = e.title || 'Something went wrong';
    const d = document.createElement('span');
    d.textContent = e.detail || e.message || '';
    box.append(t, d);
    box.hidden = false;
  }

  /* ---------- talking to the server ---------- */

  const key = () => $('key').value.trim();

  /* fetch `path` (relative to the page) with the key; resolves to {json, headers}; throws ApiError. */
  async function api(path, opts = {}) {
    const headers = Object.assign({ Authorization: `Bearer ${key()}` }, opts.headers || {});
    let r;
    try {
      r = await fetch(path, Object.assign({}, opts, { headers }));
    } catch (_) {
      throw new ApiError('The server could not be reached', 'Check that strobe is still running, then try again.');
    }
    let json = null;
    try { json = await r.json(); } catch (_) { /* not JSON: handled below */ }
    if (!r.ok) throw apiError(json && json.error, r.status);
    if (!json) throw new ApiError('Unexpected answer', `HTTP ${r.status} without a JSON body.`);
    return { json, headers: r.headers, status: r.status };
  }

  /* An output URL as a URL of this page's server: the API signs URLs with its public address, which may
   * not be the one this browser used. */
  function localFileURL(url) {
    const i = url.indexOf('v1/files/');
    if (i < 0) return url;
    try { if (new URL(url).origin === location.origin) return url; } catch (_) { /* relative */ }
    return url.slice(i);
  }

  /* ---------- key and account ---------- */

  function setCredits(n) {
    if (n === null || n === undefined || n === '') return;
    $('credits').textContent = `${n} credit${Number(n) === 1 ? '' : 's'} left`;
    $('credits').hidden = false;
  }

  async function checkKey(quiet) {
    const st = $('key-status');
    if (!key()) { st.textContent = ''; $('credits').hidden = true; return false; }
    try {
      const { json } = await api('v1/account');
      st.className = 'hint ok';
      st.textContent = `Key "${json.name}" works: ${json.credits} credits, ${json.credits_used} used.`;
      setCredits(json.credits);
      loadTemplates();
      return true;
    } catch (e) {
      if (!quiet || e.title !== 'The server could not be reached') {
        st.className = 'hint bad';
        st.textContent = `${e.title}. ${e.detail || ''}`;
      }
      $('credits').hidden = true;
      return false;
    }
  }

  let templatesLoaded = false;
  async function loadTemplates() {
    if (templatesLoaded) return;
    try {
      const { json } = await api('v1/templates');
      const sel = document.querySelector('[name=template]');
      for (const t of json.templates || []) {
        const o = document.createElement('option');
        o.value = t.name;
        o.textContent = t.name + (t.builtin ? '' : ' (yours)');
        o.title = t.description || t.prompt || '';
        o.dataset.prompt = t.prompt || '';
        sel.append(o);
      }
      templatesLoaded = true;
    } catch (_) { /* the select keeps "none" */ }
  }

  function initKey() {
    const m = /(?:^#|&)key=([^&]+)/.exec(location.hash);
    if (m) {
      localStorage.setItem(KEY_STORE, decodeURIComponent(m[1]));
      history.replaceState(null, '', location.pathname + location.search); /* the key leaves the address bar */
    }
    $('key').value = localStorage.getItem(KEY_STORE) || '';
    $('key').addEventListener('change', () => {
      localStorage.setItem(KEY_STORE, key());
      checkKey(false);
      updateGo();
    });
    $('key').addEventListener('input', updateGo);
    $('key-check').addEventListener('click', () => checkKey(false));
    $('key-show').addEventListener('click', (ev) => {
      const shown = $('key').type === 'text';
      $('key').type = shown ? 'password' : 'text';
      ev.currentTarget.textContent = shown ? 'Show' : 'Hide';
      ev.currentTarget.setAttribute('aria-pressed', String(!shown));
    });
    if (key()) checkKey(true);
  }

  /* ---------- the photo ---------- */

  function setFile(f) {
    if (!f) return;
    state.file = f;
    if (state.inputURL) URL.revokeObjectURL(state.inputURL);
    state.inputURL = URL.createObjectURL(f);
    const prev = $('drop-preview');
    prev.hidden = false;
    prev.onerror = () => { prev.hidden = true; };
    prev.src = state.inputURL;
    $('drop-text').replaceChildren();
    const s = document.createElement('strong');
    s.textContent = f.name || 'photo';
    const small = document.createElement('small');
    small.textContent = `${f.size < 1024 ? `${f.size} bytes` : `${(f.size / 1024).toFixed(0)} KB`} - click or drop to change`;
    $('drop-text').append(s, document.createElement('br'), small);
    updateGo();
  }

  function initPhoto() {
    for (const id of ['file', 'camera'])
      $(id).addEventListener('change', (ev) => setFile(ev.target.files[0]));
    const drop = $('drop');
    for (const t of ['dragenter', 'dragover'])
      drop.addEventListener(t, (ev) => { ev.preventDefault(); drop.classList.add('over'); });
    for (const t of ['dragleave', 'drop'])
      drop.addEventListener(t, () => drop.classList.remove('over'));
    drop.addEventListener('drop', (ev) => {
      ev.preventDefault();
      if (ev.dataTransfer.files.length) setFile(ev.dataTransfer.files[0]);
    });
    /* A photo dropped beside the zone must not navigate away from the page. */
    for (const t of ['dragover', 'drop']) window.addEventListener(t, (ev) => ev.preventDefault());
  }

  /* ---------- options ---------- */

  const kind = () => document.querySelector('[name=kind]:checked').value;
  const opts = () => document.querySelector(`fieldset[data-kind=${kind()}]`);
  const val = (name) => { const el = opts().querySelector(`[name=${name}]`); return el ? el.value.trim() : ''; };

  function syncOptions() {
    for (const fs of document.querySelectorAll('fieldset.opts')) fs.hidden = fs.dataset.kind !== kind();
    for (const el of document.querySelectorAll('[data-when]')) {
      const [name, want] = el.dataset.when.split('=');
      const src = el.closest('fieldset').querySelector(`[name=${name}]`);
      el.hidden = !src || src.value !== want;
    }
    for (const r of document.querySelectorAll('fieldset.opts input[type=range]'))
      r.nextElementSibling.textContent = Number(r.value).toFixed(2);
    const tpl = document.querySelector('[name=template]');
    const chosen = tpl.selectedOptions[0];
    document.querySelector('[name=prompt]').placeholder =
      chosen && chosen.dataset.prompt ? `the template's: ${chosen.dataset.prompt}` : 'e.g. golden hour light, outdoor background, warm, half body';
  }

  function updateGo() {
    const ready = key() && state.file && !state.busy;
    $('go').disabled = !ready;
    $('go-hint').textContent = state.busy ? 'Working...' : !key() ? 'Add your API key first.' : !state.file ? 'Add a photo.' : '';
    $('go-hint').hidden = !$('go-hint').textContent;
  }

  /* ---------- making it ---------- */

  const readDataURL = (f) => new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(r.result);
    r.onerror = () => reject(new ApiError('The photo could not be read', 'Pick the file again.'));
    r.readAsDataURL(f);
  });

  function form(fields) {
    const fd = new FormData();
    fd.append('image', state.file, state.file.name || 'photo');
    for (const [k, v] of Object.entries(fields)) if (v !== '' && v !== undefined && v !== null) fd.append(k, v);
    return fd;
  }

  /* The request of the chosen product: [path, fetch options]. */
  async function request() {
    switch (kind()) {
      case 'headshot':
        return ['api/v1/ai-headshot', { method: 'POST', body: form({ output_format: val('output_format'), size: val('size') }) }];
      case 'avatar': {
        const palette = val('palette') === 'colour' ? val('palette_colour') : val('palette');
        const style = val('style');
        return ['v1/avatar/generate', { method: 'POST', body: form({
          platform: val('platform'), style, background: val('background'), palette,
          variant: style === 'anime' ? val('variant') : '', style_intensity: val('style_intensity'),
          hires: opts().querySelector('[name=hires]').checked ? 'true' : '' }) }];
      }
      case 'portrait': {
        const body = { inputImages: [await readDataURL(state.file)] };
        const template = val('template'), prompt = val('prompt'), seed = val('seed');
        if (template) body.template = template;
        if (prompt) body.prompt = prompt;
        /* -1 draws a new seed, which would replace a template's own: left out then. */
        if (seed !== '' && !(template && Number(seed) === -1)) body.seed = Number(seed);
        body.identityScale = Number(val('identityScale'));
        return ['api/generate-portrait', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }];
      }
      default:
        return ['v1/image/product-photo', { method: 'POST', body: form({
          preset: val('preset'), background_prompt: val('preset') === 'custom' ? val('background_prompt') : '',
          shadow_type: val('shadow_type'), aspect: val('aspect'), output_format: val('output_format') }) }];
    }
  }

  function progress(text, fraction) {
    $('progress').hidden = false;
    $('progress').classList.toggle('busy', fraction === undefined);
    $('progress-bar').style.width = fraction === undefined ? '' : `${Math.round(fraction * 100)}%`;
    $('status').textContent = text;
  }

  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

  /* Poll GET v1/image/{id} until the job is finished; shows its progress. */
  async function poll(job, t0) {
    const est = Math.max(1, Number(job.estimated_seconds) || 3);
    let delay = 400;
    for (;;) {
      const secs = (performance.now() - t0) / 1000;
      const word = job.status === 'queued' ? 'Queued' : 'Processing';
      const stages = Array.isArray(job.pipeline) ? ` (${job.pipeline.join(', ')})` : '';
      progress(`${word}${stages}: ${secs.toFixed(1)} s of about ${est.toFixed(1)} s`, Math.min(0.95, secs / est));
      await sleep(delay);
      delay = Math.min(1500, delay * 1.3);
      const { json } = await api(`v1/image/${encodeURIComponent(job.id)}`);
      if (json.status === 'completed') return json;
      if (json.status === 'failed') throw apiError(json.error, 200);
      job = Object.assign({}, job, json);
    }
  }

  async function run() {
    if (state.busy) return;
    state.busy = true;
    updateGo();
    const k = kind();
    const card = $('result-card');
    card.hidden = false;
    $('error').hidden = true;
    $('facts').replaceChildren();
    $('download').hidden = true;
    $('compare').hidden = true;
    $('result-img').hidden = true;
    $('pair').hidden = false;
    const input = $('input-img');
    input.hidden = false;
    input.onerror = () => { input.hidden = true; }; /* HEIC, or no image at all: no preview */
    input.src = state.inputURL;
    if (window.matchMedia('(max-width: 899px)').matches) card.scrollIntoView({ behavior: 'smooth', block: 'start' });
    const t0 = performance.now();
    try {
      progress('Uploading and working: a few seconds...');
      const [path, init] = await request();
      let { json, headers, status } = await api(path, init);
      const posted = headers.get('X-Credits-Remaining');
      if (status === 202) json = await poll(json, t0);
      const total = (performance.now() - t0) / 1000;
      await showResult(k, json, total);
      setCredits(posted);
      checkKey(true); /* the balance after the job (a product is charged when it completes) */
    } catch (e) {
      $('pair').hidden = true;
      showError(e instanceof ApiError ? e : new ApiError('Something went wrong', String(e && e.message || e)));
    } finally {
      $('progress').hidden = true;
      state.busy = false;
      updateGo();
    }
  }

  /* ---------- the result ---------- */

  function fact(label, value, cls) {
    const d = document.createElement('div');
    if (cls) d.className = cls;
    const dt = document.createElement('dt');
    dt.textContent = label;
    const dd = document.createElement('dd');
    if (value instanceof Node) dd.append(value); else dd.textContent = value;
    d.append(dt, dd);
    $('facts').append(d);
  }

  function chips(list, none) {
    const span = document.createElement('span');
    if (!list || !list.length) {
      const c = document.createElement('span');
      c.className = 'chip none';
      c.textContent = none;
      span.append(c);
      return span;
    }
    for (const w of list) {
      const c = document.createElement('span');
      c.className = 'chip';
      c.textContent = String(w).replace(/_/g, ' ');
      span.append(c);
    }
    return span;
  }

  const pct = (x) => `${(x * 100).toFixed(1)} %`;
  const secs = (ms) => `${(ms / 1000).toFixed(1)} s`;

  async function showResult(k, j, total) {
    let src, ext;
    if (k === 'portrait') {
      src = (j.outputImages || [])[0];
      ext = 'jpg';
    } else {
      const out = (j.outputs || [])[0] || {};
      ext = out.format === 'jpeg' ? 'jpg' : out.format || 'png';
      const r = await fetch(localFileURL(j.output_url));
      if (!r.ok) throw new ApiError('The result could not be downloaded', `HTTP ${r.status}.`);
      if (state.resultURL) URL.revokeObjectURL(state.resultURL);
      state.resultURL = URL.createObjectURL(await r.blob());
      src = state.resultURL;
    }
    if (!src) throw new ApiError('No image in the answer', 'The server answered without a result image.');
    const img = $('result-img');
    await new Promise((resolve, reject) => {
      img.onload = resolve;
      img.onerror = () => reject(new ApiError('The result could not be shown', 'The browser could not decode it.'));
      img.src = src;
    });
    img.hidden = false;
    /* A checkerboard behind a result with transparency, so that it shows. */
    const clear = (k === 'avatar' && val('background') === 'transparent') || (k === 'product' && val('preset') === 'transparent');
    $('result-frame').classList.toggle('checker', clear);
    $('compare-after-box').classList.toggle('checker', clear);

    $('compare-before').src = state.inputURL;
    $('compare-after').src = src;
    $('compare').style.aspectRatio = `${img.naturalWidth} / ${img.naturalHeight}`;
    $('compare').hidden = false;

    const dl = $('download');
    dl.href = src;
    dl.download = `strobe-${k}.${ext}`;
    dl.hidden = false;

    if (k === 'avatar') {
      const ok = j.likeness_score >= j.likeness_threshold;
      const s = document.createElement('span');
      s.className = ok ? 'good' : 'low';
      s.textContent = pct(j.likeness_score);
      const min = document.createElement('small');
      min.textContent = `the platform asks for ${Math.round(j.likeness_threshold * 100)} %`;
      s.append(min);
      fact('Likeness', s);
      fact('Input quality', pct(j.input_quality_score));
    } else if (k === 'portrait' && j.likenessScores && j.likenessScores.length) {
      fact('Likeness', pct(j.likenessScores[0]));
      fact('Seed', String(j.seed));
    }
    if (k === 'avatar') fact('Warnings', chips(j.validation_warnings, 'none'), 'wide');
    if (k === 'portrait') fact('Words not understood', chips(j.ignoredTerms, 'none'), 'wide');
    if (k === 'product' && j.ignored_terms && j.ignored_terms.length) fact('Words not understood', chips(j.ignored_terms, 'none'), 'wide');
    if (k === 'headshot' || k === 'avatar') fact('Faces found', String(j.face_count));
    fact('Server time', j.latency_ms !== undefined ? secs(j.latency_ms) : '-');
    fact('Total wait', `${total.toFixed(1)} s`);
    fact('Size', `${img.naturalWidth} x ${img.naturalHeight} ${ext.toUpperCase()}`);
    fact('Job', j.id || j.generation_id || '-', 'wide');
  }

  /* ---------- wiring ---------- */

  document.addEventListener('DOMContentLoaded', () => {
    initKey();
    initPhoto();
    for (const el of document.querySelectorAll('[name=kind], fieldset.opts select, fieldset.opts input'))
      el.addEventListener(el.type === 'range' ? 'input' : 'change', syncOptions);
    $('compare-range').addEventListener('input', (ev) => $('compare').style.setProperty('--pos', `${ev.target.value}%`));
    $('go').addEventListener('click', run);
    syncOptions();
    updateGo();
  });
})();
