// WebRTC viewers for the soak (bench/soak/soak.py --webrtc N): N pages of one headless Chromium,
// each watching a random camera over WHEP for 5-40 s, then closing the session (DELETE on its
// resource, as the UI does) and starting again, until --seconds have passed. A session counts as
// an error when the offer is not answered 201 or no frame arrives within 10 s; 503 (the server's
// WEBRTC_MAX_SESSIONS cap) is counted apart. Prints one line at the end:
//   WEBRTC_JSON {"sessions":..,"errors":..,"refused_503":..,"first_frame_ms_p50":..,"error_examples":[..]}
//
// Usage: node bench/soak/webrtc_viewers.mjs --base http://127.0.0.1:PORT --cameras soak0,soak1 --viewers 3 --seconds 600
import { launchBrowser } from '../../tests/web/harness.mjs';
import { whepInPage } from '../../tests/web/whep_client.mjs';

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => {
  if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1]]);
  return acc;
}, []));
const base = args.base;
const cameras = (args.cameras || '').split(',').filter(Boolean);
const viewers = Number(args.viewers || 3);
const seconds = Number(args.seconds || 600);
if (!base || !cameras.length) {
  console.error('usage: webrtc_viewers.mjs --base URL --cameras a,b [--viewers 3] [--seconds 600]');
  process.exit(2);
}

const stats = { sessions: 0, errors: 0, refused_503: 0, firstFrames: [], examples: [] };
const end = Date.now() + seconds * 1000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let stopping = false;
process.on('SIGTERM', () => { stopping = true; });

async function viewer(browser, n) {
  while (!stopping && Date.now() < end) {
    const page = await browser.newPage();
    const cam = cameras[Math.floor(Math.random() * cameras.length)];
    try {
      await page.goto(`${base}/healthz`);
      const r = await whepInPage(page, encodeURIComponent(cam));
      stats.sessions++;
      if (r.status === 503) {
        stats.refused_503++;
      } else if (r.status !== 201 || r.firstFrameMs < 0) {
        stats.errors++;
        if (stats.examples.length < 10) stats.examples.push(`viewer ${n} ${cam}: ${r.status} ${r.body || 'no frame within 10 s'}`);
      } else {
        stats.firstFrames.push(r.firstFrameMs);
        const hold = 5000 + Math.random() * 35000;
        await sleep(Math.min(hold, Math.max(0, end - Date.now())));
        if (r.location) await page.evaluate((loc) => fetch(loc, { method: 'DELETE' }), r.location).catch(() => {});
      }
    } catch (err) {
      stats.errors++;
      if (stats.examples.length < 10) stats.examples.push(`viewer ${n} ${cam}: ${err.message || err}`);
    } finally {
      await page.close().catch(() => {});
    }
    await sleep(500 + Math.random() * 2000);
  }
}

const browser = await launchBrowser();
await Promise.all(Array.from({ length: viewers }, (_, i) => viewer(browser, i)));
await browser.close();
const sorted = stats.firstFrames.sort((a, b) => a - b);
console.log(`WEBRTC_JSON ${JSON.stringify({
  sessions: stats.sessions, errors: stats.errors, refused_503: stats.refused_503,
  first_frame_ms_p50: sorted.length ? Math.round(sorted[Math.floor(sorted.length / 2)]) : null,
  error_examples: stats.examples,
})}`);
