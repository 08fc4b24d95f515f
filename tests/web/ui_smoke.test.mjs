// The operator page loads from the real server without console errors, goes online over the
// WebSocket, speaks the browser's language (Russian labels for a Russian browser, switchable),
// and on a phone-sized screen is one column with every control inside the screen.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startServer, launchBrowser, artifactsDir, ensureVendor, makeVideo, registerVideo, watchConsole } from './harness.mjs';

let server;
let browser;
let video;

before(async () => {
  ensureVendor();
  server = await startServer();
  browser = await launchBrowser();
  video = makeVideo({ seconds: 4 });
  await registerVideo(server, video.file);
});

after(async () => {
  await browser?.close();
  await server?.stop();
  video?.cleanup();
});

test('the page loads cleanly, goes online and shows Russian labels to a Russian browser', async () => {
  const page = await browser.newPage({ locale: 'ru-RU', viewport: { width: 1440, height: 900 } });
  const con = watchConsole(page);
  await page.goto(server.url('/'));
  await page.waitForSelector('#conn.ok', { timeout: 15000 });
  await page.waitForSelector('#components li.ready', { state: 'attached' });
  assert.match(await page.locator('#components').textContent(), /store: ready/);
  assert.match(await page.locator('#version').innerText(), /pigweight \d+\.\d+\.\d+/);
  const panel = await page.locator('#weighing').innerText();
  for (const label of ['Количество', 'Общий вес', 'Средний вес', 'Сохранить']) assert.ok(panel.includes(label), `"${label}" missing in ${panel}`);
  assert.equal(await page.locator('#conn').innerText(), 'на связи');
  await page.waitForSelector('#video-list li.video');
  await page.screenshot({ path: path.join(artifactsDir, 'ui-start-ru.png') });
  assert.deepEqual(con.problems(), []);
  await page.close();
});

test('the language switches to English and stays switched after a reload', async () => {
  const page = await browser.newPage({ locale: 'ru-RU' });
  await page.goto(server.url('/'));
  await page.waitForSelector('#conn.ok', { timeout: 15000 });
  await page.selectOption('#lang', 'en');
  await page.waitForFunction(() => document.querySelector('#w-save').textContent === 'Save');
  assert.match(await page.locator('#weighing').innerText(), /Average weight/);
  await page.reload();
  await page.waitForSelector('#conn.ok', { timeout: 15000 });
  assert.equal(await page.locator('#w-save').innerText(), 'Save');
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  await page.close();
});

test('a phone-sized screen gets one column with every control on screen', async () => {
  const page = await browser.newPage({ locale: 'ru-RU', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const con = watchConsole(page);
  await page.goto(server.url('/'));
  await page.click('#video-list li.video .pick');
  await page.waitForFunction(() => document.querySelector('#timeline .tl-track')?.dataset.shown !== undefined);
  const columns = await page.evaluate(() => ['#sources', '#player-card', '#weighing'].map((s) => {
    const r = document.querySelector(s).getBoundingClientRect();
    return { s, left: Math.round(r.left), right: Math.round(r.right), top: r.top, bottom: r.bottom };
  }));
  assert.ok(columns.every((c) => c.left === columns[0].left && c.right === columns[0].right), `not one column: ${JSON.stringify(columns)}`);
  const sorted = [...columns].sort((a, b) => a.top - b.top);
  for (let i = 1; i < sorted.length; i += 1) assert.ok(sorted[i].top >= sorted[i - 1].bottom, `overlap: ${JSON.stringify(sorted)}`);
  assert.ok(await page.evaluate(() => document.scrollingElement.scrollWidth <= window.innerWidth), 'the page scrolls sideways');
  const outside = await page.evaluate(() => [...document.querySelectorAll('#view-work button, #view-work input, #view-work select, header button, header select, header a')]
    .filter((el) => el.offsetParent !== null && el.type !== 'file' && el.type !== 'hidden')
    .map((el) => ({ el: el.id || el.className || el.tagName, r: el.getBoundingClientRect() }))
    .filter(({ r }) => r.width === 0 || r.left < 0 || r.right > window.innerWidth + 0.5)
    .map(({ el, r }) => `${el} ${Math.round(r.left)}..${Math.round(r.right)}`));
  assert.deepEqual(outside, []);
  // The weight field is reachable and usable: scroll to it, type, see the average react.
  await page.locator('#w-count').fill('4');
  await page.locator('#w-total').fill('100');
  assert.equal(await page.locator('#w-avg').getAttribute('data-value'), '25.00');
  await page.screenshot({ path: path.join(artifactsDir, 'ui-phone.png'), fullPage: true });
  assert.deepEqual(con.problems(), []);
  await page.close();
});
