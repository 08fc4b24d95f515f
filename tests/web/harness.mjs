// Shared helpers for browser tests: start the real pigweight binary on an ephemeral port and a
// headless Debian Chromium driven by playwright-core.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const artifactsDir = process.env.PW_ARTIFACTS || path.join(tmpdir(), 'pigweight-artifacts');
mkdirSync(artifactsDir, { recursive: true });

export async function startServer(extraArgs = [], extraEnv = {}) {
  const bin = process.env.PW_BIN;
  if (!bin) throw new Error('PW_BIN is not set (run through ctest)');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'pw-web-'));
  const proc = spawn(bin, ['serve', '--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir, ...extraArgs], {
    env: { ...process.env, PRELOAD_MODEL: '0', ...extraEnv },
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
  return {
    url: (p) => `http://127.0.0.1:${port}${p}`,
    log: () => log,
    async stop() {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}
