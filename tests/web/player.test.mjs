// The player against the real server: a generated video appears in the list with its duration and
// plays; frame steps move exactly one frame; the overlay drawn is the one of the frame on screen
// (count_at_time); hovering the timeline shows a thumbnail; dragging previews and lands exactly.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startServer, launchBrowser, artifactsDir, ensureVendor, makeVideo, registerVideo, watchConsole, hasRoute,
  skipUnlessRoute, waitShown as waitShownOn } from './harness.mjs';

const FPS = 10;
let server;
let browser;
let clip;
let video;
let page;
let con;

const shown = () => page.evaluate(() => Number(document.querySelector('#timeline .tl-track').dataset.shown));
const waitShown = (sec) => waitShownOn(page, sec, { fps: FPS });

before(async () => {
  ensureVendor();
  server = await startServer();
  browser = await launchBrowser();
  clip = makeVideo({ seconds: 6, fps: FPS });
  video = await registerVideo(server, clip.file);
  page = await browser.newPage({ locale: 'ru-RU', viewport: { width: 1280, height: 800 } });
  con = watchConsole(page);
  await page.goto(server.url('/'));
});

after(async () => {
  await browser?.close();
  await server?.stop();
  clip?.cleanup();
});

test('the video list shows the generated video with its duration, and it plays', async () => {
  const item = page.locator(`#video-list li.video[data-id="${video.id}"]`);
  await item.waitFor();
  assert.match(await item.innerText(), /video\.mp4[\s\S]*0:06 · 320×192 · 10 fps/);
  await item.locator('.pick').click();
  await page.waitForFunction(() => document.querySelector('#timeline .tl-track').dataset.shown !== undefined);
  await page.click('#controls .ctl.play');
  await page.waitForFunction(() => document.querySelector('#video').currentTime > 1.0);
  assert.equal(await page.locator('#controls .ctl.play').getAttribute('data-playing'), '1');
  await page.click('#controls .ctl.play');
  await page.waitForFunction(() => document.querySelector('#video').paused);
  assert.deepEqual(con.problems(), []);
});

test('jump to a time, then frame steps move exactly one frame per key press', async () => {
  await page.fill('#controls .jump', '0:02');
  await page.press('#controls .jump', 'Enter');
  await waitShown(2.0);
  for (let i = 0; i < 3; i += 1) await page.keyboard.press('Period');
  await waitShown(2.3);
  await page.keyboard.press('Comma');
  await waitShown(2.2);
  assert.match(await page.locator('#controls .frame').innerText(), /#22/);
  await page.click('#controls .frame-fwd');
  await waitShown(2.3);
});

test('after a seek the overlay drawn is the one of the frame on screen, with the API\'s count', async (t) => {
  if (skipUnlessRoute(t, await hasRoute(server, `/api/video_file/count_at_time?id=${video.id}&t=0`), 'GET /api/video_file/count_at_time')) return;
  await page.fill('#controls .jump', '3.05');
  await page.press('#controls .jump', 'Enter');
  await waitShown(3.0);
  await page.waitForFunction(() => document.querySelector('#overlay').dataset.tFrame, null, { timeout: 30000 });
  const drawn = await page.evaluate(() => ({ tFrame: Number(document.querySelector('#overlay').dataset.tFrame),
    count: Number(document.querySelector('#overlay').dataset.count), shown: Number(document.querySelector('#timeline .tl-track').dataset.shown) }));
  assert.ok(Math.abs(drawn.tFrame - drawn.shown) <= 0.5 / FPS, `overlay of ${drawn.tFrame} over frame ${drawn.shown}`);
  const api = await (await fetch(server.url(`/api/video_file/count_at_time?id=${video.id}&t=${drawn.shown}&client=test`))).json();
  assert.ok(Math.abs(api.t_frame - drawn.shown) <= 0.5 / FPS);
  assert.equal(drawn.count, api.count);
  assert.equal(await page.locator('#w-count').inputValue(), String(api.count));
  await page.screenshot({ path: path.join(artifactsDir, 'player-overlay.png') });
});

test('hovering the timeline shows the keyframe thumbnail and the time there', async () => {
  const box = await page.locator('#timeline .tl-track').boundingBox();
  await page.mouse.move(box.x + box.width * 0.75, box.y + box.height / 2);
  await page.waitForFunction(() => document.querySelector('.tl-thumb')?.dataset.sheet);
  assert.equal(await page.locator('.tl-tip').isVisible(), true);
  assert.match(await page.locator('.tl-tip-text').innerText(), /0:04\.5/);
  await page.screenshot({ path: path.join(artifactsDir, 'player-hover.png') });
});

test('dragging the timeline previews at once and lands on the exact frame on release', async () => {
  const box = await page.locator('#timeline .tl-track').boundingBox();
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width * 0.25, y);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.6, y, { steps: 5 });
  await page.waitForSelector('#scrub-preview:not([hidden])');
  await page.screenshot({ path: path.join(artifactsDir, 'player-drag.png') });
  const target = await page.evaluate(() => {
    const r = document.querySelector('#timeline .tl-canvas').getBoundingClientRect();
    return r;
  });
  await page.mouse.up();
  await page.waitForSelector('#scrub-preview', { state: 'hidden' });
  const expected = Math.floor((((box.x + box.width * 0.6) - target.left) / target.width) * 6 * FPS) / FPS;
  const now = await shown();
  assert.ok(Math.abs(now - expected) < 0.5 / FPS, `landed on ${now}, expected the frame at ${expected}`);
  assert.deepEqual(con.problems(), []);
});

