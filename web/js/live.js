// Live cameras: the camera list with a state badge in the sources column (GET /api/cameras; the
// section stays hidden while the server has no cameras route), and the live camera view.
//
// The view's picture comes over the best transport that works, shown by a chip in its corner:
//   1. WebRTC (WHEP: POST /api/cameras/{id}/whep with an SDP offer). A server without the route
//      (404 "no route") is remembered for the page's life and never asked again.
//   2. Low-latency HLS (GET /api/cameras/{id}/live.m3u8: hls.js in lowLatencyMode where the browser
//      has Media Source Extensions, native HLS otherwise). Works through proxies that block UDP;
//      ~1–2 s behind the camera.
//   3. MJPEG (<img src=/api/cameras/{id}/mjpeg>), the fallback that works everywhere.
// A snapshot stands in while the first transport connects. No flapping: a rung falls back to the
// next only after NO_FRAME_MS without a decoded frame while the camera itself streams (or a hard
// error: 404 no route, 422 codec); a failed rung is not tried again before a growing delay
// (UPGRADE_RETRY_MS), and whatever shows keeps showing until the better rung has really drawn a
// frame, so a failed retry is invisible; once a transport works the view sticks to it.
// The page's URL can force a rung (support and tests): ?live=hls skips WebRTC, ?live=mjpeg uses
// MJPEG only.
//
// The state badge follows the camera's ingest state (GET /api/cameras every few seconds and
// "camera_state" messages on the WebSocket topic camera:<id>); when the camera is down the view
// says so with the server's last error. The overlay (masks, numbers, count) is drawn from the
// newest "count" message of camera:<id>: MJPEG frames carry no timestamp, so the overlay is the
// newest count, not the count of the exact frame on screen. With WebRTC the "pigweight" data
// channel will carry the counts alongside the frames (and is the session's heartbeat). With HLS
// the picture is a second or two behind: the overlay is the count whose wall clock (wall_ms) is
// the newest not after the wall clock of the frame on screen (EXT-X-PROGRAM-DATE-TIME, hls.js
// playingDate), from the counts of the last COUNT_KEEP_MS.
import { getOptional, socket } from './api.js';
import { h } from './dom.js';
import { t, addStrings, onLangChange, formatNumber } from './i18n.js';
import { drawInstances } from './overlay.js';

const NO_FRAME_MS = 5000;                                // WebRTC without a frame this long → MJPEG
const UPGRADE_RETRY_MS = [15000, 30000, 60000, 120000, 300000];  // retrying WebRTC after a failure
const MJPEG_RETRY_MS = [1000, 2000, 5000, 10000];        // reopening a closed MJPEG stream
const ICE_GATHER_MS = 2000;
const COUNT_KEEP_MS = 15000;                             // counts kept to match HLS frames by wall clock

// The live view's own words (ru + en), registered with i18n.js under "live_".
const WORDS = {
  ru: {
    streaming: 'в эфире', connecting: 'подключение', stalled: 'нет видео', backoff: 'переподключение',
    stopped: 'остановлена', unknown: 'нет данных',
    via_webrtc: 'WebRTC', via_hls: 'HLS', via_mjpeg: 'MJPEG', via_snapshot: 'снимок', via_none: 'нет картинки',
    down: 'Камера не передаёт видео', down_stopped: 'Камера остановлена', reconnects: 'переподключений: {n}',
    last_error: 'последняя ошибка: {msg}', no_error: 'причина неизвестна', retrying: 'Пробую снова…',
  },
  en: {
    streaming: 'streaming', connecting: 'connecting', stalled: 'no video', backoff: 'reconnecting',
    stopped: 'stopped', unknown: 'unknown',
    via_webrtc: 'WebRTC', via_hls: 'HLS', via_mjpeg: 'MJPEG', via_snapshot: 'snapshot', via_none: 'no picture',
    down: 'The camera is not sending video', down_stopped: 'The camera is stopped', reconnects: 'reconnects: {n}',
    last_error: 'last error: {msg}', no_error: 'cause unknown', retrying: 'Trying again…',
  },
};
addStrings('live_', WORDS);
const w = (key, params = {}) => t(`live_${key}`, params);

let whepMissing = false;   // the server has no WHEP route: never asked again, for the page's life
let hlsMissing = false;    // the server has no live HLS route: likewise
let hlsScript = null;

