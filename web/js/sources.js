// The sources column: the video library (name, duration, size, state; GET /api/videos), uploads
// (button, drag and drop anywhere on the page, progress rows) and, when the server has cameras,
// the camera list (live.js fills it).
import { getJSON, socket } from './api.js';
import { h, notify } from './dom.js';
import { t, formatTime, onLangChange } from './i18n.js';
import { Upload, uploadRow } from './upload.js';

export class Sources {
  /** onPick(video) when the operator picks a video. */
  constructor({ list, uploads, uploadButton, fileInput, dropTarget, onPick, onRefresh }) {
    this.list = list;
    this.onRefresh = onRefresh || (() => {});
    this.uploadsEl = uploads;
    this.onPick = onPick;
    this.videos = [];
    this.selectedId = null;
    this.watched = new Map();  // video id -> unsubscribe, while its thumbnails are being built
    uploadButton.addEventListener('click', () => fileInput.click());
    fileInput.addEventListener('change', () => {
      [...fileInput.files].forEach((f) => this.upload(f));
      fileInput.value = '';
    });
    this.setupDrop(dropTarget);
    onLangChange(() => this.render());
  }

  setupDrop(target) {
    let depth = 0;
    const hasFiles = (e) => [...(e.dataTransfer?.types || [])].includes('Files');
    target.addEventListener('dragenter', (e) => { if (hasFiles(e)) { depth += 1; document.body.classList.add('dropping'); } });
    target.addEventListener('dragleave', () => { depth = Math.max(0, depth - 1); if (!depth) document.body.classList.remove('dropping'); });
    target.addEventListener('dragover', (e) => { if (hasFiles(e)) e.preventDefault(); });
    target.addEventListener('drop', (e) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth = 0;
      document.body.classList.remove('dropping');
      [...e.dataTransfer.files].forEach((f) => this.upload(f));
    });
  }

  upload(file) {
    const up = new Upload(file);
    this.uploadsEl.append(uploadRow(up, async (video) => {
      notify(t('upload_done', { name: file.name }), 'ok');
      await this.refresh();
      if (video?.id) this.onPick(this.videos.find((v) => v.id === video.id) || video);
    }));
    up.start().catch((err) => { if (!up.cancelled) notify(t('upload_failed', { msg: err.message }), 'error'); });
    return up;
  }

  async refresh() {
    const body = await getJSON('/api/videos');
    this.videos = body.videos || [];
    this.render();
    for (const v of this.videos) if (v.status?.thumbnails === 'building') this.watch(v.id);
    this.onRefresh(this.videos);
    return this.videos;
  }

  /** Follows a video's thumbnail progress over the WebSocket and refreshes when it is done. */
  watch(id) {
    if (this.watched.has(id)) return;
    this.watched.set(id, socket.subscribe(`video:${id}`, (msg) => {
      if (msg.type === 'thumbnails' && msg.state === 'ready') {
        this.watched.get(id)?.();
        this.watched.delete(id);
        this.refresh();
      }
    }));
  }

  find(id) { return this.videos.find((v) => v.id === id) || null; }

  select(id) {
    this.selectedId = id;
    this.list.querySelectorAll('li.video').forEach((li) => li.classList.toggle('selected', li.dataset.id === id));
  }

  render() {
    if (!this.videos.length) {
      this.list.replaceChildren(h('li', { class: 'empty muted' }, t('no_videos')));
      return;
    }
    this.list.replaceChildren(...this.videos.map((v) => {
      const p = v.probe || {};
      const vid = p.video || {};
      const notes = [];
      if (v.status?.playable === false) notes.push(h('span', { class: 'tag warn' }, t('not_playable')));
      if (v.status?.thumbnails === 'building') notes.push(h('span', { class: 'tag' }, t('thumbs_building')));
      return h('li', { class: `video${v.id === this.selectedId ? ' selected' : ''}`, dataset: { id: v.id } },
        h('button', { type: 'button', class: 'pick', onclick: () => this.onPick(v), title: v.path || v.name },
          h('span', { class: 'name' }, v.name || v.id),
          h('span', { class: 'meta mono' }, formatTime(p.duration || 0, 0),
            vid.width ? ` · ${vid.width}×${vid.height}` : '', vid.fps ? ` · ${Math.round(vid.fps * 100) / 100} fps` : ''),
          notes.length ? h('span', { class: 'notes' }, notes) : null));
    }));
  }
}
