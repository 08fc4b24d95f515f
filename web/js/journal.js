// The weighing journal: a table of weighings (date, station, count, total, average, note,
// evidence) filtered by date and station (GET /api/weighings), a CSV export link, and a record
// view (GET /api/weighings/{id}) with its evidence image, a link to its video moment, amendment
// (PATCH, the server keeps the history, shown below it) and soft deletion.
import { getJSON, patchJSON, del, query, socket, ApiError } from './api.js';
import { h, notify } from './dom.js';
import { t, apply, formatNumber, formatDateTime, formatTime, parseNumber, onLangChange } from './i18n.js';

const PAGE = 50;

const kg = (x) => (x === null || x === undefined ? '—' : formatNumber(x, 2));

const FIELD_LABELS = { count: 'count', total_kg: 'total_weight', avg_kg: 'avg_weight', station: 'station', note: 'note' };

/** One history entry's old values in words: "было: Общий вес 251,5; …". */
function describeChange(fields) {
  return `${t('was')}: ${Object.entries(fields || {}).map(([k, v]) => {
    const shown = typeof v === 'number' && !Number.isInteger(v) ? formatNumber(v, 2) : (v ?? '—');
    return `${FIELD_LABELS[k] ? t(FIELD_LABELS[k]) : k} ${shown === '' ? '—' : shown}`;
  }).join('; ')}`;
}

/** Where a journal record came from, in words, and the link to its video moment if any. */
function describeSource(s, videoNames) {
  if (!s) return { text: '—', href: null };
  if (s.kind === 'video') return { text: t('source_video', { name: videoNames.get(s.video_id) || s.video_name || s.video_id, t: formatTime(s.t ?? 0, 2) }),
    href: `#/video/${encodeURIComponent(s.video_id)}?t=${s.t ?? 0}` };
  if (s.kind === 'camera') return { text: t('source_camera', { id: s.camera_id }), href: null };
  return { text: t('source_manual'), href: null };
}

export class Journal {
  constructor({ el }) {
    this.el = el;
    this.offset = 0;
    this.videoNames = new Map();   // video id -> file name, for the record view
    this.build();
    onLangChange(() => { if (this.items) this.renderRows(this.items, this.total); });
    // Weighings saved or amended elsewhere (another operator, the scale) show up at once.
    let pending = null;
    socket.subscribe('weighings', () => {
      if (this.el.hidden) return;
      pending ??= setTimeout(() => { pending = null; this.load(); }, 300);
    });
  }

  build() {
    this.from = h('input', { type: 'date', id: 'j-from' });
    this.to = h('input', { type: 'date', id: 'j-to' });
    this.station = h('input', { type: 'text', id: 'j-station', list: 'j-stations', 'data-i18n-placeholder': 'all_stations' });
    this.showDeleted = h('input', { type: 'checkbox', id: 'j-deleted', onchange: () => { this.offset = 0; this.load(); } });
    this.stations = h('datalist', { id: 'j-stations' });
    this.csv = h('a', { class: 'button', id: 'j-csv', download: '', 'data-i18n': 'export_csv' }, t('export_csv'));
    const field = (key, input) => h('label', { class: 'field' }, h('span', { class: 'field-label', 'data-i18n': key }, t(key)), input);
    const filters = h('form', { class: 'filters', onsubmit: (e) => { e.preventDefault(); this.offset = 0; this.load(); } },
      field('from', this.from), field('to', this.to), field('station', this.station), this.stations,
      h('label', { class: 'check' }, this.showDeleted, h('span', { 'data-i18n': 'show_deleted' }, t('show_deleted'))),
      h('button', { type: 'submit', class: 'primary', 'data-i18n': 'apply' }, t('apply')), h('span', { class: 'spacer' }), this.csv);
    this.tbody = h('tbody');
    const th = (key, cls) => h('th', { class: cls, 'data-i18n': key }, t(key));
    this.table = h('table', { class: 'journal-table' },
      h('thead', {}, h('tr', {}, th('date'), th('station'), th('count', 'num'), th('total_weight', 'num'),
        th('avg_weight', 'num'), th('note'), th('evidence'))),
      this.tbody);
    this.message = h('div', { class: 'muted j-message' });
    this.pager = h('div', { class: 'pager' });
    this.dialog = h('dialog', { class: 'record', id: 'j-record' });
    this.el.replaceChildren(h('div', { class: 'card journal' },
      h('h2', { 'data-i18n': 'journal' }, t('journal')), filters,
      h('div', { class: 'table-wrap' }, this.table), this.message, this.pager), this.dialog);
    apply(this.el);
  }