/** ?live=hls | mjpeg in the page's URL forces a rung (support and tests); '' otherwise. */
const forcedRung = () => new URLSearchParams(location.search).get('live') || '';

function loadHlsJs() {
  if (window.Hls) return Promise.resolve(window.Hls);
  hlsScript ??= new Promise((resolve, reject) => {
    const s = h('script', { src: '/vendor/hls.min.js' });
    s.onload = () => resolve(window.Hls);
    s.onerror = () => { hlsScript = null; reject(new Error('hls.js is missing (/vendor/hls.min.js)')); };
    document.head.append(s);
  });
  return hlsScript;
}

const camerasOf = (body) => (Array.isArray(body) ? body : body?.cameras || body?.items || []);
const stateOf = (c) => c?.ingest?.state || c?.state || 'unknown';
const stateClass = (s) => (s === 'streaming' ? 'ok' : /^(stalled|stopped|failed|error)$/.test(s) ? 'bad' : 'warn');
const stateLabel = (s) => (WORDS.en[s] ? w(s) : s);
const camPath = (id, rest) => `/api/cameras/${encodeURIComponent(id)}/${rest}`;

export class Live {
  /** section: the sources' camera block (hidden when none); list: its <ul>; onPick(camera). */
  constructor({ section, list, navLink, onPick }) {
    this.section = section;
    this.list = list;
    this.navLink = navLink;
    this.onPick = onPick;
    this.cameras = [];
    this.view = null;
    onLangChange(() => { this.renderList(); this.view?.render(); });
  }

  async refresh() {
    const body = await getOptional('/api/cameras').catch(() => null);
    this.available = body !== null;
    this.cameras = camerasOf(body);
    this.section.hidden = this.cameras.length === 0;
    this.renderList();
    if (this.shown) this.select(this.shown);
    const cam = this.view && this.find(this.view.camera.id);
    if (cam) this.view.setCamera(cam);
    return this.cameras;
  }

  renderList() {
    this.list.replaceChildren(...this.cameras.map((c) => {
      const s = stateOf(c);
      return h('li', { class: 'camera', dataset: { id: c.id } },
        h('button', { type: 'button', class: 'pick', onclick: () => this.onPick(c) },
          h('span', { class: 'name' }, c.name || c.id),
          h('span', { class: `badge ${stateClass(s)}`, dataset: { state: s } }, stateLabel(s))));
    }));
  }

  find(id) { return this.cameras.find((c) => c.id === id) || null; }

  select(id) {
    this.shown = id;
    this.list.querySelectorAll('li.camera').forEach((li) => li.classList.toggle('selected', li.dataset.id === id));
  }

  /** Shows a camera's live picture with its overlay in container, until stop(). */
  show(container, camera) {
    this.stop();
    // The view hears of state changes first (WebSocket): the list's badge follows at once.
    this.view = new LiveView(camera, (c) => {
      this.cameras = this.cameras.map((x) => (x.id === c.id ? c : x));
      this.renderList();
      this.select(this.shown);
    });
    container.append(this.view.el);
  }

  stop() {
    this.view?.close();
    this.view = null;
  }
}

