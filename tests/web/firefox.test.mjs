// Cross-browser check: the operator page also loads and runs in Debian's Firefox ESR (headless,
// its own --screenshot mode: Playwright drives only Chromium here). The screenshot is kept as an
// artefact; the server's request log proves Firefox ran the page's ES modules and called the API.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, artifactsDir, ensureVendor, makeVideo, registerVideo } from './harness.mjs';

const FIREFOX = process.env.FIREFOX || '/usr/bin/firefox-esr';
let server;

before(async () => {
  ensureVendor();
  server = await startServer();
});
after(async () => { await server?.stop(); });

// Width and height of a PNG file (from its IHDR chunk).
function pngSize(file) {
  const b = readFileSync(file);
  assert.equal(b.toString('latin1', 1, 4), 'PNG');
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

test('the page loads and runs in Firefox ESR', async (t) => {
  if (!existsSync(FIREFOX)) { t.skip(`${FIREFOX} is not installed (scripts/bootstrap installs firefox-esr)`); return; }
  const video = makeVideo({ seconds: 4 });
  t.after(() => video.cleanup());
  const { id } = await registerVideo(server, video.file);
  const profile = mkdtempSync(path.join(tmpdir(), 'pw-firefox-'));
  const shot = path.join(artifactsDir, 'firefox.png');
  rmSync(shot, { force: true });
  try {
    const r = spawnSync(FIREFOX, ['--no-remote', '--profile', profile, '--screenshot', shot, '--window-size=1280,800',
      server.url(`/#/video/${id}`)], { env: { ...process.env, MOZ_HEADLESS: '1' }, timeout: 120000, encoding: 'utf8' });
    assert.ok(existsSync(shot), `no screenshot: ${r.stderr}`);
    assert.deepEqual(pngSize(shot), { width: 1280, height: 800 });
    // The module graph was loaded and its first module ran and called the API (auth.js asks
    // /api/me before the rest starts; Firefox's one-shot screenshot mode may quit before the app's
    // own calls, which wait for that answer). The server flushes its log every second: wait for
    // the lines rather than read once.
    const seen = (p) => server.log().includes(`"GET ${p}"`);
    for (let i = 0; i < 100 && !(seen('/js/player.js') && seen('/api/me')); i += 1) {
      await new Promise((r) => setTimeout(r, 100));
    }
    for (const p of ['/js/player.js', '/js/journal.js', '/api/me']) {
      assert.ok(seen(p), `Firefox did not request ${p}:\n${server.log().slice(-3000)}`);
    }
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
});
