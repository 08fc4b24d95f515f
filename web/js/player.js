// The video player: an HTML5 <video> fed by HLS (native where the browser has it, hls.js from
// /vendor/hls.min.js otherwise), our own controls (play/pause, ±1 frame, ±1 s, speed, jump to
// time, full screen) and keyboard shortcuts. It knows which frame is on screen: every presented
// frame is reported through onFrame(mediaTime) (requestVideoFrameCallback; timeupdate/seeked where
// the browser lacks it), so overlays and the timeline show that frame and no other.
import { h, isTyping } from './dom.js';
import { t, formatTime, parseTime, onLangChange } from './i18n.js';

const SPEEDS = [0.25, 0.5, 1, 1.5, 2, 4];

// Inline icons (fonts on a farm PC may lack media glyphs).
const ICONS = {
  play: 'M8 5v14l11-7z',
  pause: 'M6 5h4v14H6zM14 5h4v14h-4z',
  prev: 'M6 5h2v14H6zM20 5v14L9 12z',
  next: 'M16 5h2v14h-2zM4 5l11 7-11 7z',
  full: 'M4 4h6v2H6v4H4zM14 4h6v6h-2V6h-4zM4 14h2v4h4v2H4zM18 14h2v6h-6v-2h4z',
  go: 'M12 4l-1.4 1.4 5.6 5.6H4v2h12.2l-5.6 5.6L12 20l8-8z',
};

function icon(name) {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('class', 'icon');
  svg.setAttribute('aria-hidden', 'true');
  const path = document.createElementNS('http://www.w3.org/2000/svg', 'path');
  path.setAttribute('d', ICONS[name]);
  svg.append(path);
  return svg;
}
let hlsScript = null;

function loadHlsJs() {
  if (window.Hls) return Promise.resolve(window.Hls);
  hlsScript ??= new Promise((resolve, reject) => {
    const s = h('script', { src: '/vendor/hls.min.js' });
    s.onload = () => resolve(window.Hls);
    s.onerror = () => reject(new Error('hls.js is missing (/vendor/hls.min.js)'));
    document.head.append(s);
  });
  return hlsScript;
}

const useHlsJs = () => new URLSearchParams(location.search).get('hls') === 'js'
  || !document.createElement('video').canPlayType('application/vnd.apple.mpegurl');

export class Player {
  /** stage: the element holding <video> (it goes full screen); controls: the bar to fill. */
  constructor({ stage, video, controls }) {
    this.stage = stage;
    this.video = video;
    this.controlsEl = controls;
    this.fps = 25;
    this.shownTime = NaN;     // mediaTime of the frame on screen
    this.pending = null;      // where a seek is going (seconds), until its frame is on screen
    this.frameHandlers = new Set();
    this.hls = null;
    this.source = null;
    this.buildControls();
    this.watchFrames();
    this.video.addEventListener('play', () => this.syncButtons());
    this.video.addEventListener('pause', () => this.syncButtons());
    this.video.addEventListener('ratechange', () => this.syncButtons());
    this.video.addEventListener('loadedmetadata', () => this.syncButtons());
    onLangChange(() => this.syncButtons());
    this.syncButtons();
  }

  get duration() { return Number.isFinite(this.video.duration) ? this.video.duration : (this.source?.duration || 0); }
  get frameDuration() { return 1 / this.fps; }
  get paused() { return this.video.paused; }

  /** Loads the HLS playlist of a library video ({id, hls, probe}), showing the frame at start s. */
  async load(v, start = 0) {
    this.unload();
    this.source = { id: v.id, duration: v.probe?.duration || 0 };
    this.fps = v.probe?.video?.fps > 0 ? v.probe.video.fps : 25;
    this.stage.classList.add('has-video');
    if (v.probe?.video?.width && v.probe?.video?.height) this.stage.style.aspectRatio = `${v.probe.video.width} / ${v.probe.video.height}`;
    const url = v.hls || `/api/videos/${v.id}/hls/index.m3u8`;
    if (useHlsJs()) {
      const Hls = await loadHlsJs();
      this.hls = new Hls({ maxBufferLength: 10, backBufferLength: 30, startPosition: start });
      this.hls.loadSource(url);
      this.hls.attachMedia(this.video);
    } else {
      this.video.src = url;
      if (start > 0) this.video.addEventListener('loadedmetadata', () => this.seek(start), { once: true });
    }
    if (start > 0) this.pending = start;
    this.syncButtons();
  }

