// The weighing panel: count (the consensus count of the frame on screen, with its confidence and
// stability; the operator may correct it, and the correction is marked), total weight (typed, or
// live from the scale over the WebSocket topic "scale"), average = total / count, and Save, which
// writes the weighing to the journal (POST /api/weighings). Keyboard-first: type the weight, Enter.
import { postJSON, socket, ApiError } from './api.js';
import { h, notify } from './dom.js';
import { t, apply, formatNumber, formatTime, parseNumber, onLangChange } from './i18n.js';

/** The weight a "scale" message carries, in kg, or NaN. */
function scaleKg(msg) {
  const d = msg.reading || msg.data || msg;
  const v = d.kg ?? d.total_kg ?? d.weight_kg ?? d.weight;
  return typeof v === 'number' ? v : NaN;
}

export class WeighingPanel {
  constructor({ el }) {
    this.el = el;
    this.auto = null;        // count_at_time answer for the frame on screen, or null
    this.source = { kind: 'manual' };
    this.sourceName = '';
    this.override = false;
    this.typed = false;      // the operator typed the count: answers for new frames do not replace it
    this.totalFromScale = false;
    this.savedHandlers = new Set();
    this.build();
    this.station.value = localStorage.getItem('pw.station') || '';
    socket.subscribe('scale', (msg) => this.onScale(msg), (m) => /^scale/.test(m.type || ''));
    onLangChange(() => this.render());
    this.render();
  }

  onSaved(fn) { this.savedHandlers.add(fn); }

  build() {
    const field = (labelKey, input, ...extra) =>
      h('label', { class: 'field' }, h('span', { class: 'field-label', 'data-i18n': labelKey }, t(labelKey)), input, ...extra);
    this.sourceEl = h('div', { class: 'w-source muted' });
    this.count = h('input', { id: 'w-count', class: 'big mono', type: 'text', inputmode: 'numeric', autocomplete: 'off' });
    this.countTag = h('span', { class: 'tag' });
    this.countMeta = h('div', { class: 'w-meta' });
    this.resetBtn = h('button', { type: 'button', class: 'linkish', hidden: true, onclick: () => this.resetToAuto() });
    this.total = h('input', { id: 'w-total', class: 'big mono', type: 'text', inputmode: 'decimal', autocomplete: 'off',
      'data-i18n-placeholder': 'weight_hint' });
    this.scaleTag = h('span', { class: 'tag scale', hidden: true });
    this.avg = h('output', { id: 'w-avg', class: 'mono' }, '—');
    this.station = h('input', { id: 'w-station', type: 'text', autocomplete: 'off' });
    this.note = h('input', { id: 'w-note', type: 'text', autocomplete: 'off' });
    this.saveBtn = h('button', { id: 'w-save', type: 'submit', class: 'primary', 'data-i18n': 'save' }, t('save'));
    this.msg = h('div', { class: 'w-msg', role: 'alert' });
    this.form = h('form', { class: 'w-form', novalidate: true, onsubmit: (e) => { e.preventDefault(); this.save(); } },
      this.sourceEl,
      field('count', h('div', { class: 'row' }, this.count, h('span', { class: 'unit', 'data-i18n': 'heads' }, t('heads')), this.countTag)),
      this.countMeta, this.resetBtn,
      field('total_weight', h('div', { class: 'row' }, this.total, h('span', { class: 'unit', 'data-i18n': 'kg' }, t('kg')), this.scaleTag)),
      h('div', { class: 'w-avg' }, h('span', { class: 'field-label', 'data-i18n': 'avg_weight' }, t('avg_weight')),
        h('div', { class: 'row' }, this.avg, h('span', { class: 'unit', 'data-i18n': 'kg' }, t('kg')))),
      h('div', { class: 'two' }, field('station', this.station), field('note', this.note)),
      this.saveBtn, this.msg);
    this.el.replaceChildren(h('h2', { 'data-i18n': 'weighing' }, t('weighing')), this.form);
    this.count.addEventListener('input', () => this.onCountTyped());
    this.total.addEventListener('input', () => { this.totalFromScale = false; this.render(); });
    this.station.addEventListener('change', () => localStorage.setItem('pw.station', this.station.value.trim()));
    apply(this.el);
  }

  /** The count of the frame on screen changed (null: none). */
  setAuto(r) {
    this.auto = r;
    if (!this.typed) this.count.value = r ? String(r.count) : '';
    if (r) this.override = this.typed && parseNumber(this.count.value) !== r.count;
    this.render();
  }

  /** {kind:'video', video_id, t} with a display name, {kind:'camera', camera_id} or {kind:'manual'}. */
  setSource(source, name = '') {
    if (source.kind !== this.source.kind || source.video_id !== this.source.video_id || source.camera_id !== this.source.camera_id) {
      this.override = false;
      this.typed = false;
      this.auto = null;
      this.count.value = '';
    }
    if (source.kind !== 'camera' || source.camera_id !== this.source.camera_id) this.followCamera(source.kind === 'camera' ? source.camera_id : null);
    this.source = source;
    this.sourceName = name;
    this.renderSource();
  }

