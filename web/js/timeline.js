// The timeline under the player: the count graph of the whole video (GET /api/videos/{id}/counts),
// suggested moments (GET /api/videos/{id}/moments), the playhead at the frame on screen, a hover
// tip with the keyframe thumbnail and the count at that time, and drag-to-scrub: while dragging
// the thumbnail is shown over the video at once; on release the player seeks to the exact frame.
// The solid playhead always marks the frame on screen; a dashed one marks where it is going.
import { getOptional, request } from './api.js';
import { h } from './dom.js';
import { t, formatTime, formatNumber } from './i18n.js';

/**
 * The count series as [{t, count, min, max}] sorted by t. The server answers parallel arrays
 * ({t:[], mode:[], min:[], max:[]}, null where a bucket has no sample); lists of {t, count} or
 * [t, count] are accepted too.
 */
export function normalizeSeries(body) {
  if (!body) return [];
  let rows;
  if (Array.isArray(body.t)) {
    const counts = body.mode || body.count || body.counts || [];
    rows = body.t.map((tt, i) => ({ t: tt, count: counts[i], min: body.min?.[i], max: body.max?.[i] }));
  } else {
    rows = Array.isArray(body) ? body : body.samples || body.points || body.counts || body.series || body.items;
    if (!Array.isArray(rows)) return [];
    rows = rows.map((r) => (Array.isArray(r) ? { t: r[0], count: r[1] } : { t: r.t ?? r.time ?? r.t_frame, count: r.count ?? r.n, min: r.min, max: r.max }));
  }
  return rows.filter((r) => Number.isFinite(r.t) && Number.isFinite(r.count))
    .map((r) => ({ t: r.t, count: r.count, min: Number.isFinite(r.min) ? r.min : r.count, max: Number.isFinite(r.max) ? r.max : r.count }))
    .sort((a, b) => a.t - b.t);
}

export function normalizeMoments(body) {
  if (!body) return [];
  const rows = Array.isArray(body) ? body : body.moments || body.items || [];
  return rows.map((m) => ({ ...m, t: m.t ?? m.time ?? m.start })).filter((m) => Number.isFinite(m.t));
}

/** The sample at or before sec (binary search), or null. */
function sampleAt(series, sec) {
  let lo = 0;
  let hi = series.length - 1;
  if (hi < 0 || series[0].t > sec) return null;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (series[mid].t <= sec) lo = mid; else hi = mid - 1;
  }
  return series[lo];
}

class SpriteCache {
  constructor() { this.images = new Map(); }
  /** The loaded sheet image, or null (and starts loading it). */
  get(url, onload) {
    let img = this.images.get(url);
    if (!img) {
      img = new Image();
      img.onload = onload;
      img.src = url;
      this.images.set(url, img);
    }
    return img.complete && img.naturalWidth ? img : null;
  }
}

export class Timeline {
  constructor({ el, player, preview }) {
    this.el = el;
    this.player = player;
    this.preview = preview;
    this.sprites = new SpriteCache();
    this.video = null;
    this.series = [];
    this.moments = [];
    this.tiles = [];
    this.target = null;   // where a drag or a seek is going (seconds), null when at rest
    this.dragging = false;
    this.build();
    player.onFrame((mt) => this.onFrame(mt));
    new ResizeObserver(() => this.draw()).observe(this.canvas);
  }

  build() {
    this.canvas = h('canvas', { class: 'tl-canvas' });
    this.tipThumb = h('canvas', { class: 'tl-thumb', width: 160, height: 90 });
    this.tipText = h('div', { class: 'tl-tip-text mono' });
    this.tip = h('div', { class: 'tl-tip', hidden: true }, this.tipThumb, this.tipText);
    this.note = h('div', { class: 'tl-note muted' });
    this.track = h('div', {
      class: 'tl-track', role: 'slider', tabindex: 0, 'aria-valuemin': 0, 'data-i18n-aria': 'jump_to',
    }, this.canvas, this.tip);
    this.momentsEl = h('div', { class: 'tl-moments', hidden: true });
    this.el.replaceChildren(this.track, this.note, this.momentsEl);
    this.track.addEventListener('pointermove', (e) => this.onPointerMove(e));
    this.track.addEventListener('pointerleave', () => { if (!this.dragging) this.tip.hidden = true; });
    this.track.addEventListener('pointerdown', (e) => this.onPointerDown(e));
    this.track.addEventListener('pointerup', (e) => this.onPointerUp(e));
    this.track.addEventListener('pointercancel', () => this.endDrag(null));
  }

