// The operator's live camera view against a real RTSP test camera (pw_rtsp_test_server playing a
// generated weighing video) and the real server: the camera is listed as streaming, the view shows
// the live picture (MJPEG, or WebRTC once the server has WHEP) with an overlay whose count is the
// count of a count message of the camera's WebSocket topic, a weighing saved from the camera is
// in the journal with the camera as its source, a killed camera is shown as down with its error
// and comes back when restarted on the same port, and a phone-sized screen stays one column.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, launchBrowser, artifactsDir, ensureVendor, makeVideo, watchConsole } from './harness.mjs';

function rtspServerBinary() {
  if (process.env.PW_RTSP_SERVER) return process.env.PW_RTSP_SERVER;
  const build = path.resolve(path.dirname(process.env.PW_BIN || '.'), '../..');   // <build>/src/app/pigweight
  return path.join(build, 'tools/rtsp-test-server/pw_rtsp_test_server');
}

/** Starts bin and waits for the line that re matches on its output; resolves {proc, match}. */
async function spawnUntil(bin, args, re, env = {}) {
  const proc = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let out = '';
  const match = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${path.basename(bin)} did not start: ${out}`)), 15000);
    const onData = (d) => {
      out += d;
      const m = re.exec(out);
      if (m) { clearTimeout(timer); resolve(m); }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`${path.basename(bin)} exited ${code}: ${out}`)); });
  });
  const kill = async (signal = 'SIGTERM') => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill(signal);
    await exited;
  };
  return { proc, match, kill };
}

/** Starts the RTSP test camera playing file (on port, or an ephemeral one). */
async function startCamera(file, port = 0) {
  const { match, kill } = await spawnUntil(rtspServerBinary(), ['--port', String(port), '--file', file], /PORT (\d+)/);
  const bound = Number(match[1]);
  return { port: bound, url: `rtsp://127.0.0.1:${bound}/cam`, kill };
}

const shot = (page, name) => page.screenshot({ path: path.join(artifactsDir, name) });
const badgeState = (page) => page.locator('.camera-view .cam-state').getAttribute('data-state');

let clip;
let camera;
let server;
let browser;
let page;
let con;

before(async () => {
  if (!existsSync(rtspServerBinary())) return;
  ensureVendor();
  clip = makeVideo({ seconds: 20, fps: 10, count: 8, seed: 11 });
  camera = await startCamera(clip.file);
  server = await startServer([], { CAM_URL: camera.url, AUTO_START_CAM: '1', PRELOAD_MODEL: '1', RTSP_BACKOFF_MAX_S: '1' });
  browser = await launchBrowser();
  page = await browser.newPage({ locale: 'ru-RU', viewport: { width: 1366, height: 850 } });
  con = watchConsole(page);
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await camera?.kill();
  clip?.cleanup();
});

