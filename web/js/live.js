// Live cameras (first step, before live video arrives): the camera list with a state badge in the
// sources column (GET /api/cameras; the section stays hidden while the server has no cameras
// route), and a camera view that shows /api/cameras/{id}/snapshot refreshed about once a second.
import { getOptional } from './api.js';
import { h } from './dom.js';
import { t } from './i18n.js';

const SNAPSHOT_EVERY_MS = 1000;

const camerasOf = (body) => (Array.isArray(body) ? body : body?.cameras || body?.items || []);
const stateOf = (c) => c.state || c.status?.state || c.status || 'unknown';
const stateClass = (s) => (/^(live|running|ok|online|ready|streaming)$/i.test(s) ? 'ok'
  : /^(failed|error|offline|stalled|down)$/i.test(s) ? 'bad' : 'warn');

export class Live {
  /** section: the sources' camera block (hidden when none); list: its <ul>; onPick(camera). */
  constructor({ section, list, navLink, onPick }) {
    this.section = section;
    this.list = list;
    this.navLink = navLink;
    this.onPick = onPick;
    this.cameras = [];
    this.timer = null;
    this.view = null;
  }

  async refresh() {
    const body = await getOptional('/api/cameras').catch(() => null);
    this.available = body !== null;
    this.cameras = camerasOf(body);
    this.section.hidden = this.cameras.length === 0;
    this.list.replaceChildren(...this.cameras.map((c) => {
      const s = stateOf(c);
      return h('li', { class: 'camera', dataset: { id: c.id } },
        h('button', { type: 'button', class: 'pick', onclick: () => this.onPick(c) },
          h('span', { class: 'name' }, c.name || c.id),
          h('span', { class: `badge ${stateClass(s)}` }, s)));
    }));
    if (this.view && this.shown) this.select(this.shown);
    return this.cameras;
  }

  find(id) { return this.cameras.find((c) => c.id === id) || null; }

  select(id) {
    this.shown = id;
    this.list.querySelectorAll('li.camera').forEach((li) => li.classList.toggle('selected', li.dataset.id === id));
  }

  /** Shows a camera's snapshot in container, refreshed until stop(). */
  show(container, camera) {
    this.stop();
    const img = h('img', { class: 'snapshot', alt: camera.name || camera.id });
    const badge = h('span', { class: `badge ${stateClass(stateOf(camera))}` }, stateOf(camera));
    const missing = h('div', { class: 'muted center', hidden: true }, t('no_snapshot'));
    this.view = h('div', { class: 'camera-view' }, img, missing,
      h('div', { class: 'camera-head' }, h('strong', {}, camera.name || camera.id), badge));
    container.append(this.view);
    const load = () => {
      // The next picture is asked for only after the previous one arrived: no pile-up on a slow link.
      img.onload = () => { missing.hidden = true; img.hidden = false; this.timer = setTimeout(load, SNAPSHOT_EVERY_MS); };
      img.onerror = () => { missing.hidden = false; img.hidden = true; this.timer = setTimeout(load, SNAPSHOT_EVERY_MS * 3); };
      img.src = `/api/cameras/${encodeURIComponent(camera.id)}/snapshot?ts=${Date.now()}`;
    };
    load();
  }

  stop() {
    clearTimeout(this.timer);
    this.timer = null;
    this.view?.remove();
    this.view = null;
  }
}