  filters() {
    return { from: this.from.value, to: this.to.value, station: this.station.value.trim() };
  }

  async load() {
    const f = this.filters();
    this.csv.href = `/api/weighings.csv${query({ sep: ';', ...f })}`;
    try {
      const deleted = this.showDeleted.checked ? 1 : undefined;
      const body = await getJSON(`/api/weighings${query({ ...f, deleted, limit: PAGE, offset: this.offset })}`);
      this.items = body.items || [];
      this.total = body.total ?? this.items.length;
      this.renderRows(this.items, this.total);
    } catch (err) {
      this.items = null;
      this.tbody.replaceChildren();
      this.pager.replaceChildren();
      this.message.textContent = t('journal_unavailable', { msg: err.message });
    }
  }

  renderRows(items, total) {
    const seen = new Set([...this.stations.options].map((o) => o.value));
    for (const r of items) if (r.station && !seen.has(r.station)) { seen.add(r.station); this.stations.append(h('option', { value: r.station })); }
    this.tbody.replaceChildren(...items.map((r) => h('tr', {
      class: r.deleted ? 'deleted' : '', dataset: { id: r.id }, tabindex: 0,
      onclick: () => this.open(r.id), onkeydown: (e) => { if (e.key === 'Enter') this.open(r.id); },
    },
    h('td', { class: 'mono' }, formatDateTime(r.created_utc)),
    h('td', {}, r.station || '—'),
    h('td', { class: 'num mono' }, String(r.count), r.override ? h('span', { class: 'tag override', title: t('override') }, '✎') : null),
    h('td', { class: 'num mono' }, kg(r.total_kg)),
    h('td', { class: 'num mono' }, kg(r.avg_kg)),
    h('td', { class: 'note' }, r.deleted ? h('span', { class: 'tag warn' }, t('deleted')) : null, r.note || ''),
    h('td', {}, r.evidence_url ? h('img', { class: 'evidence-thumb', src: r.evidence_url, alt: '', loading: 'lazy' }) : '—'))));
    this.message.textContent = items.length ? t('total_records', { n: total }) : t('journal_empty');
    const prev = h('button', { type: 'button', disabled: this.offset === 0, onclick: () => { this.offset = Math.max(0, this.offset - PAGE); this.load(); } }, t('prev'));
    const next = h('button', { type: 'button', disabled: this.offset + PAGE >= total, onclick: () => { this.offset += PAGE; this.load(); } }, t('next'));
    this.pager.replaceChildren(...(total > PAGE ? [prev, next] : []));
  }


  async open(id) {
    let rec;
    try {
      rec = await getJSON(`/api/weighings/${id}`);
      if (rec.source?.kind === 'video' && !this.videoNames.has(rec.source.video_id)) {
        const body = await getJSON('/api/videos').catch(() => ({ videos: [] }));
        for (const v of body.videos || []) this.videoNames.set(v.id, v.name);
      }
    } catch (err) {
      notify(t('error', { msg: err.message }), 'error');
      return;
    }
    this.renderRecord(rec);
    if (!this.dialog.open) this.dialog.showModal();
  }

