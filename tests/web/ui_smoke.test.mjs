// The shipped web UI loads in headless Chromium from the real server without console errors and
// shows live server state over the WebSocket.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startServer, launchBrowser, artifactsDir } from './harness.mjs';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('the placeholder page loads cleanly and goes online', async () => {
  const page = await browser.newPage();
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(String(e)));
  await page.goto(server.url('/'));
  await page.waitForSelector('#conn.ok', { timeout: 15000 });
  await page.waitForSelector('#components li.ready');
  const components = await page.locator('#components').innerText();
  assert.match(components, /store: ready/);
  assert.match(await page.locator('#version').innerText(), /pigweight \d+\.\d+\.\d+/);
  await page.screenshot({ path: path.join(artifactsDir, 'placeholder.png') });
  assert.deepEqual(problems, []);
});

test('a phone-sized viewport gets one column', async () => {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await page.goto(server.url('/'));
  await page.waitForSelector('#components li');
  const boxes = await page.locator('main > section').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().left));
  assert.ok(boxes.length >= 2);
  assert.ok(boxes.every((x) => x === boxes[0]), `sections side by side: ${boxes}`);
  await page.screenshot({ path: path.join(artifactsDir, 'placeholder-phone.png') });
});