/** One camera on screen: picture, transport choice, state badge, error message, overlay. */
class LiveView {
  /** onState(camera): the camera's state changed by a WebSocket message. */
  constructor(camera, onState) {
    this.camera = camera;
    this.onState = onState;
    this.transport = 'none';      // what the operator sees now: webrtc | hls | mjpeg | snapshot | none
    this.timers = new Set();
    this.upgradeTry = 0;
    this.hlsTry = 0;
    this.hls = null;              // {hls (hls.js instance or null for native), lastFrame, date()}
    this.counts = [];             // recent count messages (oldest first), for HLS frame matching
    this.mjpegTry = 0;
    this.latest = null;           // newest count message
    this.rtc = null;              // {pc, dc, resource, lastFrame}
    this.closed = false;
    const name = camera.name || camera.id;
    this.img = h('img', { class: 'live-picture', alt: name });
    this.video = h('video', { class: 'live-video', muted: true, autoplay: true, playsinline: true, hidden: true });
    this.video.muted = true;
    // Its own element (MSE) beside the WebRTC one (srcObject), styled like it; "live-hls", not
    // "live-video", so that selectors of the WebRTC picture stay unambiguous.
    this.hlsVideo = h('video', { class: 'live-hls', muted: true, autoplay: true, playsinline: true, hidden: true });
    this.hlsVideo.muted = true;
    Object.assign(this.hlsVideo.style, { position: 'absolute', inset: '0', width: '100%', height: '100%',
      objectFit: 'contain', visibility: 'visible' });
    this.canvas = h('canvas', { class: 'live-overlay' });
    this.badge = h('span', { class: 'badge cam-state' });
    this.chip = h('span', { class: 'chip cam-transport' });
    this.count = h('div', { class: 'count-badge live-count', hidden: true }, h('span', { class: 'n' }), h('span', { class: 'conf' }));
    this.error = h('div', { class: 'cam-error', role: 'alert', hidden: true });
    this.el = h('div', { class: 'camera-view', dataset: { camera: camera.id } }, this.img, this.video, this.hlsVideo, this.canvas,
      h('div', { class: 'camera-head' }, h('strong', {}, name), this.badge, this.chip), this.count, this.error);
    this.unsubscribe = socket.subscribe(`camera:${camera.id}`, (m) => this.onMessage(m));
    this.resizer = new ResizeObserver(() => this.draw());
    this.resizer.observe(this.canvas);
    this.setCamera(camera);
    this.showSnapshot();
    this.start();
  }

  get state() { return stateOf(this.camera); }

  after(ms, fn) {
    const id = setTimeout(() => { this.timers.delete(id); if (!this.closed) fn(); }, ms);
    this.timers.add(id);
    return id;
  }

  start() {
    const forced = forcedRung();
    if (forced === 'mjpeg') this.useMjpeg();
    else if (forced === 'hls' || whepMissing || typeof RTCPeerConnection === 'undefined') this.fallBack();
    else this.tryWebrtc();
  }

  /** WebRTC is not (or not yet) available: HLS when it may work, MJPEG meanwhile or otherwise. */
  fallBack() {
    if (this.transport === 'hls' || this.hls) return;   // HLS shows, or is connecting over MJPEG
    if (forcedRung() !== 'mjpeg' && !hlsMissing && !this.hlsCooling) this.tryHls();
    else this.useMjpeg();
  }

  // --- camera state

  setCamera(camera) {
    const was = this.state;
    this.camera = camera;
    if (was !== 'streaming' && this.state === 'streaming') this.onCameraBack();
    if (this.state !== 'streaming') { this.latest = null; this.draw(); }
    this.render();
  }

  /** The camera streams again: an MJPEG stream that ended while it was down is opened anew. */
  onCameraBack() {
    if (this.transport === 'mjpeg' && this.mjpegBroken) this.openMjpeg();
  }

  onMessage(m) {
    if (m.type === 'camera_state' && m.ingest) {
      this.setCamera({ ...this.camera, ingest: { ...this.camera.ingest, ...m.ingest } });
      this.onState(this.camera);
    } else if (m.type === 'count') {
      this.takeCount(m);
    }
  }

  /** A count message from the WebSocket or the data channel: the newest (by wall clock) wins,
   *  except under HLS, where the frame on screen picks its count (matchHlsCount). */
  takeCount(m) {
    if (!m.state) return;
    const wall = Number(m.wall_ms);
    if (!this.counts.length || wall >= Number(this.counts[this.counts.length - 1].wall_ms)) {
      this.counts.push(m);
      while (this.counts.length > 1 && wall - Number(this.counts[0].wall_ms) > COUNT_KEEP_MS) this.counts.shift();
    }
    if (this.transport === 'hls' && this.hls?.date()) return;
    if (this.latest && wall < Number(this.latest.wall_ms)) return;
    this.latest = m;
    this.draw();
  }

  /** Under HLS: the count of the newest count message not after the frame on screen (by wall clock). */
  matchHlsCount() {
    const at = this.hls?.date();
    if (!at || !this.counts.length) return;
    let pick = this.counts[0];
    for (const m of this.counts) { if (Number(m.wall_ms) <= at) pick = m; else break; }
    this.canvas.dataset.frameWallMs = String(Math.round(at));
    if (pick !== this.latest) { this.latest = pick; this.draw(); }
  }