test('the camera is listed as streaming and its view shows the live picture with the newest count drawn over it', async (t) => {
  if (!camera) { t.skip('pw_rtsp_test_server is not built'); return; }
  await page.goto(server.url('/'));
  // Every count message of the camera's topic, by its wall clock, seen by a second client.
  await page.evaluate(() => new Promise((resolve) => {
    window.__counts = {};
    const ws = new WebSocket(`ws://${location.host}/ws`);
    ws.onopen = () => { ws.send(JSON.stringify({ op: 'subscribe', topics: ['camera:cam1'] })); resolve(); };
    ws.onmessage = (e) => {
      const m = JSON.parse(e.data);
      if (m.type === 'count' && m.camera === 'cam1') window.__counts[m.wall_ms] = m.state.count;
    };
  }));
  const listed = page.locator('#camera-list li.camera[data-id="cam1"] .badge');
  await page.waitForFunction(() => document.querySelector('#camera-list li.camera[data-id="cam1"] .badge')?.dataset.state === 'streaming',
    null, { timeout: 30000 });
  assert.equal(await listed.innerText(), 'в эфире');

  await page.click('#camera-list li.camera[data-id="cam1"] .pick');
  await page.waitForFunction(() => ['mjpeg', 'webrtc'].includes(document.querySelector('.camera-view')?.dataset.transport),
    null, { timeout: 30000 });
  const transport = await page.locator('.camera-view').getAttribute('data-transport');
  if (transport === 'mjpeg') {
    assert.match(await page.locator('.camera-view .live-picture').getAttribute('src'), /\/api\/cameras\/cam1\/mjpeg/);
    assert.ok(await page.locator('.camera-view .live-picture').evaluate((img) => img.naturalWidth) > 0);
  } else {
    assert.ok(await page.locator('.camera-view .live-video').evaluate((v) => v.videoWidth) > 0);
  }
  assert.equal(await page.locator('.camera-view .cam-transport').innerText(), transport === 'mjpeg' ? 'MJPEG' : 'WebRTC');
  assert.equal(await badgeState(page), 'streaming');
  assert.ok(await page.locator('.camera-view .cam-error').isHidden());

  // The overlay draws a count message that the second client also received, with its count.
  await page.waitForFunction(() => {
    const c = document.querySelector('.camera-view .live-overlay');
    return c?.dataset.wallMs && window.__counts[c.dataset.wallMs] !== undefined;
  }, null, { timeout: 30000 });
  const drawn = await page.evaluate(() => {
    const c = document.querySelector('.camera-view .live-overlay');
    return { count: Number(c.dataset.count), expected: window.__counts[c.dataset.wallMs],
      badge: document.querySelector('.camera-view .live-count .n').textContent };
  });
  assert.equal(drawn.count, drawn.expected);
  assert.ok(drawn.count > 0, 'the generated pen has pigs in it');
  await shot(page, 'live-camera.png');
  assert.deepEqual(con.problems(), []);
});

test('a weighing saved from the camera follows its count and is in the journal with the camera as source', async (t) => {
  if (!camera) { t.skip('pw_rtsp_test_server is not built'); return; }
  await page.goto(server.url('/#/camera/cam1'));
  await page.waitForFunction(() => Number(document.querySelector('#w-count').value) > 0, null, { timeout: 30000 });
  assert.match(await page.locator('.w-source').innerText(), /камера/);
  assert.match(await page.locator('.w-meta').innerText(), /уверенность \d+%/);
  assert.equal(await page.locator('.w-form .tag.auto').innerText(), 'авто');
  await page.click('#w-total');
  await page.keyboard.type('412,5');
  await shot(page, 'live-weighing.png');
  await page.keyboard.press('Enter');
  await page.waitForSelector('.w-msg.ok', { timeout: 30000 });
  const list = await (await fetch(server.url('/api/weighings'))).json();
  const rec = (list.items || list.weighings || list)[0];
  assert.equal(rec.source.kind, 'camera');
  assert.equal(rec.source.camera_id, 'cam1');
  assert.equal(rec.total_kg, 412.5);

  await page.click('#nav a[data-view=journal]');
  await page.locator('.journal-table tbody tr').first().waitFor();
  assert.equal(await page.locator('.journal-table tbody tr').count(), 1);
  await page.locator('.journal-table tbody tr').first().click();
  await page.locator('dialog[open]').waitFor();
  assert.match(await page.locator('dialog[open]').innerText(), /камера cam1/);
  await shot(page, 'live-journal-record.png');
  assert.deepEqual(con.problems(), []);
});

