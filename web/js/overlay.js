// Overlays drawn over the video for the frame on screen: each animal's mask (pastel colour that
// stays with its track), its number, and the count. Data: GET /api/video_file/count_at_time, one
// answer per frame, cached by the frame it describes (t_frame). An answer is drawn only while its
// t_frame is the displayed frame (within half a frame); otherwise the canvas is cleared and "…"
// shown, so the overlay can never belong to another frame.
import { getJSON, query, ApiError } from './api.js';
import { h } from './dom.js';
import { t, formatNumber, formatTime } from './i18n.js';

const CACHE_LIMIT = 2000;

// The server cancels a client's older count still being computed when a newer one arrives; the
// key makes "client" this tab, not everyone behind the same address.
const CLIENT_KEY = sessionStorage.getItem('pw.client') || `tab-${Math.random().toString(36).slice(2, 10)}`;
sessionStorage.setItem('pw.client', CLIENT_KEY);

/** A pastel colour per track id (golden-angle hues), the same every time for the same track. */
export function trackColour(trackId, alpha = 1) {
  const hue = ((Number(trackId) || 0) * 137.508) % 360;
  return `hsla(${hue.toFixed(1)}, 70%, 72%, ${alpha})`;
}

/** Instances in reading order (rows top to bottom, left to right), numbered 1..N. */
function readingOrder(instances) {
  const rowH = Math.max(1, ...instances.map((i) => i.box?.[3] || 0)) * 0.6;
  return [...instances].sort((a, b) => {
    const ra = Math.floor((a.box[1] + a.box[3] / 2) / rowH);
    const rb = Math.floor((b.box[1] + b.box[3] / 2) / rowH);
    return ra - rb || (a.box[0] + a.box[2] / 2) - (b.box[0] + b.box[2] / 2);
  });
}

export class Overlay {
  /** canvas over the video; status: element for "…" / messages; badge: the count shown on video. */
  constructor({ player, canvas, status, badge }) {
    this.player = player;
    this.canvas = canvas;
    this.statusEl = status;
    this.badge = badge;
    this.showMasks = localStorage.getItem('pw.masks') !== '0';
    this.showNumbers = localStorage.getItem('pw.numbers') !== '0';
    this.countHandlers = new Set();
    this.reset(null);
    player.onFrame((mt) => this.onFrame(mt));
    new ResizeObserver(() => this.redraw()).observe(canvas);
  }

  /** fn(result | null) whenever the count for the frame on screen changes. */
  onCount(fn) { this.countHandlers.add(fn); }

  reset(videoId) {
    this.inFlight?.controller.abort();
    this.videoId = videoId;
    this.answers = new Map();     // frame index of t_frame -> count_at_time answer
    this.asked = new Map();       // frame index asked about -> its answer (maybe for a neighbour)
    this.inFlight = null;         // {index, controller}
    this.latencyS = 0.1;          // recent answer time, to ask ahead while playing
    this.unavailable = null;      // message when the server cannot count this video
    this.retryAt = 0;
    this.drawn = undefined;
    this.clear(videoId ? '…' : '');
  }

  frameIndex(sec) { return Math.round(sec * this.player.fps); }

  setMasks(on) { this.showMasks = on; localStorage.setItem('pw.masks', on ? '1' : '0'); this.redraw(); }
  setNumbers(on) { this.showNumbers = on; localStorage.setItem('pw.numbers', on ? '1' : '0'); this.redraw(); }

  /** The answer for the frame presented at mediaTime, only if it describes that very frame. */
  answerFor(mediaTime) {
    const r = this.answers.get(this.frameIndex(mediaTime));
    return r && Math.abs(r.t_frame - mediaTime) <= this.player.frameDuration / 2 ? r : null;
  }

  onFrame(mediaTime) {
    if (!this.videoId) return;
    const r = this.answerFor(mediaTime);
    if (r) this.draw(r); else this.clear(this.unavailable || '…');
    this.offerNearest(mediaTime);
    this.fetchNext();
  }

  /** Paused on a frame the server answers for with a neighbour (the index samples a few frames
   *  per second): say so and offer a jump to the counted frame, instead of drawing its overlay. */
  offerNearest(mediaTime) {
    const other = this.asked.get(this.frameIndex(mediaTime));
    if (!other || this.answerFor(mediaTime) || !this.player.paused || this.unavailable) return;
    this.statusEl.replaceChildren(t('frame_not_counted'), ' ',
      h('button', { type: 'button', class: 'chip nearest', onclick: () => this.player.seek(other.t_frame + this.player.frameDuration / 4) },
        t('nearest_counted', { t: formatTime(other.t_frame, 2) })));
    this.statusEl.hidden = false;
  }

