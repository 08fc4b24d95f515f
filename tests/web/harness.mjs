// Shared helpers for browser tests: start the real pigweight binary on an ephemeral port and a
// headless Debian Chromium driven by playwright-core.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, mkdirSync, existsSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const artifactsDir = process.env.PW_ARTIFACTS || path.join(tmpdir(), 'pigweight-artifacts');
mkdirSync(artifactsDir, { recursive: true });

/** Starts the real binary on an ephemeral port with a fresh data directory. `restart()` stops it
 *  (SIGTERM) and starts it again on the same data directory (a new port: use `url()` again). */
export async function startServer(extraArgs = [], extraEnv = {}) {
  const bin = process.env.PW_BIN;
  if (!bin) throw new Error('PW_BIN is not set (run through ctest)');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'pw-web-'));
  let run = await spawnServer(bin, dataDir, extraArgs, extraEnv);
  const stopRun = async () => {
    const exited = new Promise((r) => run.proc.once('exit', r));
    run.proc.kill('SIGTERM');
    await exited;
  };
  return {
    url: (p) => `http://127.0.0.1:${run.port}${p}`,
    log: () => run.log(),
    pid: () => run.proc.pid,
    dataDir,
    async restart() {
      await stopRun();
      run = await spawnServer(bin, dataDir, extraArgs, extraEnv);
    },
    async stop() {
      await stopRun();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function spawnServer(bin, dataDir, extraArgs, extraEnv) {
  const proc = spawn(bin, ['serve', '--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir, ...extraArgs], {
    // AUTH=off unless a test opts in with extraEnv { AUTH: 'on', ADMIN_PASSWORD: ... } (auth.test.mjs).
    env: { ...process.env, PRELOAD_MODEL: '0', AUTH: 'off', ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${log}`)), 30000);
    const onData = (d) => {
      log += d;
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(log);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited ${code}:\n${log}`)); });
  });
  // Once started, an exit is expected (stop/restart) and must not reject anything.
  proc.removeAllListeners('exit');
  return { proc, port, log: () => log };
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

// --- helpers for the operator UI tests -------------------------------------------------------

const repoRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

/** The page loads hls.js from web/vendor/ (the build copies it there); make sure it is present. */
export function ensureVendor() {
  const dst = path.join(repoRoot, 'web/vendor/hls.min.js');
  if (existsSync(dst)) return;
  mkdirSync(path.dirname(dst), { recursive: true });
  copyFileSync(path.join(repoRoot, 'node_modules/hls.js/dist/hls.min.js'), dst);
}

/** Renders a small synthetic weighing video with the real binary; returns its path. */
export function makeVideo({ seconds = 6, fps = 10, width = 320, height = 192, gop = 20, count = 5, seed = 7 } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'pw-web-video-'));
  const res = spawnSync(process.env.PW_BIN, ['gen-scene', '--out', dir, '--images', '0', '--video', String(seconds),
    '--fps', String(fps), '--gop', String(gop), '--width', String(width), '--height', String(height),
    '--count', String(count), '--seed', String(seed), '--no-video-polygons'], { encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`gen-scene failed: ${res.stderr}`);
  return { dir, file: path.join(dir, 'video.mp4'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Registers a file with the server (POST /api/videos) and waits until its thumbnails are ready. */
export async function registerVideo(server, file) {
  const res = await fetch(server.url('/api/videos'), { method: 'POST', body: JSON.stringify({ path: file }) });
  const body = await res.json();
  if (!body.videos?.length) throw new Error(`registering ${file} failed: ${JSON.stringify(body)}`);
  const id = body.videos[0].id;
  for (;;) {
    const v = await (await fetch(server.url(`/api/videos/${id}`))).json();
    if (v.status?.thumbnails === 'ready') return v;
    if (v.status?.thumbnails === 'failed') throw new Error(`thumbnails failed: ${v.status.thumbnails_error}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** True when the server has a route for this path (a 404 with "no route" means it does not). */
export async function hasRoute(server, p, method = 'GET') {
  const res = await fetch(server.url(p), { method });
  if (res.status !== 404) return true;
  const body = await res.json().catch(() => ({}));
  return !/no route/.test(body?.error?.message || '');
}

// Routes the UI asks for that the server may not have yet (it treats their 404 as "not there"):
// a failed load of one of these is not a page error. Anything else in the console is.
const PENDING_ROUTES = [/\/api\/cameras(\/|$)/, /\/api\/videos\/[^/]+\/(counts|moments)$/,
  /\/api\/video_file\/count_at_time/, /\/api\/weighings/];

/** Collects console errors and uncaught exceptions; problems() lists them. */
export function watchConsole(page) {
  const found = [];
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const url = m.location()?.url || '';
    if (/status of 404/.test(m.text()) && PENDING_ROUTES.some((re) => re.test(url))) return;
    found.push(`${m.text()} ${url}`);
    process.stderr.write(`[page console] ${m.text()} ${url}\n`);
  });
  page.on('pageerror', (e) => { found.push(String(e)); process.stderr.write(`[page error] ${e.stack || e}\n`); });
  return { problems: () => [...found] };
}

/** When PW_REQUIRE_ALL_ROUTES=1, a test that would skip for a missing route fails instead. */
export function skipUnlessRoute(t, present, what) {
  if (present) return false;
  if (process.env.PW_REQUIRE_ALL_ROUTES === '1') throw new Error(`${what} is missing on this server`);
  t.skip(`${what} is not on this server yet: this test runs once it lands`);
  return true;
}

/** Waits until the frame on screen (the player's own report) is the one at sec, within half a
 *  frame; on timeout the error says where the player is. */
export async function waitShown(page, sec, { fps = 10, timeout = 30000 } = {}) {
  try {
    await page.waitForFunction(([s, f]) => {
      const v = Number(document.querySelector('#timeline .tl-track')?.dataset.shown);
      return Math.abs(v - s) < 0.5 / f;
    }, [sec, fps], { timeout });
  } catch (err) {
    const state = await page.evaluate(() => {
      const v = document.querySelector('#video');
      return { shown: document.querySelector('#timeline .tl-track')?.dataset.shown, currentTime: v.currentTime,
        readyState: v.readyState, seeking: v.seeking, paused: v.paused, src: v.currentSrc, hash: location.hash };
    }).catch(() => ({}));
    throw new Error(`the frame at ${sec} s never came on screen: ${JSON.stringify(state)}\n${err.message}`);
  }
}

/** Fills the login screen and submits it (the screen must be up; AUTH=on servers). */
export async function submitLogin(page, user, password) {
  await page.fill('#login-form input[name=user]', user);
  await page.fill('#login-form input[name=password]', password);
  await page.click('#login-form button[type=submit]');
}