test('a killed camera is shown as down with its error, and streams again when restarted on the same port', async (t) => {
  if (!camera) { t.skip('pw_rtsp_test_server is not built'); return; }
  await page.goto(server.url('/#/camera/cam1'));
  await page.waitForFunction(() => document.querySelector('.camera-view .cam-state')?.dataset.state === 'streaming', null, { timeout: 30000 });
  const port = camera.port;
  await camera.kill('SIGKILL');
  await page.waitForFunction(() => {
    const s = document.querySelector('.camera-view .cam-state')?.dataset.state;
    return s && s !== 'streaming' && s !== 'connecting' && !document.querySelector('.camera-view .cam-error').hidden;
  }, null, { timeout: 60000 });
  // The sources list says the same at once (not only at its next refresh).
  await page.waitForFunction(() => document.querySelector('#camera-list li.camera[data-id="cam1"] .badge').dataset.state
    === document.querySelector('.camera-view .cam-state').dataset.state, null, { timeout: 30000 });
  const error = await page.locator('.camera-view .cam-error').innerText();
  assert.match(error, /Камера не передаёт видео/);
  assert.match(error, /последняя ошибка: \S+/);
  assert.doesNotMatch(error, /причина неизвестна/, 'the server gave a reason');
  await shot(page, 'live-camera-down.png');

  camera = await startCamera(clip.file, port);
  await page.waitForFunction(() => document.querySelector('.camera-view .cam-state')?.dataset.state === 'streaming', null, { timeout: 60000 });
  assert.ok(await page.locator('.camera-view .cam-error').isHidden());
  // The picture comes back too: a fresh MJPEG stream (or WebRTC) with a frame in it.
  await page.waitForFunction(() => {
    const v = document.querySelector('.camera-view');
    if (v.dataset.transport === 'webrtc') return v.querySelector('.live-video').videoWidth > 0;
    const img = v.querySelector('.live-picture');
    return v.dataset.transport === 'mjpeg' && /mjpeg/.test(img.src) && img.naturalWidth > 0;
  }, null, { timeout: 30000 });
  await page.waitForFunction(() => document.querySelector('.camera-view .live-overlay').dataset.count !== '', null, { timeout: 30000 });
  await shot(page, 'live-camera-back.png');
});

/** The WHEP test server (the WHEP part of serve alone, from tests/webrtc) while serve has no WHEP route. */
function whepServerBinary() {
  if (process.env.PW_WHEP_TEST_SERVER) return process.env.PW_WHEP_TEST_SERVER;
  return path.resolve(path.dirname(process.env.PW_BIN || '.'), '../../tests/webrtc/pw_whep_test_server');
}