  /** The frame to ask about next: the one on screen when paused; while playing, one far enough
   *  ahead that its answer arrives before it is shown. */
  nextTarget() {
    const shown = this.player.shownTime;
    if (!Number.isFinite(shown)) return null;
    const fd = this.player.frameDuration;
    if (this.player.paused) return this.asked.has(this.frameIndex(shown)) ? null : shown;
    const lead = Math.ceil((this.latencyS * this.player.video.playbackRate) / fd) + 1;
    for (let k = lead; k < lead + 8; k += 1) {
      const sec = shown + k * fd;
      if (sec >= this.player.duration) return null;
      if (!this.asked.has(this.frameIndex(sec))) return sec;
    }
    return null;
  }

  fetchNext() {
    if (this.unavailable && Date.now() < this.retryAt) return;
    const sec = this.nextTarget();
    if (sec === null) return;
    const index = this.frameIndex(sec);
    if (this.inFlight) {
      // Paused (a seek or a step): the operator waits for this frame, drop the older question.
      // Playing: one question at a time; the next one goes when this one is answered.
      if (this.inFlight.index === index || !this.player.paused) return;
      this.inFlight.controller.abort();
    }
    const controller = new AbortController();
    const videoId = this.videoId;
    const started = performance.now();
    this.inFlight = { index, controller };
    // Paused: the very frame on screen (exact=1 runs it when the index sampled a neighbour).
    const exact = this.player.paused ? 1 : undefined;
    getJSON(`/api/video_file/count_at_time${query({ id: videoId, t: sec.toFixed(4), client: CLIENT_KEY, exact })}`, { signal: controller.signal })
      .then((r) => {
        if (videoId !== this.videoId) return;
        this.latencyS = 0.7 * this.latencyS + 0.3 * ((performance.now() - started) / 1000);
        this.unavailable = null;
        this.remember(r, index);
      })
      .catch((err) => {
        // Aborted here, or superseded by this tab's newer question (409): nothing is wrong.
        if (err.name === 'AbortError' || err.status === 409 || videoId !== this.videoId) return;
        this.unavailable = err instanceof ApiError && err.status === 404 && /no route/.test(err.message)
          ? t('overlay_none') : t('overlay_unavailable', { msg: err.message });
        this.retryAt = Date.now() + (err.status === 503 || err.status === 429 ? 2000 : 15000);
        this.clear(this.unavailable);
      })
      .finally(() => {
        if (this.inFlight?.controller !== controller) return;
        this.inFlight = null;
        if (videoId !== this.videoId) return;
        const shown = this.player.shownTime;
        const r = Number.isFinite(shown) ? this.answerFor(shown) : null;
        if (r) this.draw(r); else if (Number.isFinite(shown)) this.offerNearest(shown);
        this.fetchNext();
      });
  }

  remember(r, askedIndex) {
    while (this.answers.size >= CACHE_LIMIT) this.answers.delete(this.answers.keys().next().value);
    if (this.asked.size >= CACHE_LIMIT * 2) this.asked.clear();
    this.answers.set(this.frameIndex(r.t_frame), r);
    this.asked.set(askedIndex, r);
    this.asked.set(this.frameIndex(r.t_frame), r);
  }

  clear(message) {
    const ctx = this.canvas.getContext('2d');
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    this.canvas.dataset.tFrame = '';
    this.badge.hidden = true;
    this.statusEl.textContent = message || '';
    this.statusEl.hidden = !message;
    if (this.drawn !== null) this.countHandlers.forEach((fn) => fn(null));
    this.drawn = null;
  }

  redraw() { if (this.drawn) this.draw(this.drawn); }


  /** Maps video pixels to canvas pixels (the video is letterboxed with object-fit: contain). */
  layout(frameW, frameH) {
    const dpr = window.devicePixelRatio || 1;
    const cw = this.canvas.clientWidth;
    const ch = this.canvas.clientHeight;
    if (this.canvas.width !== Math.round(cw * dpr) || this.canvas.height !== Math.round(ch * dpr)) {
      this.canvas.width = Math.round(cw * dpr);
      this.canvas.height = Math.round(ch * dpr);
    }
    const scale = Math.min(cw / frameW, ch / frameH);
    return { dpr, scale, ox: (cw - frameW * scale) / 2, oy: (ch - frameH * scale) / 2 };
  }

