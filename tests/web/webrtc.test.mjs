// WebRTC (WHEP) live view in headless Chromium against the real server and a real RTSP camera
// (pw_rtsp_test_server): the video element gets frames, data channel messages arrive, closing the
// page frees the session, and viewers coming and going leave no sockets or threads behind in the
// server. Skips itself while the server has no WHEP route.
//
// Also runs against tests/webrtc's pw_whep_test_server (WHEP wired alone) with
//   PW_BIN=build/<dir>/tests/webrtc/pw_whep_test_server node --test tests/web/webrtc.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { startServer, launchBrowser, skipUnlessRoute } from './harness.mjs';
import { startCamera, whepInPage } from './whep_client.mjs';

let camera, server, browser;

before(async () => {
  camera = await startCamera();
  if (!camera) return;
  server = await startServer([], { CAM_URL: camera.url, AUTO_START_CAM: '1' });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  camera?.stop();
});

async function whepRouteMissing() {
  const res = await fetch(server.url('/api/cameras/cam1/whep'), {
    method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: 'v=0',
  });
  if (res.status !== 404) return false;
  const body = await res.json().catch(() => ({}));
  return /no route/.test(body?.error?.message || '');
}

async function sessions() {
  const res = await fetch(server.url('/api/cameras/cam1/whep'));
  return (await res.json()).sessions;
}

test('WHEP live view: frames, data channel metadata, page close frees the session', async (t) => {
  if (!camera) return t.skip('pw_rtsp_test_server is not built (libgstrtspserver-1.0-dev missing)');
  if (skipUnlessRoute(t, !(await whepRouteMissing()), 'POST /api/cameras/{id}/whep (server::AddWhepRoutes)')) return;
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(server.url('/'));
  let result;
  for (let i = 0; i < 30; i++) {  // the camera may still be connecting: 503 until it streams
    result = await whepInPage(page, 'cam1');
    if (result.status !== 503) break;
    await page.evaluate(() => window.__pc.close());
    await new Promise((r) => setTimeout(r, 300));
  }
  assert.equal(result.status, 201, `WHEP answer: ${JSON.stringify(result)}`);
  assert.match(result.location, /^\/api\/cameras\/cam1\/whep\/[0-9a-f]+$/);
  assert.ok(result.firstFrameMs > 0, `no video frame within 10 s: ${JSON.stringify(result)}`);
  assert.ok(result.width > 0, 'videoWidth is 0');
  console.log(`# WHEP first frame ${result.firstFrameMs.toFixed(0)} ms after the offer (answer ${result.answeredMs.toFixed(0)} ms), ${result.width}x${result.height}`);
  await page.waitForFunction(() => window.__frames >= 10, null, { timeout: 10000 });
  await page.waitForFunction(() => window.__messages.some((m) => JSON.parse(m).type === 'whep'), null, { timeout: 10000 })
    .catch(() => {});  // asserted below, with the messages that did arrive
  const messages = (await page.evaluate(() => window.__messages)).map((m) => JSON.parse(m));
  const hello = messages.find((m) => m.type === 'whep');
  assert.ok(hello, `no greeting on the data channel: ${JSON.stringify(messages)}`);
  assert.equal(`/api/cameras/cam1/whep/${hello.session}`, result.location);
  // Count messages follow once live counting runs (they need the model; the greeting does not).
  // A viewer that stays is never taken for a vanished one (RTCP/heartbeat watchdogs: 8 s / 5 s).
  const framesBefore = await page.evaluate(() => window.__frames);
  await new Promise((r) => setTimeout(r, 10000));
  assert.equal((await sessions()).length, 1, 'a live viewer lost its session');
  assert.ok(await page.evaluate(() => window.__frames) > framesBefore + 100, 'video stopped while the page was open');

  await context.close();  // the page goes away without a DELETE
  const deadline = Date.now() + 10000;
  while ((await sessions()).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  assert.equal((await sessions()).length, 0, 'closing the page did not free the WebRTC session within 10 s');
});

test('WHEP DELETE on the Location ends the session', async (t) => {
  if (!camera) return t.skip('pw_rtsp_test_server is not built');
  if (skipUnlessRoute(t, !(await whepRouteMissing()), 'POST /api/cameras/{id}/whep (server::AddWhepRoutes)')) return;
  const page = await browser.newPage();
  await page.goto(server.url('/'));
  const result = await whepInPage(page, 'cam1');
  assert.equal(result.status, 201, JSON.stringify(result));
  const del = await fetch(server.url(result.location), { method: 'DELETE' });
  assert.equal(del.status, 204);
  assert.equal((await sessions()).length, 0);
  await page.close();
});

// GStreamer 1.22.0 leaks references to each session's ICE agent (see src/webrtc/ice_release.h):
// without the server's release, every viewer left ~9 sockets/eventfds and a thread behind.
test('viewers coming and going leave no sockets or threads behind in the server', async (t) => {
  if (!camera) return t.skip('pw_rtsp_test_server is not built');
  if (skipUnlessRoute(t, !(await whepRouteMissing()), 'POST /api/cameras/{id}/whep (server::AddWhepRoutes)')) return;
  const pid = server.pid();
  const usage = () => ({ fds: readdirSync(`/proc/${pid}/fd`).length, threads: readdirSync(`/proc/${pid}/task`).length });
  const watchOnce = async () => {
    const page = await browser.newPage();
    await page.goto(server.url('/'));
    const result = await whepInPage(page, 'cam1');
    assert.equal(result.status, 201, JSON.stringify(result));
    assert.ok(result.firstFrameMs > 0, `no frame: ${JSON.stringify(result)}`);
    assert.equal((await fetch(server.url(result.location), { method: 'DELETE' })).status, 204);
    await page.close();
  };
  // Settled: no session, every closed session's agent released (3 s after it closed).
  const settle = async (limit) => {
    let now = usage();
    for (let i = 0; i < 40 && !(now.fds <= limit.fds && now.threads <= limit.threads); i++) {
      await new Promise((r) => setTimeout(r, 250));
      now = usage();
    }
    return now;
  };
  await watchOnce();  // GStreamer's one-time state (plugins, DTLS certificate, camera forwarder)
  await new Promise((r) => setTimeout(r, 5000));
  const base = usage();
  for (let i = 0; i < 4; i++) await watchOnce();
  assert.equal((await sessions()).length, 0);
  const after4 = await settle({ fds: base.fds + 2, threads: base.threads });
  console.log(`# server after 4 viewers came and went: fds ${base.fds} -> ${after4.fds}, threads ${base.threads} -> ${after4.threads}`);
  assert.ok(after4.fds <= base.fds + 2, `fds grew from ${base.fds} to ${after4.fds} over 4 viewers`);
  assert.ok(after4.threads <= base.threads, `threads grew from ${base.threads} to ${after4.threads} over 4 viewers`);
});