  unload() {
    this.hls?.destroy();
    this.hls = null;
    this.video.removeAttribute('src');
    this.video.load();
    this.source = null;
    this.shownTime = NaN;
    this.stage.classList.remove('has-video');
    this.timeLabel.textContent = '—';
    this.frameLabel.textContent = '';
    this.syncButtons();
  }

  /** fn(mediaTime) for every frame presented (and after each seek). */
  onFrame(fn) { this.frameHandlers.add(fn); }

  /** Reports the frame on screen; settled: a seek in progress, if any, has reached it. */
  emitFrame(mediaTime, settled = !this.video.seeking) {
    this.shownTime = mediaTime;
    if (settled) this.pending = null;
    this.timeLabel.textContent = `${formatTime(mediaTime, 2)} / ${formatTime(this.duration, 1)}`;
    this.frameLabel.textContent = `#${Math.round(mediaTime * this.fps)}`;
    this.frameHandlers.forEach((fn) => fn(mediaTime));
  }

  watchFrames() {
    const v = this.video;
    if ('requestVideoFrameCallback' in HTMLVideoElement.prototype) {
      const tick = (_now, md) => {
        v.requestVideoFrameCallback(tick);   // first: a failing handler must not end the chain
        this.framesSinceSeek += 1;
        this.reseeks = 0;
        this.emitFrame(md.mediaTime);
      };
      v.requestVideoFrameCallback(tick);
      this.framesSinceSeek = 0;
      this.reseeks = 0;
      this.seekSeq = 0;
      v.addEventListener('seeked', () => {
        this.framesSinceSeek = 0;
        // The new frame's callback may have come while the video still said "seeking": tell the
        // listeners again now that the seek is over, so pending marks clear.
        if (Number.isFinite(this.shownTime)) this.emitFrame(this.shownTime, false);
        this.confirmSeek();
      });
    } else {
      const report = () => this.emitFrame(v.currentTime);
      v.addEventListener('timeupdate', report);
      v.addEventListener('seeked', report);
      v.addEventListener('loadeddata', report);
    }
  }

  /**
   * Chromium sometimes presents the frame of a seek made while paused without a video frame
   * callback (seen under load, right after loading). If two animation frames after "seeked" no
   * callback came and the frame reported is not the one at currentTime, seek to the same time
   * again once; if still none, report the frame on the frame-rate grid at currentTime (exact for
   * constant-rate video).
   */
  confirmSeek() {
    const seq = ++this.seekSeq;
    const later = (n, fn) => requestAnimationFrame(() => (n > 1 ? later(n - 1, fn) : fn()));
    later(2, () => {
      const v = this.video;
      if (seq !== this.seekSeq || this.framesSinceSeek > 0 || v.seeking || !this.source) return;
      const expected = Math.floor(v.currentTime * this.fps + 1e-6) / this.fps;
      // Its callback came while the video still said "seeking": that frame is the one sought.
      if (Math.abs(expected - this.shownTime) <= this.frameDuration / 2) { this.emitFrame(this.shownTime, true); return; }
      if (this.reseeks === 0) {
        this.reseeks = 1;
        v.currentTime = v.currentTime;   // seeked fires again and comes back here
        return;
      }
      this.reseeks = 0;
      this.emitFrame(expected);
    });
  }

  seek(sec) {
    if (!this.source) return;
    const max = Math.max(0, this.duration - this.frameDuration / 2);
    this.pending = Math.min(Math.max(0, sec), max);
    this.video.currentTime = this.pending;
  }

  /** Where the picture is or is about to be: a pending seek's target, else the frame on screen. */
  get position() {
    if (this.pending !== null) return this.pending;
    return Number.isFinite(this.shownTime) ? this.shownTime : this.video.currentTime;
  }

  /** Steps n frames from the frame on screen (pauses first). */
  step(n) {
    this.video.pause();
    // Quick presses chain from the frame a pending seek is going to, not the one still shown.
    const base = this.pending !== null ? Math.floor(this.pending * this.fps + 1e-6)
      : Math.round((Number.isFinite(this.shownTime) ? this.shownTime : this.video.currentTime) * this.fps);
    const index = base + n;
    // A quarter frame into the target frame, so rounding never lands on its neighbour.
    this.seek((index + 0.25) / this.fps);
  }

  togglePlay() {
    if (!this.source) return;
    if (this.video.paused) this.video.play().catch(() => {}); else this.video.pause();
  }

  setSpeed(rate) { this.video.playbackRate = rate; }