  async load(video) {
    this.video = video;
    this.series = [];
    this.moments = [];
    this.tiles = [];
    this.target = null;
    this.momentsEl.hidden = true;
    this.note.textContent = '';
    this.draw();
    const id = video.id;
    // Thumbnails still being built arrive later: the page reloads them on the "ready" event.
    const ready = video.status?.thumbnails === 'ready';
    const [thumbs] = await Promise.all([
      ready ? getOptional(`/api/videos/${id}/thumbnails.json`).catch(() => null) : null,
      this.reloadCounts(),
    ]);
    if (this.video?.id !== id || !ready) return;
    this.setThumbnails(thumbs);
  }

  setThumbnails(body) {
    const base = `/api/videos/${this.video.id}/thumbs/`;
    this.tiles = (body?.tiles || []).map((tile) => ({ ...tile, url: base + tile.sheet }));
  }

  async reloadThumbnails() {
    if (!this.video) return;
    const id = this.video.id;
    const body = await getOptional(`/api/videos/${id}/thumbnails.json`).catch(() => null);
    if (this.video?.id === id) this.setThumbnails(body);
  }

  /** Fetches the count graph and the moments again (after indexing progressed). */
  async reloadCounts() {
    if (!this.video) return;
    const id = this.video.id;
    const points = Math.max(50, Math.min(2000, Math.round(this.canvas.clientWidth || 500)));
    const [counts, moments, index] = await Promise.all([
      getOptional(`/api/videos/${id}/counts?points=${points}`).catch(() => null),
      getOptional(`/api/videos/${id}/moments`).catch(() => null),
      getOptional(`/api/videos/${id}/index`).catch(() => null),
    ]);
    if (this.video?.id !== id) return;
    this.series = normalizeSeries(counts);
    this.step = this.series.length > 1 ? (this.series.at(-1).t - this.series[0].t) / (this.series.length - 1) : (counts?.bucket_s || 1);
    this.moments = normalizeMoments(moments);
    this.showIndex(index);
    this.renderMoments();
    this.draw();
  }

  /** The indexing state under the graph, with what the operator can do about it. */
  showIndex(st) {
    const id = this.video?.id;
    const act = (key, method, path) => h('button', { type: 'button', class: 'small', onclick: async () => {
      try { this.showIndex(await request(method, `/api/videos/${id}/${path}`)); } catch (err) { this.note.textContent = t('error', { msg: err.message }); }
    } }, t(key));
    const state = st?.state;
    let parts;
    if (!st) parts = this.series.length ? [] : [t('timeline_no_counts')];
    else if (state === 'done') parts = [];
    else if (state === 'starting') {
      // The server is loading its stored indexes: ask again shortly.
      parts = [t('overlay_wait')];
      clearTimeout(this.startingTimer);
      this.startingTimer = setTimeout(() => getOptional(`/api/videos/${id}/index`).then((s) => {
        if (s && this.video?.id === id) this.showIndex(s);
      }).catch(() => {}), 1000);
    }
    else if (state === 'not_indexed' || state === 'cancelled') parts = [t('index_none'), act('index_start', 'POST', 'index')];
    else if (state === 'paused') parts = [t('index_paused', { pct: formatNumber(st.percent ?? 0, 0) }), act('index_resume', 'POST', 'index')];
    else if (state === 'failed') parts = [t('index_failed', { msg: st.error || '' })];
    else {
      const eta = Number.isFinite(st.eta_s) ? ` · ${t('index_eta', { t: formatTime(st.eta_s, 0) })}` : '';
      parts = [`${t('index_running', { pct: formatNumber(st.percent ?? 0, 0) })}${eta}`, act('index_pause', 'POST', 'index/pause')];
    }
    this.note.replaceChildren(...parts);
    this.note.dataset.state = state || '';
  }