  render() {
    const s = this.state;
    this.badge.textContent = stateLabel(s);
    this.badge.className = `badge cam-state ${stateClass(s)}`;
    this.badge.dataset.state = s;
    this.chip.textContent = w(`via_${this.transport}`);
    this.chip.dataset.transport = this.transport;
    this.el.dataset.transport = this.transport;
    const ingest = this.camera.ingest || {};
    const down = s !== 'streaming' && s !== 'connecting' && s !== 'unknown';
    this.error.hidden = !down;
    if (down) {
      this.error.replaceChildren(h('strong', {}, s === 'stopped' ? w('down_stopped') : w('down')),
        h('div', { class: 'cam-error-detail' }, w('last_error', { msg: ingest.last_error || w('no_error') }),
          ingest.reconnects ? ` · ${w('reconnects', { n: ingest.reconnects })}` : '', s === 'stopped' ? '' : ` · ${w('retrying')}`));
    }
    this.el.classList.toggle('down', down);
  }

  setTransport(kind) {
    if (this.transport === kind) return;
    this.transport = kind;
    this.img.hidden = kind === 'webrtc' || kind === 'hls';
    this.video.hidden = kind !== 'webrtc';
    this.hlsVideo.hidden = kind !== 'hls';
    this.render();
    this.draw();
  }

  // --- snapshot and MJPEG

  showSnapshot() {
    this.img.onload = () => { if (this.transport === 'none') this.setTransport('snapshot'); };
    this.img.onerror = null;
    this.img.src = `${camPath(this.camera.id, 'snapshot')}?ts=${Date.now()}`;
  }

  useMjpeg() {
    if (this.transport !== 'mjpeg') this.openMjpeg();
  }

  openMjpeg() {
    this.mjpegBroken = false;
    const img = this.img;
    // A multipart <img> fires "load" once, for its first part: that is when MJPEG is on screen.
    img.onload = () => { this.mjpegTry = 0; if (this.transport !== 'webrtc' && this.transport !== 'hls') this.setTransport('mjpeg'); };
    img.onerror = () => {
      // The stream ended (the server restarted or the camera has no picture yet): reopen it later;
      // the last picture stays on screen meanwhile.
      this.mjpegBroken = true;
      const delay = MJPEG_RETRY_MS[Math.min(this.mjpegTry, MJPEG_RETRY_MS.length - 1)];
      this.mjpegTry += 1;
      this.after(delay, () => { if (this.transport !== 'webrtc' && this.transport !== 'hls') this.openMjpeg(); });
    };
    img.src = `${camPath(this.camera.id, 'mjpeg')}?ts=${Date.now()}`;
  }

  closeMjpeg() {
    this.img.onload = null;
    this.img.onerror = null;
    this.img.removeAttribute('src');   // ends the multipart request
  }

  // --- WebRTC (WHEP)

  async tryWebrtc() {
    let pc = null;
    try {
      pc = new RTCPeerConnection();
      const rtc = { pc, dc: null, resource: null, lastFrame: 0 };
      this.rtc = rtc;
      pc.addTransceiver('video', { direction: 'recvonly' });
      rtc.dc = pc.createDataChannel('pigweight');
      rtc.dc.onmessage = (e) => this.onChannelMessage(e.data);
      rtc.dc.onopen = () => { rtc.ping = setInterval(() => rtc.dc.readyState === 'open' && rtc.dc.send('ping'), 1000); };
      pc.ontrack = (e) => { this.video.srcObject = e.streams[0] || new MediaStream([e.track]); };
      await pc.setLocalDescription(await pc.createOffer());
      await iceGathered(pc);
      const res = await fetch(camPath(this.camera.id, 'whep'), {
        method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: pc.localDescription.sdp,
      });
      if (res.status === 404) {
        const body = await res.json().catch(() => ({}));
        if (/no route/.test(body?.error?.message || '')) { whepMissing = true; this.dropWebrtc(); this.fallBack(); return; }
      }
      if (res.status !== 201) throw new Error(`WHEP answered ${res.status}`);
      const location = res.headers.get('Location');
      rtc.resource = location ? new URL(location, window.location.href).href : null;
      await pc.setRemoteDescription({ type: 'answer', sdp: await res.text() });
      if (this.closed || this.rtc !== rtc) return;
      this.watchFrames(rtc);
    } catch (err) {
      if (this.closed) return;
      this.failWebrtc(err);
    }
  }