  renderRecord(rec) {
    const src = describeSource(rec.source, this.videoNames);
    const count = h('input', { type: 'text', inputmode: 'numeric', value: rec.count, name: 'count' });
    const total = h('input', { type: 'text', inputmode: 'decimal', value: rec.total_kg, name: 'total_kg' });
    const station = h('input', { type: 'text', value: rec.station || '', name: 'station' });
    const note = h('input', { type: 'text', value: rec.note || '', name: 'note' });
    const msg = h('div', { class: 'w-msg', role: 'alert' });
    const field = (key, input) => h('label', { class: 'field' }, h('span', { class: 'field-label' }, t(key)), input);
    const form = h('form', { class: 'amend', onsubmit: async (e) => {
      e.preventDefault();
      const patch = {};
      const n = parseNumber(count.value);
      const kgv = parseNumber(total.value);
      if (n !== rec.count) patch.count = n;
      if (kgv !== rec.total_kg) patch.total_kg = kgv;
      if (station.value.trim() !== (rec.station || '')) patch.station = station.value.trim();
      if (note.value.trim() !== (rec.note || '')) patch.note = note.value.trim();
      if (!Object.keys(patch).length) return;
      try {
        const updated = await patchJSON(`/api/weighings/${rec.id}`, patch);
        this.renderRecord(updated);
        this.load();
      } catch (err) {
        msg.textContent = t('error', { msg: err.message });
        msg.className = 'w-msg error';
        if (err instanceof ApiError && err.field) form.querySelector(`[name="${err.field}"]`)?.classList.add('invalid');
      }
    } },
    h('div', { class: 'two' }, field('count', count), field('total_weight', total)),
    h('div', { class: 'two' }, field('station', station), field('note', note)),
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'primary' }, t('amend')),
      rec.deleted ? null : h('button', { type: 'button', class: 'danger', onclick: () => this.remove(rec) }, t('delete'))),
    msg);
    const history = (rec.history || []).slice().reverse();
    this.dialog.replaceChildren(
      h('div', { class: 'record-head' }, h('h3', {}, t('record', { id: rec.id }), rec.deleted ? h('span', { class: 'tag warn' }, t('deleted')) : null),
        h('button', { type: 'button', class: 'linkish', onclick: () => this.dialog.close() }, t('close'))),
      h('div', { class: 'record-body' },
        rec.evidence_url ? h('img', { class: 'evidence', src: rec.evidence_url, alt: t('evidence') }) : h('div', { class: 'evidence none muted' }, '—'),
        h('div', {},
          h('dl', { class: 'facts' },
            h('dt', {}, t('date')), h('dd', {}, formatDateTime(rec.created_utc), rec.created_local ? h('div', { class: 'muted mono' }, rec.created_local) : null),
            h('dt', {}, t('source')), h('dd', {}, src.text, src.href ? h('div', {}, h('a', { href: src.href, onclick: () => this.dialog.close() }, t('open_moment'))) : null),
            h('dt', {}, t('count')), h('dd', { class: 'mono' }, String(rec.count),
              rec.auto_count !== null && rec.auto_count !== undefined ? ` (${t('auto')}: ${rec.auto_count})` : '',
              rec.override ? h('span', { class: 'tag override' }, t('override')) : null),
            h('dt', {}, t('total_weight')), h('dd', { class: 'mono' }, `${kg(rec.total_kg)} ${t('kg')}`),
            h('dt', {}, t('avg_weight')), h('dd', { class: 'mono' }, `${kg(rec.avg_kg)} ${t('kg')}`),
            rec.confidence !== null && rec.confidence !== undefined
              ? [h('dt', {}, t('confidence')), h('dd', { class: 'mono' }, `${formatNumber(rec.confidence * 100, 0)}%`)] : null),
          form)),
      h('h4', {}, t('history')),
      history.length ? h('ol', { class: 'history' }, history.map((e) => h('li', {},
        h('span', { class: 'mono' }, `${t('revision', { n: e.revision })} · ${formatDateTime(e.changed_utc)}`), ' — ',
        describeChange(e.fields))))
        : h('p', { class: 'muted' }, t('no_history')));
  }

  async remove(rec) {
    if (!confirm(t('confirm_delete', { id: rec.id }))) return;
    try {
      await del(`/api/weighings/${rec.id}`);
      this.dialog.close();
      this.load();
    } catch (err) {
      notify(t('error', { msg: err.message }), 'error');
    }
  }
}
