// Signing in from the browser against the real server with AUTH=on: the login screen comes up, a
// wrong password shows an error and keeps it up, the right one loads the app with the user's name
// and role in the header, a viewer does not see the operator's actions, and signing out returns to
// the login screen.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startServer, launchBrowser, artifactsDir, ensureVendor, submitLogin } from './harness.mjs';

const ADMIN_PASSWORD = 'admin-pass-0001';
let server;
let browser;

before(async () => {
  ensureVendor();
  server = await startServer([], { AUTH: 'on', ADMIN_PASSWORD });
  browser = await launchBrowser();
  // A viewer, made through the API with the admin's session.
  const login = await fetch(server.url('/api/login'), { method: 'POST', body: JSON.stringify({ user: 'admin', password: ADMIN_PASSWORD }) });
  assert.equal(login.status, 200);
  const cookie = login.headers.get('set-cookie').split(';')[0];
  const made = await fetch(server.url('/api/users'), {
    method: 'POST', headers: { cookie, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'vera', role: 'viewer', password: 'vera-password' }),
  });
  assert.equal(made.status, 201, await made.text());
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('a wrong password shows an error; the right one loads the app with the user in the header', async () => {
  const page = await browser.newPage({ locale: 'en-GB' });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(server.url('/'));
  await page.waitForSelector('#login:not([hidden])');
  assert.equal(await page.locator('#login h1').innerText(), 'Sign in to PigWeight');
  await submitLogin(page, 'admin', 'not-the-password');
  await page.waitForSelector('#login-error:not([hidden])');
  assert.match(await page.locator('#login-error').innerText(), /Wrong user name or password/);
  assert.equal(await page.locator('#login').isVisible(), true);
  await page.screenshot({ path: path.join(artifactsDir, 'auth-wrong-password.png') });

  await submitLogin(page, 'admin', ADMIN_PASSWORD);
  await page.waitForSelector('#login', { state: 'hidden' });
  await page.waitForSelector('#conn.ok', { timeout: 15000 });  // the WebSocket got in with the session
  assert.match(await page.locator('#whoami').innerText(), /admin · admin/);
  assert.equal(await page.locator('#upload-btn').isVisible(), true);
  assert.deepEqual(errors, []);
  await page.screenshot({ path: path.join(artifactsDir, 'auth-signed-in.png') });

  await page.click('#logout-btn');
  await page.waitForSelector('#login:not([hidden])');
  await page.close();
});

test('a viewer signs in and does not see the upload and save buttons', async () => {
  const page = await browser.newPage({ locale: 'ru-RU' });
  await page.goto(server.url('/'));
  await page.waitForSelector('#login:not([hidden])');
  assert.equal(await page.locator('#login-form button[type=submit]').innerText(), 'Войти');
  await submitLogin(page, 'vera', 'vera-password');
  await page.waitForSelector('#login', { state: 'hidden' });
  assert.match(await page.locator('#whoami').innerText(), /vera · наблюдатель/);
  assert.equal(await page.locator('body').getAttribute('data-role'), 'viewer');
  assert.equal(await page.locator('#upload-btn').isVisible(), false);
  assert.equal(await page.locator('#w-save').isVisible(), false);
  await page.close();
});
