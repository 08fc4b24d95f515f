// The operator's page: wires the feature modules together and routes between the workspace
// (sources, player with overlays and timeline, weighing panel) and the journal.
//   #/                    workspace
//   #/video/<id>?t=12.5   workspace with a video, at a time
//   #/camera/<id>         workspace with a camera
//   #/journal             the journal
//   #/admin               users and API tokens (admins)
import { currentUser } from './js/auth.js';  // first: the page starts once the user is signed in
import { getJSON, socket } from './js/api.js';
import { $ } from './js/dom.js';
import { apply, currentLang, setLang, onLangChange, t } from './js/i18n.js';
import { Player } from './js/player.js';
import { Overlay } from './js/overlay.js';
import { Timeline } from './js/timeline.js';
import { WeighingPanel } from './js/weighing.js';
import { Sources } from './js/sources.js';
import { Live } from './js/live.js';
import { Journal } from './js/journal.js';
import { Admin } from './js/admin.js';

apply();
const langSel = $('#lang');
langSel.value = currentLang();
langSel.addEventListener('change', () => setLang(langSel.value));

const current = { video: null, camera: null, unwatch: null };  // what the workspace shows
const stage = $('#stage');
const player = new Player({ stage, video: $('#video'), controls: $('#controls') });
const overlay = new Overlay({ player, canvas: $('#overlay'), status: $('#overlay-status'), badge: $('#count-badge') });
const timeline = new Timeline({ el: $('#timeline'), player, preview: $('#scrub-preview') });
const weighing = new WeighingPanel({ el: $('#weighing') });
const journal = new Journal({ el: $('#view-journal') });
const admin = new Admin({ el: $('#view-admin') });
const sources = new Sources({
  list: $('#video-list'), uploads: $('#uploads'), uploadButton: $('#upload-btn'), fileInput: $('#upload-input'),
  dropTarget: document.body, onPick: (v) => { location.hash = `#/video/${v.id}`; },
  onRefresh: (videos) => {
    // Thumbnails that became ready while the page was not yet listening.
    const v = current.video && videos.find((x) => x.id === current.video.id);
    if (v?.status?.thumbnails === 'ready' && !timeline.tiles.length) timeline.reloadThumbnails();
  },
});
const live = new Live({
  section: $('#cameras-section'), list: $('#camera-list'), onPick: (c) => { location.hash = `#/camera/${encodeURIComponent(c.id)}`; },
});
apply();
window.pw = { player, overlay, timeline, weighing, sources, journal, admin };   // for the console and tests

// --- overlays and weighing follow the frame on screen
overlay.onCount((r) => weighing.setAuto(r));
player.onFrame((mt) => {
  if (current.video) weighing.setSource({ kind: 'video', video_id: current.video.id, t: Number(mt.toFixed(3)) }, current.video.name);
});
for (const [id, get, set] of [['#toggle-masks', () => overlay.showMasks, (v) => overlay.setMasks(v)],
  ['#toggle-numbers', () => overlay.showNumbers, (v) => overlay.setNumbers(v)]]) {
  const box = $(id);
  box.checked = get();
  box.addEventListener('change', () => set(box.checked));
}
weighing.onSaved(() => { if (!$('#view-journal').hidden) journal.load(); });

// --- what the workspace shows

async function showVideo(id, sec) {
  live.stop();
  live.select(null);
  $('#stage-message').hidden = true;
  current.camera = null;
  stage.classList.remove('has-camera');
  $('#player-card').classList.remove('camera-mode');
  if (current.video?.id !== id) {
    let v = sources.find(id);
    if (!v) v = await getJSON(`/api/videos/${id}`).catch(() => null);
    if (!v) { location.hash = '#/'; return; }
    current.video = v;
    current.unwatch?.();
    let pending = null;
    current.unwatch = socket.subscribe(`video:${id}`, (msg) => {
      if (msg.type === 'thumbnails') { if (msg.state === 'ready') timeline.reloadThumbnails(); return; }
      if (msg.type === 'index_progress') timeline.showIndex(msg);
      // Indexing progress: fetch the count graph again, at most every 2 s (and once when done).
      if (msg.state === 'done') { clearTimeout(pending); pending = null; timeline.reloadCounts(); return; }
      pending ??= setTimeout(() => { pending = null; timeline.reloadCounts(); }, 2000);
    });
    sources.select(id);
    overlay.reset(id);
    if (v.status?.playable === false) {
      // H.265 and the like: stored and counted, but the browser cannot show them.
      player.unload();
      $('#stage-message').hidden = false;
      $('#stage-message').textContent = `${v.name}: ${t('not_playable')}${v.status.playable_reason ? ` (${v.status.playable_reason})` : ''}`;
      timeline.load(v);
      return;
    }
    await player.load(v, Number.isFinite(sec) ? sec : 0);
    timeline.load(v);
    if (window.matchMedia('(max-width: 760px)').matches) $('#player-card').scrollIntoView({ block: 'start' });
    return;
  }
  if (Number.isFinite(sec)) {
    const go = () => player.seek(sec);
    if (player.video.readyState >= 1) go(); else player.video.addEventListener('loadedmetadata', go, { once: true });
  }
}