  renderMoments() {
    this.momentsEl.hidden = this.moments.length === 0;
    this.momentsEl.replaceChildren(
      h('span', { class: 'label', 'data-i18n': 'moments' }, t('moments')),
      ...this.moments.map((m) => h('button', {
        type: 'button', class: 'chip', onclick: () => this.seekTo(m.t),
        title: m.reason || m.label || (Number.isFinite(m.start) && Number.isFinite(m.end)
          ? `${formatTime(m.start, 1)}–${formatTime(m.end, 1)}${Number.isFinite(m.confidence) ? ` · ${formatNumber(m.confidence * 100, 0)}%` : ''}` : ''),
      }, formatTime(m.t, 1), Number.isFinite(m.count) ? ` · ${m.count} ${t('heads')}` : '')),
    );
  }

  get duration() { return this.player.duration || this.video?.probe?.duration || 0; }

  timeAt(clientX) {
    const r = this.canvas.getBoundingClientRect();
    return Math.min(1, Math.max(0, (clientX - r.left) / r.width)) * this.duration;
  }

  tileAt(sec) {
    for (const tile of this.tiles) if (sec >= tile.start && sec < tile.end) return tile;
    return this.tiles[this.tiles.length - 1] || null;
  }

  /** Draws the keyframe thumbnail for sec into a canvas (returns false when none is loaded yet). */
  drawThumb(canvas, sec) {
    const tile = this.tileAt(sec);
    if (!tile) return false;
    const img = this.sprites.get(tile.url, () => this.refreshThumbs());
    const ctx = canvas.getContext('2d');
    if (!img) return false;
    // The canvas takes the tile's own size; CSS scales it (object-fit: contain keeps the aspect).
    if (canvas.width !== tile.w) canvas.width = tile.w;
    if (canvas.height !== tile.h) canvas.height = tile.h;
    ctx.drawImage(img, tile.x, tile.y, tile.w, tile.h, 0, 0, canvas.width, canvas.height);
    canvas.dataset.sheet = tile.sheet;
    return true;
  }

  refreshThumbs() {
    if (!this.tip.hidden && this.hoverTime !== undefined) this.drawThumb(this.tipThumb, this.hoverTime);
    if (this.dragging) this.showPreview(this.target);
  }

  showTip(clientX, sec) {
    this.hoverTime = sec;
    const hasThumb = this.drawThumb(this.tipThumb, sec);
    this.tipThumb.hidden = !hasThumb && this.tiles.length === 0;
    const s = sampleAt(this.series, sec);
    this.tipText.textContent = `${formatTime(sec, 1)}${s ? ` · ${s.count} ${t('heads')}` : ''}`;
    this.tip.hidden = false;
    const r = this.track.getBoundingClientRect();
    const w = this.tip.offsetWidth || 170;
    this.tip.style.left = `${Math.min(r.width - w, Math.max(0, clientX - r.left - w / 2))}px`;
  }

  showPreview(sec) {
    if (!this.preview) return;
    if (this.drawThumb(this.preview, sec)) this.preview.hidden = false;
  }

  onPointerMove(e) {
    if (!this.video) return;
    const sec = this.timeAt(e.clientX);
    this.showTip(e.clientX, sec);
    if (this.dragging) {
      this.target = sec;
      this.showPreview(sec);
      this.draw();
    }
  }

  onPointerDown(e) {
    if (!this.video || e.button !== 0) return;
    this.track.setPointerCapture(e.pointerId);
    this.dragging = true;
    this.wasPlaying = !this.player.paused;
    this.player.video.pause();
    this.target = this.timeAt(e.clientX);
    this.preview.hidden = true;
    this.showPreview(this.target);
    this.draw();
  }

  onPointerUp(e) {
    if (!this.dragging) return;
    this.endDrag(this.timeAt(e.clientX));
  }

  endDrag(sec) {
    this.dragging = false;
    if (sec === null) { this.target = null; this.preview.hidden = true; this.draw(); return; }
    this.seekTo(sec);
    if (this.wasPlaying) this.player.video.play().catch(() => {});
  }

  /** Seeks to sec; the dashed playhead and the preview stay until that frame is on screen. */
  seekTo(sec) {
    this.target = sec;
    this.player.seek(sec);
    this.draw();
  }