  /** With a camera source the count follows the camera's consensus (WebSocket topic camera:<id>,
   *  about 5 messages a second); the operator's typed count still wins until "Back to auto". */
  followCamera(cameraId) {
    this.unfollowCamera?.();
    this.unfollowCamera = null;
    if (!cameraId) return;
    this.unfollowCamera = socket.subscribe(`camera:${cameraId}`, (m) => {
      if (m.type === 'camera_state' && m.ingest?.state && m.ingest.state !== 'streaming') this.setAuto(null);
      if (m.type !== 'count' || !m.state) return;
      const s = m.state;
      if (this.auto && this.auto.count === s.count && this.auto.stable === s.stable
        && Math.abs((this.auto.confidence ?? 0) - (s.confidence ?? 0)) < 0.005) return;   // nothing to redraw
      this.setAuto({ count: s.count, raw_count: s.raw_count, confidence: s.confidence, stable: s.stable });
    });
  }

  onCountTyped() {
    const n = parseNumber(this.count.value);
    this.typed = this.count.value.trim() !== '';
    this.override = this.typed && this.auto !== null && n !== this.auto.count;
    this.render();
  }

  resetToAuto() {
    this.override = false;
    this.typed = false;
    this.count.value = this.auto ? String(this.auto.count) : '';
    this.render();
  }

  onScale(msg) {
    const kg = scaleKg(msg);
    if (!Number.isFinite(kg)) return;
    if (document.activeElement === this.total && !this.totalFromScale) return;  // the operator is typing
    if (this.total.value !== '' && !this.totalFromScale) return;
    this.total.value = kg.toFixed(1);
    this.totalFromScale = true;
    const d = msg.reading || msg.data || msg;
    this.scaleStable = d.stable !== false;
    this.render();
  }

  focusWeight() { this.total.focus(); this.total.select(); }

  renderSource() {
    const s = this.source;
    let text = t('source_manual');
    if (s.kind === 'video') text = t('source_video', { name: this.sourceName, t: formatTime(s.t, 2) });
    if (s.kind === 'camera') text = t('source_camera', { id: this.sourceName || s.camera_id });
    this.sourceEl.textContent = `${t('source')}: ${text}`;
  }

  render() {
    this.renderSource();
    const a = this.auto;
    this.count.classList.toggle('override', this.override);
    this.countTag.hidden = !a && !this.override;
    this.countTag.textContent = this.override ? t('override') : t('auto');
    this.countTag.className = `tag ${this.override ? 'override' : 'auto'}`;
    this.resetBtn.hidden = !this.override || !a;
    if (a) this.resetBtn.textContent = t('reset_auto', { n: a.count });
    this.countMeta.replaceChildren();
    if (a) {
      const parts = [];
      if (typeof a.stable === 'boolean') {
        parts.push(h('span', {}, h('span', { class: `dot ${a.stable ? 'ok' : 'warn'}` }), a.stable ? t('stable') : t('unstable')));
      }
      if (a.confidence !== null && a.confidence !== undefined) parts.push(`${t('confidence')} ${formatNumber(a.confidence * 100, 0)}%`);
      if (a.from_index === false) parts.push(t('single_frame'));
      parts.forEach((p, i) => this.countMeta.append(i ? ' · ' : '', p));
    }
    this.scaleTag.hidden = !this.totalFromScale;
    this.scaleTag.textContent = `${t('scale_live')} · ${this.scaleStable === false ? t('unstable') : t('stable')}`;
    this.scaleTag.classList.toggle('warn', this.scaleStable === false);
    const count = parseNumber(this.count.value);
    const total = parseNumber(this.total.value);
    const ok = Number.isInteger(count) && count > 0 && Number.isFinite(total) && total > 0;
    this.avg.value = ok ? formatNumber(total / count, 2) : '—';
    this.avg.dataset.value = ok ? (total / count).toFixed(2) : '';
  }

  showError(message, field) {
    this.msg.textContent = message;
    this.msg.className = 'w-msg error';
    const input = { count: this.count, total_kg: this.total, station: this.station, note: this.note }[field];
    if (input) { input.classList.add('invalid'); input.focus(); input.addEventListener('input', () => input.classList.remove('invalid'), { once: true }); }
  }

  async save() {
    const count = parseNumber(this.count.value);
    const total = parseNumber(this.total.value);
    this.msg.textContent = '';
    if (!Number.isInteger(count) || count <= 0) return this.showError(t('need_count'), 'count');
    if (!Number.isFinite(total) || total <= 0) return this.showError(t('need_weight'), 'total_kg');
    const a = this.auto;
    const body = {
      count, total_kg: total, source: this.source, station: this.station.value.trim() || undefined, note: this.note.value.trim(),
      auto_count: a ? a.count : null, raw_count: a ? a.raw_count ?? null : null, confidence: a ? a.confidence ?? null : null,
    };
    this.saveBtn.disabled = true;
    this.saveBtn.textContent = t('saving');
    try {
      const rec = await postJSON('/api/weighings', body);
      this.msg.textContent = t('saved', { id: rec.id });
      this.msg.className = 'w-msg ok';
      notify(t('saved', { id: rec.id }), 'ok');
      for (const w of rec.warnings || []) notify(typeof w === 'string' ? w : w.message || JSON.stringify(w), 'info', 8000);
      this.total.value = '';
      this.note.value = '';
      this.totalFromScale = false;
      this.resetToAuto();
      this.savedHandlers.forEach((fn) => fn(rec));
    } catch (err) {
      this.showError(t('error', { msg: err.message }), err instanceof ApiError ? err.field : undefined);
    } finally {
      this.saveBtn.disabled = false;
      this.saveBtn.textContent = t('save');
      this.render();
    }
  }
}