  /** Counts decoded frames; the first switches the picture to WebRTC, a silence falls back. */
  watchFrames(rtc) {
    const onFrame = () => {
      if (this.rtc !== rtc) return;
      rtc.lastFrame = performance.now();
      if (this.transport !== 'webrtc') {
        this.setTransport('webrtc');
        this.closeMjpeg();
        this.dropHls();
        this.upgradeTry = 0;
      }
      this.video.requestVideoFrameCallback(onFrame);
    };
    this.video.requestVideoFrameCallback(onFrame);
    this.video.play().catch(() => {});
    const started = performance.now();
    const check = () => {
      if (this.rtc !== rtc) return;
      const quietFor = performance.now() - (rtc.lastFrame || started);
      // A camera that is down sends nothing over any transport: that is not WebRTC's fault.
      if (quietFor > NO_FRAME_MS && this.state === 'streaming') { this.failWebrtc(new Error('no frames')); return; }
      this.after(1000, check);
    };
    if (this.transport === 'none' || this.transport === 'snapshot') this.useMjpeg();  // until WebRTC shows a frame
    this.after(1000, check);
  }

  onChannelMessage(data) {
    let m;
    try { m = JSON.parse(data); } catch { return; }
    if (m && m.type === 'count') this.takeCount(m);
  }

  failWebrtc(err) {
    console.info(`live view: WebRTC not used for now (${err.message}); HLS or MJPEG instead`);
    this.dropWebrtc();
    this.fallBack();
    const delay = UPGRADE_RETRY_MS[Math.min(this.upgradeTry, UPGRADE_RETRY_MS.length - 1)];
    this.upgradeTry += 1;
    this.after(delay, () => this.tryWebrtc());
  }

  dropWebrtc() {
    const rtc = this.rtc;
    this.rtc = null;
    if (!rtc) return;
    clearInterval(rtc.ping);
    if (rtc.resource) fetch(rtc.resource, { method: 'DELETE', keepalive: true }).catch(() => {});
    rtc.pc.close();
    this.video.srcObject = null;
    if (this.transport === 'webrtc') this.setTransport('none');
  }

  // --- low-latency HLS

  async tryHls() {
    const url = camPath(this.camera.id, 'live.m3u8');
    const video = this.hlsVideo;
    const session = { hls: null, lastFrame: 0, date: () => null };
    this.hls = session;
    if (this.transport === 'none' || this.transport === 'snapshot') this.useMjpeg();  // until HLS shows a frame
    try {
      // The server answers 404 "no route" when it has no live HLS, 422 for a codec browsers cannot play.
      const probe = await fetch(url, { cache: 'no-store' });
      if (this.closed || this.hls !== session) return;
      if (!probe.ok) {
        const body = await probe.json().catch(() => ({}));
        if (probe.status === 404 && /no route/.test(body?.error?.message || '')) hlsMissing = true;
        throw new Error(`live HLS answered ${probe.status}${body?.error?.message ? `: ${body.error.message}` : ''}`);
      }
      if (window.MediaSource || window.ManagedMediaSource) {
        const Hls = await loadHlsJs();
        if (this.closed || this.hls !== session) return;
        if (!Hls.isSupported()) throw new Error('hls.js is not supported here');
        const hls = new Hls({ lowLatencyMode: true, backBufferLength: 10, maxLiveSyncPlaybackRate: 1.5 });
        session.hls = hls;
        session.date = () => hls.playingDate?.getTime() || null;
        hls.on(Hls.Events.ERROR, (_e, data) => { if (data.fatal && this.hls === session) this.failHls(new Error(`hls.js: ${data.details}`)); });
        hls.loadSource(url);
        hls.attachMedia(video);
      } else if (video.canPlayType('application/vnd.apple.mpegurl')) {
        video.src = url;
        session.date = () => {
          const start = video.getStartDate?.().getTime();
          return Number.isFinite(start) ? start + video.currentTime * 1000 : null;
        };
      } else {
        throw new Error('this browser plays no HLS');
      }
      this.watchHlsFrames(session);
    } catch (err) {
      if (!this.closed && this.hls === session) this.failHls(err);
    }
  }