  onFrame(mediaTime) {
    // A seek is over once the player has the frame it went to on screen (the one asked for, or the
    // nearest the video has): the solid playhead marks it, the dashed one and the preview go.
    if (this.target !== null && !this.dragging && this.player.pending === null) {
      this.target = null;
      this.preview.hidden = true;
    }
    this.track.setAttribute('aria-valuenow', mediaTime.toFixed(2));
    this.track.setAttribute('aria-valuemax', this.duration.toFixed(2));
    this.track.dataset.shown = String(mediaTime);
    this.draw();
  }

  draw() {
    const c = this.canvas;
    const dpr = window.devicePixelRatio || 1;
    const w = c.clientWidth;
    const hgt = c.clientHeight;
    if (!w || !hgt) return;
    if (c.width !== Math.round(w * dpr) || c.height !== Math.round(hgt * dpr)) {
      c.width = Math.round(w * dpr);
      c.height = Math.round(hgt * dpr);
    }
    const ctx = c.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, hgt);
    const dur = this.duration;
    if (!this.video || !dur) return;
    const X = (sec) => (sec / dur) * w;
    this.drawSeries(ctx, w, hgt, X);
    for (const m of this.moments) {
      ctx.fillStyle = '#d9822b';
      ctx.beginPath();
      ctx.moveTo(X(m.t) - 5, 0);
      ctx.lineTo(X(m.t) + 5, 0);
      ctx.lineTo(X(m.t), 7);
      ctx.fill();
    }
    const shown = this.player.shownTime;
    if (this.target !== null) {
      ctx.strokeStyle = '#2f6fde';
      ctx.setLineDash([4, 3]);
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.moveTo(X(this.target), 0);
      ctx.lineTo(X(this.target), hgt);
      ctx.stroke();
      ctx.setLineDash([]);
    }
    if (Number.isFinite(shown)) {
      ctx.fillStyle = 'rgba(47, 111, 222, 0.10)';
      ctx.fillRect(0, 0, X(shown), hgt);
      ctx.fillStyle = '#1d4fb8';
      ctx.fillRect(Math.round(X(shown)) - 1, 0, 2, hgt);
    }
  }

  drawSeries(ctx, w, hgt, X) {
    if (!this.series.length) {
      ctx.fillStyle = '#e6ebf1';
      ctx.fillRect(0, hgt / 2 - 2, w, 4);
      return;
    }
    const max = Math.max(1, ...this.series.map((s) => s.max));
    const Y = (n) => hgt - 4 - (n / max) * (hgt - 14);
    // Runs of samples without a gap wider than a few sampling steps: unindexed stretches stay empty.
    const gap = Math.max(this.step * 4, this.duration / 200);
    const runs = [];
    for (const s of this.series) {
      const run = runs.at(-1);
      if (run && s.t - run.at(-1).t <= gap) run.push(s); else runs.push([s]);
    }
    for (const run of runs) {
      const end = Math.min(this.duration, run.at(-1).t + this.step);
      const edge = (key) => {
        const pts = [];
        run.forEach((s, i) => { pts.push([X(s.t), Y(s[key])], [X(i + 1 < run.length ? run[i + 1].t : end), Y(s[key])]); });
        return pts;
      };
      const top = edge('max');
      const bottom = edge('min').reverse();
      ctx.beginPath();
      [...top, ...bottom].forEach(([x, y], i) => (i ? ctx.lineTo(x, y) : ctx.moveTo(x, y)));
      ctx.closePath();
      ctx.fillStyle = 'rgba(60, 140, 110, 0.18)';
      ctx.fill();
      const line = edge('count');
      ctx.beginPath();
      ctx.moveTo(line[0][0], hgt);
      line.forEach(([x, y]) => ctx.lineTo(x, y));
      ctx.lineTo(line.at(-1)[0], hgt);
      ctx.closePath();
      ctx.fillStyle = 'rgba(60, 140, 110, 0.22)';
      ctx.fill();
      ctx.beginPath();
      line.forEach(([x, y], i) => (i ? ctx.lineTo(x, y) : ctx.moveTo(x, y)));
      ctx.strokeStyle = 'rgba(40, 110, 85, 0.95)';
      ctx.lineWidth = 1.5;
      ctx.stroke();
    }
    ctx.fillStyle = '#5b6776';
    ctx.font = '10px system-ui, sans-serif';
    ctx.fillText(String(max), 3, 10);
  }
}
