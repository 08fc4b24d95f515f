// WebRTC (WHEP) in headless Chromium from cameras whose video Chromium cannot take as-is — H.264
// with B-frames (Chromium decoded only the keyframes) and H.265 (not decoded at all): the server
// re-encodes them once per camera, and the page shows every frame, not just keyframes. The camera
// JSON says "video_path": "transcode". Skips itself while the server has no WHEP route.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, skipUnlessRoute } from './harness.mjs';
import { startCamera, whepInPage } from './whep_client.mjs';

let browser;
after(async () => { await browser?.close(); });

async function whepRouteMissing(server) {
  const res = await fetch(server.url('/api/cameras/cam1/whep'), {
    method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: 'v=0',
  });
  if (res.status !== 404) return false;
  const body = await res.json().catch(() => ({}));
  return /no route/.test(body?.error?.message || '');
}

for (const [name, args] of [['H.264 with B-frames', ['--bframes', '2']], ['H.265', ['--codec', 'h265']]]) {
  test(`${name} camera plays in Chromium through one transcode`, async (t) => {
    const camera = await startCamera(args);
    if (!camera) return t.skip('pw_rtsp_test_server is not built (libgstrtspserver-1.0-dev missing)');
    const server = await startServer([], { CAM_URL: camera.url, AUTO_START_CAM: '1' });
    try {
      if (skipUnlessRoute(t, !(await whepRouteMissing(server)), 'POST /api/cameras/{id}/whep')) return;
      browser ??= await launchBrowser();
      const page = await browser.newPage();
      await page.goto(server.url('/'));
      let result;
      for (let i = 0; i < 30; i++) {  // 503 while the camera connects
        result = await whepInPage(page, 'cam1');
        if (result.status !== 503) break;
        await page.evaluate(() => window.__pc.close());
        await new Promise((r) => setTimeout(r, 300));
      }
      assert.equal(result.status, 201, `WHEP answer: ${JSON.stringify(result)}`);
      assert.ok(result.firstFrameMs > 0, `no video frame within 10 s: ${JSON.stringify(result)}`);
      assert.equal(result.width, 320);
      console.log(`# ${name}: first frame ${result.firstFrameMs.toFixed(0)} ms after the offer`);
      // Every frame is decoded, not only keyframes (one a second): more frames are shown than the
      // transcoder made keyframes over the same stretch. Counted, not timed: a busy machine only
      // makes it slower.
      const before = await (await fetch(server.url('/api/cameras/cam1'))).json();
      const start = await page.evaluate(() => window.__frames);
      await page.waitForFunction((s) => window.__frames >= s + 50, start, { timeout: 60000 });
      const shown = (await page.evaluate(() => window.__frames)) - start;
      const cam = await (await fetch(server.url('/api/cameras/cam1'))).json();
      assert.equal(cam.browser_video?.video_path, 'transcode', JSON.stringify(cam.browser_video));
      const keyframes = cam.browser_video.transcode.keyframes - (before.browser_video?.transcode?.keyframes ?? 0);
      assert.ok(shown > 2 * Math.max(1, keyframes), `${shown} frames shown for ${keyframes} keyframes (keyframes only?)`);
      assert.ok(cam.browser_video.transcode.frames_encoded > 0, JSON.stringify(cam.browser_video.transcode));
      await page.close();
    } finally {
      await server.stop();
      camera.stop();
    }
  });
}