test('with hls.js (browsers without native HLS) the video loads and seeks to the exact frame', async () => {
  const p2 = await browser.newPage({ locale: 'ru-RU' });
  const c2 = watchConsole(p2);
  await p2.goto(server.url(`/?hls=js#/video/${video.id}?t=1.55`));
  await waitShownOn(p2, 1.5);
  assert.equal(await p2.evaluate(() => typeof window.Hls), 'function');
  assert.match(await p2.evaluate(() => document.querySelector('#video').currentSrc), /^blob:/);
  assert.deepEqual(c2.problems(), []);
  await p2.close();
});

test('the count graph of the whole video is drawn and hovering it tells the count at that time', async (t) => {
  if (skipUnlessRoute(t, await hasRoute(server, `/api/videos/${video.id}/counts`), 'GET /api/videos/{id}/counts')) return;
  await page.goto(server.url(`/#/video/${video.id}`));
  await page.waitForFunction(() => document.querySelector('#timeline .tl-track')?.dataset.shown !== undefined);
  await page.waitForFunction(() => document.querySelector('.tl-note').textContent === '', null, { timeout: 30000 });
  const box = await page.locator('#timeline .tl-track').boundingBox();
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2);
  await page.waitForFunction(() => /гол\./.test(document.querySelector('.tl-tip-text').textContent));
  await page.screenshot({ path: path.join(artifactsDir, 'player-graph.png') });
});

test('with slow count answers, seeks and playback never show the overlay of another frame', async (t) => {
  if (skipUnlessRoute(t, await hasRoute(server, `/api/video_file/count_at_time?id=${video.id}&t=0`), 'GET /api/video_file/count_at_time')) return;
  const p2 = await browser.newPage({ locale: 'ru-RU' });
  await p2.route('**/api/video_file/count_at_time*', async (route) => {
    try {
      const res = await route.fetch();
      await new Promise((r) => setTimeout(r, 300));
      await route.fulfill({ response: res });
    } catch { /* the page went away or the request was aborted meanwhile */ }
  });
  await p2.goto(server.url(`/#/video/${video.id}`));
  await p2.waitForFunction(() => document.querySelector('#timeline .tl-track')?.dataset.shown !== undefined);
  // Every time the overlay changes, it must belong to the frame on screen.
  await p2.evaluate(() => {
    window.violations = [];
    window.drawnFrames = new Set();
    const canvas = document.querySelector('#overlay');
    new MutationObserver(() => {
      const tf = canvas.dataset.tFrame;
      if (!tf) return;
      const shownNow = Number(document.querySelector('#timeline .tl-track').dataset.shown);
      window.drawnFrames.add(tf);
      if (Math.abs(Number(tf) - shownNow) > 0.05) window.violations.push(`${tf} over ${shownNow}`);
    }).observe(canvas, { attributes: true, attributeFilter: ['data-t-frame'] });
  });
  // Settled: the overlay of the frame on screen is drawn, or the page says this frame has no count
  // of its own (the index samples fewer frames than the video has) and offers the nearest.
  const settled = () => p2.waitForFunction(() => {
    const tf = document.querySelector('#overlay').dataset.tFrame;
    const shownNow = Number(document.querySelector('#timeline .tl-track').dataset.shown);
    return (tf && Math.abs(Number(tf) - shownNow) < 0.05) || document.querySelector('#overlay-status .nearest');
  }, null, { timeout: 30000 });
  for (const sec of ['1', '4', '2.5']) {            // each seek before the previous answer is back
    await p2.fill('#controls .jump', sec);
    await p2.press('#controls .jump', 'Enter');
  }
  await waitShownOn(p2, 2.5);
  await settled();
  await p2.click('#controls .ctl.play');
  await p2.waitForFunction(() => document.querySelector('#video').currentTime > 4.2, null, { timeout: 30000 });
  await p2.click('#controls .ctl.play');
  await settled();
  const result = await p2.evaluate(() => ({ violations: window.violations, drawn: window.drawnFrames.size }));
  assert.deepEqual(result.violations, []);
  assert.ok(result.drawn >= 1, `overlays drawn: ${result.drawn}`);
  await p2.unrouteAll({ behavior: 'ignoreErrors' });
  await p2.close();
});

test('paused on a frame without a count of its own, the page offers the nearest counted frame', async (t) => {
  if (skipUnlessRoute(t, await hasRoute(server, `/api/video_file/count_at_time?id=${video.id}&t=0`), 'GET /api/video_file/count_at_time')) return;
  await page.goto(server.url(`/#/video/${video.id}`));
  await page.waitForFunction(() => document.querySelector('#timeline .tl-track')?.dataset.shown !== undefined);
  // Step through a few frames: every one either has its overlay or offers a counted neighbour.
  await page.fill('#controls .jump', '1');
  await page.press('#controls .jump', 'Enter');
  await waitShown(1.0);
  let offered = false;
  for (let i = 1; i <= 4 && !offered; i += 1) {
    await page.keyboard.press('Period');
    await waitShown(1.0 + i / FPS);
    await page.waitForFunction(() => {
      const tf = document.querySelector('#overlay').dataset.tFrame;
      const shownNow = Number(document.querySelector('#timeline .tl-track').dataset.shown);
      return (tf && Math.abs(Number(tf) - shownNow) < 0.05) || document.querySelector('#overlay-status .nearest');
    }, null, { timeout: 30000 });
    offered = await page.locator('#overlay-status .nearest').count() > 0;
  }
  if (!offered) { t.skip('every frame of this video has its own count (index samples every frame)'); return; }
  await page.screenshot({ path: path.join(artifactsDir, 'player-nearest.png') });
  await page.click('#overlay-status .nearest');
  await page.waitForFunction(() => {
    const tf = document.querySelector('#overlay').dataset.tFrame;
    return tf && Math.abs(Number(tf) - Number(document.querySelector('#timeline .tl-track').dataset.shown)) < 0.05;
  }, null, { timeout: 30000 });
});
