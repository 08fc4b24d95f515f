// Uploading from the page over the tus API: the progress bar moves, a connection dropped in the
// middle is resumed from where the server stopped (not from zero), and the finished video is
// in the list, identical in size to the file.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { statSync, readFileSync } from 'node:fs';
import { startServer, launchBrowser, artifactsDir, ensureVendor, makeVideo, watchConsole } from './harness.mjs';

const CHUNK = 16 * 1024;
let server;
let browser;
let clip;

before(async () => {
  ensureVendor();
  server = await startServer();
  browser = await launchBrowser();
  clip = makeVideo({ seconds: 4, width: 640, height: 384, seed: 11 });
});

after(async () => {
  await browser?.close();
  await server?.stop();
  clip?.cleanup();
});

test('an upload shows its progress, survives a dropped connection and resumes where it stopped', async () => {
  const size = statSync(clip.file).size;
  assert.ok(size > 4 * CHUNK, `the test file is too small (${size} bytes)`);
  const page = await browser.newPage({ locale: 'ru-RU', viewport: { width: 1280, height: 800 } });
  const con = watchConsole(page);
  await page.addInitScript((chunk) => { globalThis.PW_UPLOAD_CHUNK_BYTES = chunk; }, CHUNK);
  // Drop the connection of the third chunk once, as a flaky farm link would.
  const offsets = [];
  let dropped = false;
  await page.route('**/api/uploads/*', async (route) => {
    const req = route.request();
    if (req.method() === 'PATCH') {
      const offset = Number(req.headers()['upload-offset']);
      offsets.push(offset);
      if (!dropped && offset >= 2 * CHUNK) {
        dropped = true;
        return route.abort('connectionreset');
      }
    }
    return route.continue();
  });
  await page.goto(server.url('/'));
  await page.waitForSelector('#conn.ok', { timeout: 15000 });
  await page.setInputFiles('#upload-input', clip.file);
  const row = page.locator('#uploads li.upload');
  await row.waitFor();
  await page.waitForFunction(() => Number(document.querySelector('#uploads li.upload')?.dataset.resumes) >= 1);
  await page.screenshot({ path: path.join(artifactsDir, 'upload-resuming.png') });
  const video = await page.waitForSelector('#video-list li.video[data-id]', { timeout: 30000 });
  const id = await video.getAttribute('data-id');
  const meta = await (await fetch(server.url(`/api/videos/${id}`))).json();
  assert.equal(meta.size, size);
  assert.equal(meta.uploaded, true);
  // Resumed from the bytes the server had, not from zero: no chunk was sent twice from offset 0.
  assert.equal(offsets.filter((o) => o === 0).length, 1, `offsets sent: ${offsets}`);
  const dropAt = offsets.findIndex((o) => o >= 2 * CHUNK);
  assert.equal(offsets[dropAt + 1], offsets[dropAt], `did not resume at the dropped offset: ${offsets}`);
  await page.waitForFunction(() => document.querySelector('#uploads li.upload')?.dataset.state !== 'uploading');
  assert.equal(await page.evaluate(() => localStorage.length && Object.keys(localStorage).filter((k) => k.startsWith('pw.upload:')).length), 0);
  // The uploaded video is opened.
  await page.waitForFunction(() => document.querySelector('#timeline .tl-track')?.dataset.shown !== undefined);
  await page.screenshot({ path: path.join(artifactsDir, 'upload-done.png') });
  // The aborted request is logged by Chromium as a failed load; anything else is a problem.
  assert.deepEqual(con.problems().filter((p) => !/ERR_CONNECTION_RESET|Failed to load resource: net::/.test(p)), []);
});

test('picking the same file again after a reload continues the upload instead of starting over', async () => {
  const other = makeVideo({ seconds: 4, width: 640, height: 384, seed: 12 });
  try {
    const page = await browser.newPage({ locale: 'ru-RU' });
    await page.addInitScript((chunk) => { globalThis.PW_UPLOAD_CHUNK_BYTES = chunk; }, CHUNK);
    // The link goes down for good after two chunks; the operator closes the page.
    await page.route('**/api/uploads/*', (route) => {
      const req = route.request();
      if (req.method() === 'PATCH' && Number(req.headers()['upload-offset']) >= 2 * CHUNK) return route.abort('connectionreset');
      return route.continue();
    });
    await page.goto(server.url('/'));
    await page.setInputFiles('#upload-input', other.file);
    await page.waitForFunction(() => document.querySelector('#uploads li.upload')?.dataset.state === 'paused');
    await page.unroute('**/api/uploads/*');
    await page.reload();
    const offsets = [];
    page.on('request', (req) => { if (req.method() === 'PATCH') offsets.push(Number(req.headers()['upload-offset'])); });
    await page.setInputFiles('#upload-input', other.file);
    await page.waitForSelector('#uploads li.upload[data-state=done]', { timeout: 30000 });
    assert.ok(offsets.length > 0 && offsets[0] >= 2 * CHUNK, `started again from ${offsets[0]}`);
    await page.close();
  } finally {
    other.cleanup();
  }
});

test('a file dropped on the page is uploaded', async () => {
  const third = makeVideo({ seconds: 2, seed: 13 });
  try {
    const page = await browser.newPage({ locale: 'ru-RU' });
    await page.goto(server.url('/'));
    await page.waitForSelector('#conn.ok', { timeout: 15000 });
    const data = readFileSync(third.file).toString('base64');
    await page.evaluate((b64) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], 'dropped.mp4', { type: 'video/mp4' }));
      for (const type of ['dragenter', 'dragover', 'drop']) {
        document.body.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
      }
    }, data);
    await page.waitForSelector('#video-list li.video .name:text("dropped.mp4")', { timeout: 30000 });
    assert.equal(await page.evaluate(() => document.body.classList.contains('dropping')), false);
    await page.close();
  } finally {
    third.cleanup();
  }
});