  changeSpeed(dir) {
    const i = SPEEDS.indexOf(this.video.playbackRate);
    const next = SPEEDS[Math.min(SPEEDS.length - 1, Math.max(0, (i < 0 ? 2 : i) + dir))];
    this.setSpeed(next);
  }

  toggleFullscreen() {
    if (document.fullscreenElement) document.exitFullscreen();
    else this.stage.requestFullscreen?.().catch(() => {});
  }

  buildControls() {
    const btn = (cls, titleKey, label, onclick) =>
      h('button', { type: 'button', class: `ctl ${cls}`, 'data-i18n-title': titleKey, 'data-i18n-aria': titleKey, onclick }, label);
    this.playBtn = btn('play', 'play', icon('play'), () => this.togglePlay());
    this.speedSel = h('select', { class: 'speed', 'data-i18n-title': 'speed', 'data-i18n-aria': 'speed',
      onchange: (e) => this.setSpeed(Number(e.target.value)) },
    SPEEDS.map((s) => h('option', { value: s }, `${s}×`)));
    this.timeLabel = h('span', { class: 'time mono' }, '—');
    this.frameLabel = h('span', { class: 'frame mono' }, '');
    this.jumpInput = h('input', { class: 'jump mono', type: 'text', inputmode: 'decimal', placeholder: '0:00.0',
      'data-i18n-title': 'jump_to', 'data-i18n-aria': 'jump_to', size: 7 });
    const jump = h('form', { class: 'jump-form', onsubmit: (e) => {
      e.preventDefault();
      const sec = parseTime(this.jumpInput.value);
      if (Number.isFinite(sec)) { this.video.pause(); this.seek(sec); this.jumpInput.blur(); }
      else this.jumpInput.classList.add('invalid');
    } }, this.jumpInput, h('button', { type: 'submit', class: 'ctl', 'data-i18n-title': 'go', 'data-i18n-aria': 'go' }, icon('go')));
    this.jumpInput.addEventListener('input', () => this.jumpInput.classList.remove('invalid'));
    this.controlsEl.replaceChildren(
      h('div', { class: 'ctl-group' },
        btn('back1s', 'back_1s', '−1s', () => this.seek(this.position - 1)),
        btn('frame-back', 'frame_back', icon('prev'), () => this.step(-1)),
        this.playBtn,
        btn('frame-fwd', 'frame_fwd', icon('next'), () => this.step(1)),
        btn('fwd1s', 'fwd_1s', '+1s', () => this.seek(this.position + 1))),
      h('div', { class: 'ctl-group' }, this.timeLabel, this.frameLabel),
      h('div', { class: 'ctl-group right' }, jump, this.speedSel,
        btn('fullscreen', 'fullscreen', icon('full'), () => this.toggleFullscreen())),
    );
  }

  syncButtons() {
    const playing = !this.video.paused;
    this.playBtn.replaceChildren(icon(playing ? 'pause' : 'play'));
    this.playBtn.dataset.playing = playing ? '1' : '0';
    this.playBtn.dataset.i18nTitle = playing ? 'pause' : 'play';
    this.playBtn.title = t(this.playBtn.dataset.i18nTitle);
    this.playBtn.setAttribute('aria-label', this.playBtn.title);
    this.speedSel.value = String(this.video.playbackRate);
    this.controlsEl.classList.toggle('inactive', !this.source);
  }

  /** Keyboard shortcuts while the player is on screen; returns true when the key was used. */
  handleKey(ev) {
    if (isTyping(ev) || ev.ctrlKey || ev.metaKey || ev.altKey || !this.source) return false;
    // Space/Enter on a focused button or link is that button's own click.
    if ((ev.code === 'Space' || ev.code === 'Enter') && ev.target.closest?.('button, a, summary')) return false;
    const big = ev.shiftKey ? 10 : 1;
    // Physical keys (ev.code), so the shortcuts work with a Russian layout too.
    switch (ev.code) {
      case 'Space': case 'KeyK': this.togglePlay(); break;
      case 'Comma': this.step(-1); break;
      case 'Period': this.step(1); break;
      case 'ArrowLeft': this.seek(this.position - big); break;
      case 'ArrowRight': this.seek(this.position + big); break;
      case 'BracketLeft': this.changeSpeed(-1); break;
      case 'BracketRight': this.changeSpeed(1); break;
      case 'KeyF': this.toggleFullscreen(); break;
      case 'KeyG': this.jumpInput.focus(); this.jumpInput.select(); break;
      default: return false;
    }
    return true;
  }
}
