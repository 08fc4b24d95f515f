// The live camera view on its low-latency HLS rung, against a real RTSP test camera
// (pw_rtsp_test_server playing a generated weighing video) and the real server. ?live=hls in the
// page's URL skips WebRTC: hls.js plays /api/cameras/cam1/live.m3u8 in lowLatencyMode (blocking
// playlist reloads with _HLS_msn/_HLS_part), the video advances, the chip says HLS, and the overlay
// shows the count whose wall clock is not after the frame on screen (EXT-X-PROGRAM-DATE-TIME).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { startServer, launchBrowser, artifactsDir, ensureVendor, makeVideo, watchConsole } from './harness.mjs';

function rtspServerBinary() {
  if (process.env.PW_RTSP_SERVER) return process.env.PW_RTSP_SERVER;
  const build = path.resolve(path.dirname(process.env.PW_BIN || '.'), '../..');   // <build>/src/app/pigweight
  return path.join(build, 'tools/rtsp-test-server/pw_rtsp_test_server');
}

/** Starts the RTSP test camera playing file; resolves {url, kill}. */
async function startCamera(file) {
  const proc = spawn(rtspServerBinary(), ['--port', '0', '--file', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the RTSP camera did not start: ${out}`)), 15000);
    const onData = (d) => {
      out += d;
      const m = /PORT (\d+)/.exec(out);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`the RTSP camera exited ${code}: ${out}`)); });
  });
  proc.removeAllListeners('exit');
  const kill = async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    await exited;
  };
  return { url: `rtsp://127.0.0.1:${port}/cam`, kill };
}

let clip;
let camera;
let server;
let browser;

before(async () => {
  if (!existsSync(rtspServerBinary())) return;
  ensureVendor();
  clip = makeVideo({ seconds: 20, fps: 10, gop: 10, count: 6, seed: 5 });
  camera = await startCamera(clip.file);
  server = await startServer([], { CAM_URL: camera.url, AUTO_START_CAM: '1', PRELOAD_MODEL: '1', AUTH: '0' });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await camera?.kill();
  clip?.cleanup();
});

test('with ?live=hls the view plays the camera over low-latency HLS, says HLS, and matches counts to frames by wall clock', async (t) => {
  if (!camera) { t.skip('pw_rtsp_test_server is not built'); return; }
  const page = await browser.newPage({ locale: 'ru-RU', viewport: { width: 1366, height: 850 } });
  const con = watchConsole(page);
  const blocking = [];
  page.on('request', (r) => { if (/live\.m3u8\?.*_HLS_msn=/.test(r.url())) blocking.push(r.url()); });
  await page.goto(server.url('/?live=hls#/camera/cam1'));
  await page.evaluate(() => new Promise((resolve) => {
    window.__counts = {};
    const ws = new WebSocket(`ws://${location.host}/ws`);
    ws.onopen = () => { ws.send(JSON.stringify({ op: 'subscribe', topics: ['camera:cam1'] })); resolve(); };
    ws.onmessage = (e) => {
      const m = JSON.parse(e.data);
      if (m.type === 'count' && m.camera === 'cam1') window.__counts[m.wall_ms] = m.state.count;
    };
  }));
  await page.waitForFunction(() => document.querySelector('.camera-view')?.dataset.transport === 'hls', null, { timeout: 45000 });
  assert.equal(await page.locator('.camera-view .cam-transport').innerText(), 'HLS');
  const video = page.locator('.camera-view video.live-hls');
  assert.ok(await video.isVisible());
  assert.ok(await video.evaluate((v) => v.videoWidth) > 0);
  const t0 = await video.evaluate((v) => v.currentTime);
  await page.waitForTimeout(2000);
  const t1 = await video.evaluate((v) => v.currentTime);
  assert.ok(t1 - t0 > 1, `the live video advances (${t0} → ${t1})`);
  assert.ok(blocking.length > 0, 'hls.js uses blocking playlist reloads (_HLS_msn)');
  // Latency: the frame on screen is at most a few seconds behind the wall clock.
  await page.waitForFunction(() => document.querySelector('.camera-view .live-overlay')?.dataset.frameWallMs, null, { timeout: 30000 });
  const behind = await page.evaluate(() => Date.now() - Number(document.querySelector('.camera-view .live-overlay').dataset.frameWallMs));
  assert.ok(behind >= 0 && behind < 5000, `the picture is ${behind} ms behind`);
  t.diagnostic(`the HLS picture is ${behind} ms behind the wall clock of its frame's arrival at the server`);

  // The overlay's count is a count message of the camera, not after the frame on screen.
  await page.waitForFunction(() => {
    const c = document.querySelector('.camera-view .live-overlay');
    return c?.dataset.wallMs && window.__counts[c.dataset.wallMs] !== undefined;
  }, null, { timeout: 30000 });
  const drawn = await page.evaluate(() => {
    const c = document.querySelector('.camera-view .live-overlay');
    return { count: Number(c.dataset.count), expected: window.__counts[c.dataset.wallMs],
      wall: Number(c.dataset.wallMs), frame: Number(c.dataset.frameWallMs), oldest: Math.min(...Object.keys(window.__counts).map(Number)) };
  });
  assert.equal(drawn.count, drawn.expected);
  assert.ok(drawn.wall <= drawn.frame || drawn.wall === drawn.oldest, `count at ${drawn.wall} is not after the frame at ${drawn.frame}`);
  await page.screenshot({ path: path.join(artifactsDir, 'live-hls.png') });
  assert.deepEqual(con.problems(), []);
  await page.close();
});