  /** The first decoded frame switches the picture to HLS; a silence while the camera streams falls back. */
  watchHlsFrames(session) {
    const video = this.hlsVideo;
    const onFrame = () => {
      if (this.hls !== session) return;
      session.lastFrame = performance.now();
      if (this.transport !== 'hls' && this.transport !== 'webrtc') {
        this.setTransport('hls');
        this.closeMjpeg();
        this.hlsTry = 0;
      }
      this.matchHlsCount();
      video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
    video.play().catch(() => {});
    const started = performance.now();
    const check = () => {
      if (this.hls !== session) return;
      const quietFor = performance.now() - (session.lastFrame || started);
      // The first frame may take a segment or two (the server starts its muxer on the first request).
      const limit = session.lastFrame ? NO_FRAME_MS : 2 * NO_FRAME_MS;
      if (quietFor > limit && this.state === 'streaming') { this.failHls(new Error('no frames')); return; }
      this.after(1000, check);
    };
    this.after(1000, check);
  }

  failHls(err) {
    console.info(`live view: HLS not used for now (${err.message}); MJPEG instead`);
    this.dropHls();
    this.useMjpeg();
    if (hlsMissing) return;
    const delay = UPGRADE_RETRY_MS[Math.min(this.hlsTry, UPGRADE_RETRY_MS.length - 1)];
    this.hlsTry += 1;
    this.hlsCooling = true;
    this.after(delay, () => { this.hlsCooling = false; if (this.transport !== 'webrtc' && !this.rtc) this.fallBack(); });
  }

  dropHls() {
    const session = this.hls;
    this.hls = null;
    if (!session) return;
    session.hls?.destroy();
    this.hlsVideo.removeAttribute('src');
    this.hlsVideo.load();
    if (this.transport === 'hls') this.setTransport('none');
  }

  // --- overlay

  /** Draws the newest count over the picture (letterboxed like the picture: object-fit contain). */
  draw() {
    const m = this.latest;
    const canvas = this.canvas;
    const dpr = window.devicePixelRatio || 1;
    const cw = canvas.clientWidth;
    const ch = canvas.clientHeight;
    if (canvas.width !== Math.round(cw * dpr) || canvas.height !== Math.round(ch * dpr)) {
      canvas.width = Math.round(cw * dpr);
      canvas.height = Math.round(ch * dpr);
    }
    const ctx = canvas.getContext('2d');
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    const showing = m && this.transport !== 'none';
    this.count.hidden = !m;
    canvas.dataset.count = m ? String(m.state?.count ?? '') : '';
    canvas.dataset.wallMs = m ? String(m.wall_ms ?? '') : '';
    if (!m) return;
    const st = m.state || {};
    this.count.querySelector('.n').textContent = st.count ?? '—';
    this.count.querySelector('.conf').textContent = typeof st.confidence === 'number' ? `${formatNumber(st.confidence * 100, 0)}%` : '';
    this.count.classList.toggle('unstable', st.stable === false);
    this.count.title = st.stable === false ? t('unstable') : t('stable');
    if (!showing) return;
    const [fw, fh] = m.frame_size || [this.camera.ingest?.width || 1, this.camera.ingest?.height || 1];
    const scale = Math.min(cw / fw, ch / fh);
    const ox = (cw - fw * scale) / 2;
    const oy = (ch - fh * scale) / 2;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    drawInstances(ctx, (m.instances || []).filter((i) => i.box), (x) => ox + x * scale, (y) => oy + y * scale, scale,
      { masks: localStorage.getItem('pw.masks') !== '0', numbers: localStorage.getItem('pw.numbers') !== '0' });
  }

  close() {
    this.closed = true;
    this.timers.forEach(clearTimeout);
    this.timers.clear();
    this.unsubscribe();
    this.resizer.disconnect();
    this.dropWebrtc();
    this.dropHls();
    this.closeMjpeg();
    this.el.remove();
  }
}

function iceGathered(pc) {
  return new Promise((resolve) => {
    if (pc.iceGatheringState === 'complete') { resolve(); return; }
    pc.addEventListener('icegatheringstatechange', () => { if (pc.iceGatheringState === 'complete') resolve(); });
    setTimeout(resolve, ICE_GATHER_MS);
  });
}