test('a failed WHEP attempt shows a fallback (HLS or MJPEG), and a later retry that works moves the view to WebRTC for good', async (t) => {
  if (!camera) { t.skip('pw_rtsp_test_server is not built'); return; }
  const res = await fetch(server.url('/api/cameras/cam1/whep'), { method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: 'v=0' });
  const serveHasWhep = !(res.status === 404 && /no route/.test((await res.json().catch(() => ({})))?.error?.message || ''));
  let whep = null;
  if (!serveHasWhep) {
    if (!existsSync(whepServerBinary())) { t.skip('no WHEP route in serve and pw_whep_test_server is not built'); return; }
    const dir = mkdtempSync(path.join(tmpdir(), 'pw-whep-'));
    const started = await spawnUntil(whepServerBinary(), ['--host', '127.0.0.1', '--port', '0', '--data-dir', dir],
      /listening on http:\/\/127\.0\.0\.1:(\d+)/, { CAM_URL: camera.url });
    whep = { ...started, base: `http://127.0.0.1:${started.match[1]}`, dir };
  }
  const live = await browser.newPage({ locale: 'en-GB', viewport: { width: 1366, height: 850 } });
  try {
    let posts = 0;
    await live.route('**/api/cameras/cam1/whep**', async (route) => {
      const req = route.request();
      if (req.method() === 'POST' && ++posts === 1) {
        await route.fulfill({ status: 503, contentType: 'application/json', body: '{"error":{"code":"unavailable","message":"test: not now"}}' });
        return;
      }
      if (!whep) { await route.continue(); return; }
      // serve has no WHEP yet: the WHEP test server answers in its place, on the same camera.
      const target = new URL(req.url());
      const answer = await fetch(`${whep.base}${target.pathname}`, { method: req.method(), headers: { 'Content-Type': req.headers()['content-type'] || 'application/sdp' },
        body: req.method() === 'POST' ? req.postData() : undefined });
      const headers = { 'Content-Type': answer.headers.get('Content-Type') || 'application/sdp' };
      if (answer.headers.get('Location')) headers.Location = answer.headers.get('Location');
      await route.fulfill({ status: answer.status, headers, body: Buffer.from(await answer.arrayBuffer()) });
    });
    await live.goto(server.url('/#/camera/cam1'));
    // A fallback rung shows the picture meanwhile: low-latency HLS, or MJPEG while HLS connects.
    await live.waitForFunction(() => ['mjpeg', 'hls'].includes(document.querySelector('.camera-view')?.dataset.transport), null, { timeout: 30000 });
    assert.match(await live.locator('.camera-view .cam-transport').innerText(), /^(MJPEG|HLS)$/);
    await live.waitForFunction(() => document.querySelector('.camera-view')?.dataset.transport === 'webrtc', null, { timeout: 60000 });
    assert.ok(posts >= 2);
    assert.equal(await live.locator('.camera-view .cam-transport').innerText(), 'WebRTC');
    // The picture is on screen: visible, and not black (the pen floor is light).
    const seen = await live.locator('.camera-view .live-video').evaluate((v) => {
      const c = document.createElement('canvas');
      c.width = v.videoWidth;
      c.height = v.videoHeight;
      const ctx = c.getContext('2d');
      ctx.drawImage(v, 0, 0);
      const px = ctx.getImageData(0, 0, c.width, c.height).data;
      let sum = 0;
      for (let i = 0; i < px.length; i += 4) sum += px[i] + px[i + 1] + px[i + 2];
      return { width: v.videoWidth, visibility: getComputedStyle(v).visibility, mean: sum / (px.length / 4) / 3 };
    });
    assert.ok(seen.width > 0);
    assert.equal(seen.visibility, 'visible');
    assert.ok(seen.mean > 40, `the WebRTC picture is dark: ${JSON.stringify(seen)}`);
    assert.equal(await live.locator('.camera-view .live-picture').getAttribute('src'), null, 'the MJPEG stream is closed');
    // It sticks: 50 more decoded frames later it is still WebRTC, with the overlay drawn over it.
    const frames = await live.locator('.camera-view .live-video').evaluate((v) => v.getVideoPlaybackQuality().totalVideoFrames);
    await live.waitForFunction((n) => document.querySelector('.camera-view .live-video').getVideoPlaybackQuality().totalVideoFrames > n + 50,
      frames, { timeout: 60000 });
    assert.equal(await live.locator('.camera-view').getAttribute('data-transport'), 'webrtc');
    await live.waitForFunction(() => document.querySelector('.camera-view .live-overlay').dataset.count !== '', null, { timeout: 30000 });
    await live.screenshot({ path: path.join(artifactsDir, 'live-webrtc.png') });
  } finally {
    await live.close();
    await whep?.kill();
    if (whep) rmSync(whep.dir, { recursive: true, force: true });
  }
});

test('on a 390x844 phone screen the camera view, the sources and the weighing panel stack in one column', async (t) => {
  if (!camera) { t.skip('pw_rtsp_test_server is not built'); return; }
  const phone = await browser.newPage({ locale: 'en-GB', viewport: { width: 390, height: 844 } });
  await phone.goto(server.url('/#/camera/cam1'));
  await phone.waitForFunction(() => ['mjpeg', 'webrtc'].includes(document.querySelector('.camera-view')?.dataset.transport),
    null, { timeout: 30000 });
  const boxes = await phone.evaluate(() => ['#sources', '#player-card', '#weighing'].map((sel) => {
    const r = document.querySelector(sel).getBoundingClientRect();
    return { sel, left: r.left, right: r.right, top: r.top, bottom: r.bottom };
  }));
  for (const b of boxes) assert.ok(b.left >= 0 && b.right <= 390, `${b.sel} is wider than the screen: ${JSON.stringify(b)}`);
  for (let i = 1; i < boxes.length; i += 1) assert.ok(boxes[i].top >= boxes[i - 1].bottom, `${boxes[i].sel} is beside ${boxes[i - 1].sel}`);
  assert.ok(await phone.evaluate(() => document.documentElement.scrollWidth <= 390), 'the page scrolls sideways');
  assert.equal(await phone.locator('.camera-view .cam-state').innerText(), 'streaming');
  await phone.locator('#player-card').scrollIntoViewIfNeeded();
  await phone.screenshot({ path: path.join(artifactsDir, 'live-phone.png'), fullPage: true });
  await phone.close();
});
