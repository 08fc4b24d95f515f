// Weighing from the page into the journal (POST /api/weighings, GET /api/weighings): type the
// weight, Enter saves, the record appears in the journal with count, total and average, survives
// a reload and a server restart, and an amendment shows in its history.
// NOTE: needs the weighings API; on a server without it the tests are skipped (set
// PW_REQUIRE_ALL_ROUTES=1 to make that a failure).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startServer, launchBrowser, artifactsDir, ensureVendor, makeVideo, registerVideo, watchConsole, hasRoute,
  skipUnlessRoute, waitShown } from './harness.mjs';

let server;
let browser;
let clip;
let video;
let page;
let con;
let haveApi = false;

before(async () => {
  ensureVendor();
  server = await startServer();
  browser = await launchBrowser();
  clip = makeVideo({ seconds: 4 });
  video = await registerVideo(server, clip.file);
  haveApi = await hasRoute(server, '/api/weighings');
  page = await browser.newPage({ locale: 'ru-RU', viewport: { width: 1366, height: 850 } });
  con = watchConsole(page);
});

after(async () => {
  await browser?.close();
  await server?.stop();
  clip?.cleanup();
});

test('typing the weight and pressing Enter saves a weighing that is in the journal after a reload', async (t) => {
  if (skipUnlessRoute(t, haveApi, 'the weighings API (/api/weighings)')) return;
  await page.goto(server.url(`/#/video/${video.id}?t=2.05`));
  await waitShown(page, 2.0);
  await page.fill('#w-station', 'Весовая 1');
  // Use the count the server gives for this frame when it has one, else type it.
  await page.waitForFunction(() => document.querySelector('#w-count').value !== '' || document.querySelector('#overlay-status').textContent !== '…',
    null, { timeout: 30000 }).catch(() => {});
  let count = Number(await page.locator('#w-count').inputValue());
  if (!count) { count = 5; await page.fill('#w-count', '5'); }
  await page.keyboard.press('Escape');  // leave the station field: the page's keys work again
  await page.keyboard.press('KeyW');    // the shortcut focuses the weight field
  await page.keyboard.type('251,5');
  const avg = (251.5 / count).toFixed(2);
  assert.equal(await page.locator('#w-avg').getAttribute('data-value'), avg);
  await page.screenshot({ path: path.join(artifactsDir, 'weighing-typed.png') });
  await page.keyboard.press('Enter');
  await page.waitForSelector('.w-msg.ok');
  assert.match(await page.locator('.w-msg').innerText(), /Сохранено в журнал: №\d+/);
  assert.equal(await page.locator('#w-total').inputValue(), '');

  await page.click('#nav a[data-view=journal]');
  const row = page.locator('.journal-table tbody tr').first();
  await row.waitFor();
  const check = async () => {
    const text = await page.locator('.journal-table tbody tr').first().innerText();
    assert.match(text, /Весовая 1/);
    assert.match(text, new RegExp(`\\b${count}\\b`));
    assert.match(text, /251,50/);
    assert.match(text, new RegExp(avg.replace('.', ',')));
  };
  await check();
  await page.reload();
  await page.locator('.journal-table tbody tr').first().waitFor();
  await check();
  await page.screenshot({ path: path.join(artifactsDir, 'journal.png') });
  assert.deepEqual(con.problems(), []);

  // The journal is on the server, not in the browser: it survives a server restart (same data
  // directory, a new process and port) and a fresh page.
  await page.goto('about:blank');
  await server.restart();
  await page.goto(server.url('/#/journal'));
  await page.locator('.journal-table tbody tr').first().waitFor();
  await check();
  assert.deepEqual(con.problems(), []);
});

test('a journal record opens with its source and an amendment shows in its history', async (t) => {
  if (skipUnlessRoute(t, haveApi, 'the weighings API (/api/weighings)')) return;
  await page.goto(server.url('/#/journal'));
  await page.locator('.journal-table tbody tr').first().click();
  const dialog = page.locator('dialog#j-record');
  await dialog.waitFor();
  assert.match(await dialog.innerText(), /video\.mp4|Открыть момент в видео/);
  await dialog.locator('input[name=total_kg]').fill('260');
  await dialog.locator('button[type=submit]').click();
  await page.waitForFunction(() => /Ред\. 1/.test(document.querySelector('dialog#j-record')?.innerText || ''));
  await page.screenshot({ path: path.join(artifactsDir, 'journal-record.png') });
  await dialog.locator('a[href^="#/video/"]').click();
  await waitShown(page, 2.0);
  assert.deepEqual(con.problems(), []);
});

test('a count corrected by hand is marked as such in the panel and in the journal', async (t) => {
  if (skipUnlessRoute(t, haveApi, 'the weighings API (/api/weighings)')) return;
  if (skipUnlessRoute(t, await hasRoute(server, `/api/video_file/count_at_time?id=${video.id}&t=0`), 'GET /api/video_file/count_at_time')) return;
  await page.goto(server.url(`/#/video/${video.id}?t=1.05`));
  await page.waitForFunction(() => document.querySelector('#overlay').dataset.tFrame === '1', null, { timeout: 30000 });
  const auto = Number(await page.locator('#w-count').inputValue());
  await page.fill('#w-count', String(auto + 1));
  await page.waitForSelector('#weighing .tag.override');
  assert.equal(await page.locator('#w-count').evaluate((el) => el.classList.contains('override')), true);
  assert.match(await page.locator('#weighing').innerText(), new RegExp(`Вернуть авто \\(${auto}\\)`));
  await page.screenshot({ path: path.join(artifactsDir, 'weighing-override.png') });
  await page.fill('#w-total', '300');
  await page.press('#w-total', 'Enter');
  await page.waitForSelector('.w-msg.ok');
  const list = await (await fetch(server.url('/api/weighings?limit=1'))).json();
  assert.equal(list.items[0].count, auto + 1);
  assert.equal(list.items[0].auto_count, auto);
  assert.equal(list.items[0].override, true);
  // Back to the model's count in one click.
  await page.fill('#w-count', String(auto + 2));
  await page.click('#weighing button.linkish');
  assert.equal(await page.locator('#w-count').inputValue(), String(auto));
  assert.equal(await page.locator('#weighing .tag.override').count(), 0);
});
