// WHEP in headless Chromium, shared by the WebRTC browser tests: a real RTSP camera
// (pw_rtsp_test_server) and a WHEP client running in the page.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

export function rtspServerBinary() {
  if (process.env.PW_RTSP_SERVER) return process.env.PW_RTSP_SERVER;
  // PW_BIN is <build>/src/app/pigweight or <build>/tests/webrtc/pw_whep_test_server.
  const build = path.resolve(path.dirname(process.env.PW_BIN || '.'), '../..');
  return path.join(build, 'tools/rtsp-test-server/pw_rtsp_test_server');
}

/** Starts pw_rtsp_test_server with `args` (e.g. ['--bframes', '2'] or ['--codec', 'h265']); null when not built. */
export async function startCamera(args = []) {
  const bin = rtspServerBinary();
  if (!existsSync(bin)) return null;
  const proc = spawn(bin, ['--port', '0', '--gop', '25', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`RTSP test server did not start: ${out}`)), 15000);
    proc.stdout.on('data', (d) => {
      out += d;
      const m = /PORT (\d+)/.exec(out);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`RTSP test server exited ${code}: ${out}`)); });
  });
  return { url: `rtsp://127.0.0.1:${port}/cam`, stop: () => proc.kill('SIGTERM') };
}

// In the page: a WHEP client (receive-only H.264 video + a "pigweight" data channel that pings
// every second as the heartbeat). Resolves with the answer status and timings.
export async function whepInPage(page, camera) {
  return page.evaluate(async (cam) => {
    const pc = new RTCPeerConnection();
    window.__pc = pc;
    window.__messages = [];
    pc.addTransceiver('video', { direction: 'recvonly' });
    const dc = pc.createDataChannel('pigweight');
    dc.onmessage = (e) => window.__messages.push(e.data);
    dc.onopen = () => { window.__ping = setInterval(() => dc.send('ping'), 1000); };
    const video = document.createElement('video');
    Object.assign(video, { muted: true, autoplay: true, playsInline: true });
    document.body.appendChild(video);
    window.__frames = 0;
    const onFrame = () => { window.__frames++; video.requestVideoFrameCallback(onFrame); };
    pc.ontrack = (e) => { video.srcObject = e.streams[0] || new MediaStream([e.track]); };
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise((resolve) => {
      if (pc.iceGatheringState === 'complete') return resolve();
      pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && resolve());
      setTimeout(resolve, 2000);
    });
    const t0 = performance.now();
    const res = await fetch(`/api/cameras/${cam}/whep`, {
      method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: pc.localDescription.sdp,
    });
    const body = await res.text();
    if (res.status !== 201) return { status: res.status, body };
    const answeredMs = performance.now() - t0;
    await pc.setRemoteDescription({ type: 'answer', sdp: body });
    const firstFrameMs = await new Promise((resolve) => {
      video.requestVideoFrameCallback(() => { resolve(performance.now() - t0); onFrame(); });
      setTimeout(() => resolve(-1), 10000);
    });
    return { status: 201, location: res.headers.get('Location'), answeredMs, firstFrameMs,
      width: video.videoWidth, height: video.videoHeight };
  }, camera);
}
