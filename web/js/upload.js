// Resumable video uploads over the server's tus 1.0 API (/api/uploads): progress, automatic
// resume after a dropped connection (asks the server where it stopped, continues from there), and
// resume after a page reload when the same file is picked again (the upload's address is kept in
// localStorage under the file's name, size and date).
import { ApiError } from './api.js';
import { h } from './dom.js';
import { t, formatNumber } from './i18n.js';

const TUS = '1.0.0';
const DEFAULT_CHUNK = 64 << 20;
const fingerprint = (f) => `pw.upload:${f.name}:${f.size}:${f.lastModified}`;

function b64(text) {
  return btoa(String.fromCharCode(...new TextEncoder().encode(text)));
}

/** One XHR (fetch cannot report upload progress). Resolves {status, headers(name), body}. */
function xhr(method, url, { headers = {}, body = null, onProgress, onStart } = {}) {
  return new Promise((resolve, reject) => {
    const req = new XMLHttpRequest();
    req.open(method, url);
    for (const [k, v] of Object.entries(headers)) req.setRequestHeader(k, v);
    if (onProgress) req.upload.onprogress = (e) => onProgress(e.loaded);
    req.onload = () => {
      let json = null;
      try { json = JSON.parse(req.responseText); } catch { /* empty or not JSON */ }
      resolve({ status: req.status, header: (n) => req.getResponseHeader(n), json });
    };
    req.onerror = () => reject(new ApiError(0, 'network', 'connection lost'));
    req.onabort = () => reject(new ApiError(0, 'aborted', 'aborted'));
    onStart?.(req);
    req.send(body);
  });
}

const errorOf = (res) => new ApiError(res.status, res.json?.error?.code || `http_${res.status}`,
  res.json?.error?.message || `HTTP ${res.status}`);

/**
 * Uploads one file. Events: onProgress(sent, total), onState('uploading'|'paused'|'done'|'failed',
 * detail). start() resolves with the video JSON; cancel() stops and abandons the upload.
 */
export class Upload {
  constructor(file, { chunkBytes } = {}) {
    this.file = file;
    this.chunk = chunkBytes || globalThis.PW_UPLOAD_CHUNK_BYTES || DEFAULT_CHUNK;
    this.url = localStorage.getItem(fingerprint(file));
    this.offset = 0;
    this.resumes = 0;
    this.cancelled = false;
    this.req = null;
    this.onProgress = () => {};
    this.onState = () => {};
  }

  async start() {
    let delay = 1000;
    for (;;) {
      try {
        const video = await this.attempt();
        localStorage.removeItem(fingerprint(this.file));
        this.onState('done', video);
        return video;
      } catch (err) {
        if (this.cancelled) throw err;
        const retryable = err.code === 'network' || err.status === 0 || err.status === 409 || err.status === 423 || err.status >= 500;
        if (!retryable) {
          if (err.status !== 404) localStorage.removeItem(fingerprint(this.file));
          this.onState('failed', err.message);
          throw err;
        }
        this.resumes += 1;
        this.onState('paused', this.offset);
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 10000);
      }
    }
  }

  /** Creates the upload or finds where it stopped, then sends the rest in chunks. */
  async attempt() {
    if (this.url) {
      const res = await xhr('HEAD', this.url, { headers: { 'Tus-Resumable': TUS } });
      if (res.status === 404 || res.status === 410) {
        this.url = null;
      } else if (res.status >= 200 && res.status < 300) {
        this.offset = Number(res.header('Upload-Offset')) || 0;
        if (this.resumes || this.offset) this.onState('uploading', this.offset);
      } else {
        throw errorOf(res);
      }
    }
    if (!this.url) {
      const res = await xhr('POST', '/api/uploads', { headers: {
        'Tus-Resumable': TUS, 'Upload-Length': String(this.file.size), 'Upload-Metadata': `filename ${b64(this.file.name)}`,
      } });
      if (res.status !== 201) throw errorOf(res);
      this.url = res.header('Location');
      this.offset = 0;
      localStorage.setItem(fingerprint(this.file), this.url);
      this.onState('uploading', 0);
    }
    this.onProgress(this.offset, this.file.size);
    for (;;) {
      const end = Math.min(this.file.size, this.offset + this.chunk);
      const start = this.offset;
      const res = await xhr('PATCH', this.url, {
        headers: { 'Tus-Resumable': TUS, 'Upload-Offset': String(start), 'Content-Type': 'application/offset+octet-stream' },
        body: this.file.slice(start, end),
        onProgress: (loaded) => this.onProgress(start + loaded, this.file.size),
        onStart: (req) => { this.req = req; },
      });
      this.req = null;
      if (res.status === 200 || res.status === 201) { this.onProgress(this.file.size, this.file.size); return res.json; }
      if (res.status === 409) {
        // Another offset: continue from the server's. The same offset: the server still holds the
        // dropped connection's append; wait and ask again (start() backs off).
        const serverOffset = Number(res.header('Upload-Offset'));
        if (res.header('Upload-Offset') !== null && serverOffset !== start) { this.offset = serverOffset; continue; }
        throw errorOf(res);
      }
      if (res.status !== 204) throw errorOf(res);
      this.offset = Number(res.header('Upload-Offset'));
      this.onProgress(this.offset, this.file.size);
    }
  }

  async cancel() {
    this.cancelled = true;
    this.req?.abort();
    localStorage.removeItem(fingerprint(this.file));
    if (this.url) await xhr('DELETE', this.url, { headers: { 'Tus-Resumable': TUS } }).catch(() => {});
  }
}

const mb = (n) => formatNumber(n / 1048576, 1);

/** The row that shows an upload in the sources list; returns the element. */
export function uploadRow(upload, onDone) {
  const bar = h('div', { class: 'bar' });
  const text = h('span', { class: 'up-text mono' }, '0%');
  const state = h('span', { class: 'up-state muted' }, t('uploading'));
  const cancel = h('button', { type: 'button', class: 'linkish', 'data-i18n': 'cancel', onclick: () => {
    upload.cancel();
    row.remove();
  } }, t('cancel'));
  const row = h('li', { class: 'upload' },
    h('div', { class: 'up-head' }, h('span', { class: 'name', title: upload.file.name }, upload.file.name), cancel),
    h('div', { class: 'progress', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100 }, bar),
    h('div', { class: 'up-foot' }, state, text));
  const pct = (sent, total) => (total ? (100 * sent) / total : 100);
  upload.onProgress = (sent, total) => {
    const p = pct(sent, total);
    bar.style.width = `${p}%`;
    row.querySelector('.progress').setAttribute('aria-valuenow', p.toFixed(1));
    text.textContent = `${formatNumber(p, 0)}% · ${mb(sent)} / ${mb(total)} MB`;
  };
  upload.onState = (s, detail) => {
    row.dataset.state = s;
    row.dataset.resumes = String(upload.resumes);
    const p = `${formatNumber(pct(upload.offset, upload.file.size), 0)}%`;
    if (s === 'paused') state.textContent = t('upload_paused', { pct: p });
    else if (s === 'uploading') state.textContent = upload.resumes ? t('upload_resumed', { pct: p }) : t('uploading');
    else if (s === 'failed') { state.textContent = t('upload_failed', { msg: detail }); row.classList.add('failed'); }
    else if (s === 'done') {
      state.textContent = t('upload_done', { name: upload.file.name });
      cancel.remove();
      setTimeout(() => row.remove(), 4000);
      onDone?.(detail);
    }
  };
  return row;
}