  draw(r) {
    const changed = this.drawn !== r;
    this.drawn = r;
    const [fw, fh] = r.frame_size || [this.player.video.videoWidth, this.player.video.videoHeight];
    const { dpr, scale, ox, oy } = this.layout(fw || 1, fh || 1);
    const ctx = this.canvas.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    const X = (x) => ox + x * scale;
    const Y = (y) => oy + y * scale;
    drawInstances(ctx, r.instances || [], X, Y, scale, { masks: this.showMasks, numbers: this.showNumbers });
    this.canvas.dataset.tFrame = String(r.t_frame);
    this.canvas.dataset.count = String(r.count);
    this.statusEl.hidden = true;
    this.badge.hidden = false;
    this.badge.querySelector('.n').textContent = r.count;
    this.badge.querySelector('.conf').textContent =
      r.confidence === null || r.confidence === undefined ? '' : `${formatNumber(r.confidence * 100, 0)}%`;
    this.badge.classList.toggle('unstable', r.stable === false);
    if (changed) this.countHandlers.forEach((fn) => fn(r));
  }
}

/** Draws instances (frame pixels mapped by X/Y) onto ctx: pastel masks coloured by track (or by
 *  number without tracks), numbers 1..N in reading order, and detections under the counting
 *  threshold (`counted: false`) outlined faintly without a number. Shared by the video overlay and
 *  the live camera view. */
export function drawInstances(ctx, all, X, Y, scale, { masks = true, numbers = true } = {}) {
  const doubtful = all.filter((i) => i.counted === false);
  const instances = readingOrder(all.filter((i) => i.counted !== false));
  ctx.setLineDash([4, 4]);
  ctx.lineWidth = 1;
  ctx.strokeStyle = 'rgba(255, 255, 255, 0.45)';
  for (const inst of doubtful) {
    const pts = inst.polygon?.length >= 3 ? inst.polygon : boxPolygon(inst.box);
    ctx.beginPath();
    pts.forEach(([x, y], i) => (i ? ctx.lineTo(X(x), Y(y)) : ctx.moveTo(X(x), Y(y))));
    ctx.closePath();
    ctx.stroke();
  }
  ctx.setLineDash([]);
  // Colour by track when the instances have tracks (distinct ids), else by the animal's number.
  const ids = instances.map((i) => i.track_id);
  const tracked = ids.every((id) => Number.isInteger(id) && id > 0) && new Set(ids).size === ids.length;
  const colourKey = (inst, i) => (tracked ? inst.track_id : i + 1);
  if (masks) {
    for (const [i, inst] of instances.entries()) {
      const pts = inst.polygon?.length >= 3 ? inst.polygon : boxPolygon(inst.box);
      ctx.beginPath();
      pts.forEach(([x, y], k) => (k ? ctx.lineTo(X(x), Y(y)) : ctx.moveTo(X(x), Y(y))));
      ctx.closePath();
      ctx.fillStyle = trackColour(colourKey(inst, i), 0.38);
      ctx.fill();
      ctx.lineWidth = 1.5;
      ctx.strokeStyle = trackColour(colourKey(inst, i), 0.95);
      ctx.stroke();
    }
  }
  if (numbers) {
    const size = Math.max(11, Math.min(22, 14 * Math.sqrt(scale)));
    ctx.font = `600 ${size}px system-ui, sans-serif`;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    instances.forEach((inst, i) => {
      const [bx, by, bw, bh] = inst.box;
      const cx = X(bx + bw / 2);
      const cy = Y(by + bh / 2);
      const label = String(i + 1);
      const w = ctx.measureText(label).width + size * 0.7;
      ctx.fillStyle = 'rgba(20, 28, 38, 0.78)';
      roundRect(ctx, cx - w / 2, cy - size * 0.7, w, size * 1.4, size * 0.35);
      ctx.fill();
      ctx.fillStyle = '#fff';
      ctx.fillText(label, cx, cy + 0.5);
    });
  }
}

function boxPolygon([x, y, w, h]) { return [[x, y], [x + w, y], [x + w, y + h], [x, y + h]]; }

function roundRect(ctx, x, y, w, h, r) {
  ctx.beginPath();
  ctx.moveTo(x + r, y);
  ctx.arcTo(x + w, y, x + w, y + h, r);
  ctx.arcTo(x + w, y + h, x, y + h, r);
  ctx.arcTo(x, y + h, x, y, r);
  ctx.arcTo(x, y, x + w, y, r);
  ctx.closePath();
}