function showCamera(id) {
  const cam = live.find(id);
  if (!cam) { location.hash = '#/'; return; }
  player.unload();
  overlay.reset(null);
  current.video = null;
  current.camera = cam;
  sources.select(null);
  live.select(cam.id);
  stage.classList.add('has-camera');
  $('#player-card').classList.add('camera-mode');
  live.show($('#camera-holder'), cam);
  weighing.setSource({ kind: 'camera', camera_id: cam.id }, cam.name || cam.id);
}

function route() {
  const [path, q] = location.hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter(Boolean);
  const params = new URLSearchParams(q || '');
  if (parts[0] === 'admin' && currentUser()?.role !== 'admin') { location.hash = '#/'; return; }
  const view = ['journal', 'admin'].includes(parts[0]) ? parts[0] : 'work';
  $('#view-work').hidden = view !== 'work';
  $('#view-journal').hidden = view !== 'journal';
  $('#view-admin').hidden = view !== 'admin';
  document.querySelectorAll('#nav a').forEach((a) => a.classList.toggle('active', a.dataset.view === view));
  if (view === 'journal') { player.video.pause(); journal.load(); return; }
  if (view === 'admin') { player.video.pause(); admin.open(); return; }
  if (parts[0] === 'video' && parts[1]) showVideo(decodeURIComponent(parts[1]), Number(params.get('t') ?? NaN));
  else if (parts[0] === 'camera' && parts[1]) showCamera(decodeURIComponent(parts[1]));
}
window.addEventListener('hashchange', route);

// --- keyboard
document.addEventListener('keydown', (ev) => {
  if ($('#view-work').hidden || document.querySelector('dialog[open]')) return;
  if (player.handleKey(ev)) { ev.preventDefault(); return; }
  const typing = ['INPUT', 'TEXTAREA', 'SELECT'].includes(ev.target.tagName);
  if (typing && ev.key === 'Escape') { ev.target.blur(); return; }   // back to the player's keys
  if (typing || ev.ctrlKey || ev.metaKey || ev.altKey) return;
  const toggles = { KeyM: '#toggle-masks', KeyN: '#toggle-numbers' };
  if (toggles[ev.code]) { $(toggles[ev.code]).click(); ev.preventDefault(); }
  else if (ev.code === 'KeyW') { weighing.focusWeight(); ev.preventDefault(); }
  else if (ev.key === '?') { $('#help').showModal(); ev.preventDefault(); }
});
$('#help-btn').addEventListener('click', () => $('#help').showModal());

// --- server state
function showConnection(s) {
  const conn = $('#conn');
  conn.textContent = t(s);
  conn.dataset.state = s;
  conn.className = `badge ${s === 'online' ? 'ok' : 'bad'}`;
}
socket.onState(showConnection);
onLangChange(() => { if ($('#conn').dataset.state) showConnection($('#conn').dataset.state); });
socket.subscribe('server', () => {});
socket.start();

async function loadStatus() {
  const res = await fetch('/readyz');
  const body = await res.json();
  const list = $('#components');
  list.replaceChildren(...Object.entries(body.components || {}).map(([name, c]) => {
    const li = document.createElement('li');
    li.textContent = `${name}: ${c.state}${c.detail ? ` — ${c.detail}` : ''}`;
    li.className = c.state;
    return li;
  }));
  const v = await getJSON('/api/version');
  $('#version').textContent = `${v.name} ${v.version}`;
}

loadStatus().catch(() => {});
// Videos added elsewhere (another operator, `pigweight library add`) appear when the page is looked at again.
document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'visible') sources.refresh().catch(() => {}); });
Promise.all([sources.refresh().catch(() => {}), live.refresh()]).then(() => {
  route();
  // Camera states change on their own; ask again while the server has a cameras route.
  setInterval(() => { if (live.available && document.visibilityState === 'visible') live.refresh(); }, 5000);
});
