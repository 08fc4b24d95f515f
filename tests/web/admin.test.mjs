// Users and API tokens from the browser (#/admin) against the real server with AUTH=on: the admin
// adds a user, changes the role, creates a token whose secret is shown once and works as a Bearer
// token, revokes it (it stops working), deletes the user; a viewer has no such page.
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
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function signIn(page, user, password) {
  await page.goto(server.url('/'));
  await page.waitForSelector('#login:not([hidden])');
  await submitLogin(page, user, password);
  await page.waitForSelector('#login', { state: 'hidden' });
}

async function usersFromApi(page) {
  return page.evaluate(async () => (await (await fetch('/api/users')).json()).items);
}

test('an admin manages users and tokens; a token works until it is revoked', async () => {
  const page = await browser.newPage({ locale: 'en-GB' });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('dialog', (d) => d.accept());  // the delete / revoke confirmations
  await signIn(page, 'admin', ADMIN_PASSWORD);
  await page.click('#nav a[data-view=admin]');
  await page.waitForSelector('#adm-users tr[data-user=admin]');
  assert.match(await page.locator('#adm-users tr[data-user=admin]').innerText(), /admin \(you\)/);
  assert.equal(await page.locator('#adm-users tr[data-user=admin] button.danger').isDisabled(), true);

  // Add a user.
  await page.fill('#adm-add-user input[name=name]', 'olga');
  await page.selectOption('#adm-add-user select[name=role]', 'operator');
  await page.fill('#adm-add-user input[name=password]', 'olga-password-1');
  await page.click('#adm-add-user button[type=submit]');
  await page.waitForSelector('#adm-users tr[data-user=olga]');
  let olga = (await usersFromApi(page)).find((u) => u.name === 'olga');
  assert.equal(olga.role, 'operator');
  // A refusal of the server is shown as it says it (a short password).
  await page.fill('#adm-add-user input[name=name]', 'petr');
  await page.fill('#adm-add-user input[name=password]', 'short');
  await page.evaluate(() => document.querySelector('#adm-add-user input[name=password]').removeAttribute('minlength'));
  await page.click('#adm-add-user button[type=submit]');
  await page.waitForSelector('.notice.error');
  assert.match(await page.locator('.notice.error').last().innerText(), /password/i);
  assert.equal((await usersFromApi(page)).some((u) => u.name === 'petr'), false);

  // Change her role.
  await page.selectOption('#adm-users tr[data-user=olga] select', 'viewer');
  await page.waitForFunction(async () => {
    const items = (await (await fetch('/api/users')).json()).items;
    return items.find((u) => u.name === 'olga')?.role === 'viewer';
  });

  // A token: the secret is shown once and works as a Bearer token.
  await page.fill('#adm-add-token input[name=name]', 'scada');
  await page.selectOption('#adm-add-token select[name=role]', 'viewer');
  await page.click('#adm-add-token button[type=submit]');
  await page.waitForSelector('#adm-token-secret:not([hidden]) #adm-token-value');
  const secret = await page.locator('#adm-token-value').innerText();
  assert.match(secret, /^pwt_[0-9a-f]+$/);
  const row = page.locator('#adm-tokens tr', { hasText: 'scada' });
  assert.match(await row.innerText(), /admin/);  // created by
  const asMachine = () => fetch(server.url('/api/me'), { headers: { Authorization: `Bearer ${secret}` } });
  const me = await asMachine();
  assert.equal(me.status, 200);
  assert.equal((await me.json()).role, 'viewer');
  await page.screenshot({ path: path.join(artifactsDir, 'admin-users-tokens.png'), fullPage: true });

  // Revoke it.
  await row.locator('button.danger').click();
  await page.waitForFunction(() => /revoked/.test(document.querySelector('#adm-tokens').innerText));
  assert.equal((await asMachine()).status, 401);
  assert.equal(await page.locator('#adm-tokens button.danger').count(), 0);

  // Leaving and coming back does not show the secret again.
  await page.click('#nav a[data-view=journal]');
  await page.click('#nav a[data-view=admin]');
  await page.waitForSelector('#adm-users tr[data-user=olga]');
  assert.equal(await page.locator('#adm-token-secret').isVisible(), false);

  // Delete the user.
  await page.locator('#adm-users tr[data-user=olga] button.danger').click();
  await page.waitForSelector('#adm-users tr[data-user=olga]', { state: 'detached' });
  olga = (await usersFromApi(page)).find((u) => u.name === 'olga');
  assert.equal(olga, undefined);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a viewer has no users page, not even by its address', async () => {
  const admin = await fetch(server.url('/api/login'), { method: 'POST', body: JSON.stringify({ user: 'admin', password: ADMIN_PASSWORD }) });
  const cookie = admin.headers.get('set-cookie').split(';')[0];
  const made = await fetch(server.url('/api/users'), {
    method: 'POST', headers: { cookie, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'vera', role: 'viewer', password: 'vera-password' }),
  });
  assert.equal(made.status, 201, await made.text());
  const page = await browser.newPage({ locale: 'en-GB' });
  await signIn(page, 'vera', 'vera-password');
  assert.equal(await page.locator('#nav a[data-view=admin]').isVisible(), false);
  await page.goto(server.url('/#/admin'));
  await page.waitForFunction(() => location.hash === '#/');
  assert.equal(await page.locator('#view-admin').isVisible(), false);
  await page.close();
});
