#!/usr/bin/env python3
"""Soak and load: the real `pigweight serve` under everything at once, sampled every 10 s.

What runs, for --seconds (default 3600):
  - --cameras real RTSP cameras (pw_rtsp_test_server, 25 fps) added through the API and counted live;
  - --viewers viewers coming and going: each opens the MJPEG feed (or, every third one, the live HLS
    playlist and its parts when the server has it) of a random camera for 5-40 s, then leaves;
    --webrtc of them are WebRTC viewers instead (bench/soak/webrtc_viewers.mjs: headless Chromium
    doing WHEP, the same 5-40 s sessions; needs node, node_modules/playwright-core and chromium);
  - --stalled readers that open an MJPEG feed and never read a byte (slow clients);
  - indexing of a long video (--video-gb GB of generated H.264, made once and cached in --work);
  - API traffic from wrk (2 threads, 16 connections): video list, one video, count_at_time,
    /api/weighings, /healthz, /metrics.
Samples: RSS, open fds, threads, CPU seconds of the server process every --interval s, written to
OUT/samples.csv; at the end OUT/summary.json with the RSS slope (MB/h over the second half, after
warm-up), fd range, wrk's totals and non-2xx count, server log lines at error level.
Nothing here is a pass/fail test; it prints the figures for bench/README.md.

Usage: bench/soak/soak.py --bin build/release/src/app/pigweight
           --rtsp build/release/tools/rtsp-test-server/pw_rtsp_test_server [--seconds 600] [--out DIR]
"""
import argparse
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

HZ = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def proc_sample(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / HZ
    threads = int(fields[17])
    with open(f"/proc/{pid}/statm") as f:
        rss = int(f.read().split()[1]) * PAGE
    fds = len(os.listdir(f"/proc/{pid}/fd"))
    return {"rss_mb": rss / 2**20, "fds": fds, "threads": threads, "cpu_s": cpu}


def http_json(url, method="GET", body=None, timeout=10):
    req = urllib.request.Request(url, method=method, data=None if body is None else json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return json.loads(r.read() or b"null")


def start_camera(rtsp_bin):
    p = subprocess.Popen([rtsp_bin, "--port", "0", "--fps", "25", "--size", "640x360"], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, text=True)
    line = p.stdout.readline()
    m = re.match(r"PORT (\d+)", line)
    if not m:
        p.kill()
        sys.exit(f"rtsp test server did not start: {line!r}")
    return p, f"rtsp://127.0.0.1:{m.group(1)}/cam"


def make_long_video(bin_path, work, gigabytes):
    """A long H.264 file of about `gigabytes` GB: a generated 60 s weighing clip at a high bitrate,
    repeated with -c copy (cached in work)."""
    out = os.path.join(work, f"long-{gigabytes:g}gb.mp4")
    if os.path.exists(out):
        return out
    clip_dir = os.path.join(work, "clip")
    os.makedirs(clip_dir, exist_ok=True)
    subprocess.run([bin_path, "gen-scene", "--out", clip_dir, "--images", "0", "--video", "60", "--fps", "25",
                    "--width", "1280", "--height", "720", "--count", "20", "--seed", "11", "--no-video-polygons"],
                   check=True, stdout=subprocess.DEVNULL)
    clip = os.path.join(clip_dir, "video.mp4")
    hi = os.path.join(work, "clip-hi.mp4")  # ~8 Mbit/s, so 10 GB is ~3 h of video, as a long weighing day
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", clip, "-c:v", "libx264", "-preset", "ultrafast", "-b:v", "8M",
                    "-g", "50", hi], check=True)
    repeats = max(1, int(gigabytes * 2**30 / os.path.getsize(hi)))
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-stream_loop", str(repeats - 1), "-i", hi, "-c", "copy", out],
                   check=True)
    return out


class Viewers:
    """Viewers that come and go, and stalled readers that never read."""

    def __init__(self, base, cameras, count, stalled, hls):
        self.base, self.cameras, self.count, self.hls = base, cameras, count, hls
        self.stop = threading.Event()
        self.sessions = 0
        self.errors = []
        self.threads = [threading.Thread(target=self.viewer, args=(i,), daemon=True) for i in range(count)]
        self.stalled = []
        port = int(base.rsplit(":", 1)[1])
        for i in range(stalled):
            s = socket.create_connection(("127.0.0.1", port))
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            s.sendall(f"GET /api/cameras/{cameras[i % len(cameras)]}/mjpeg HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            self.stalled.append(s)

    def start(self):
        for t in self.threads:
            t.start()

    def viewer(self, i):
        rng = random.Random(i)
        while not self.stop.is_set():
            cam = rng.choice(self.cameras)
            stay = rng.uniform(5, 40)
            try:
                if self.hls and i % 3 == 0:
                    self.watch_hls(cam, stay)
                else:
                    self.watch_mjpeg(cam, stay)
                self.sessions += 1
            except Exception as e:  # noqa: BLE001 - recorded, the soak goes on
                self.errors.append(f"viewer {i} camera {cam}: {e}")
            self.stop.wait(rng.uniform(0.5, 5))

    def watch_mjpeg(self, cam, stay):
        end = time.time() + stay
        with urllib.request.urlopen(f"{self.base}/api/cameras/{cam}/mjpeg", timeout=10) as r:
            while time.time() < end and not self.stop.is_set():
                if not r.read(65536):
                    raise RuntimeError("the MJPEG feed ended")

    def watch_hls(self, cam, stay):
        end = time.time() + stay
        url = f"{self.base}/api/cameras/{cam}/live.m3u8"
        seen = set()
        while time.time() < end and not self.stop.is_set():
            with urllib.request.urlopen(url, timeout=10) as r:
                text = r.read().decode()
            for name in re.findall(r'URI="([^"]+)"', text) + [l for l in text.splitlines() if l and not l.startswith("#")]:
                if name in seen or "PRELOAD" in name:
                    continue
                seen.add(name)
                part_url = urllib.parse.urljoin(url, name)
                try:
                    urllib.request.urlopen(part_url, timeout=10).read()
                except urllib.error.HTTPError as e:
                    if e.code != 404:  # a part that left the window
                        raise
            self.stop.wait(0.5)

    def close(self):
        self.stop.set()
        for t in self.threads:
            t.join(timeout=60)
        for s in self.stalled:
            s.close()


WRK_LUA = r"""
local paths = {}
local i = 0
init = function(args)
  for _, p in ipairs(args) do paths[#paths + 1] = p end
end
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end
done = function(summary, latency, requests)
  io.write(string.format("WRK_JSON {\"requests\": %d, \"errors_status\": %d, \"errors_connect\": %d, \"errors_read\": %d, \"errors_timeout\": %d, \"p50_ms\": %.2f, \"p99_ms\": %.2f}\n",
    summary.requests, summary.errors.status, summary.errors.connect, summary.errors.read, summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", required=True)
    ap.add_argument("--rtsp", required=True)
    ap.add_argument("--seconds", type=float, default=3600)
    ap.add_argument("--interval", type=float, default=10)
    ap.add_argument("--cameras", type=int, default=4)
    ap.add_argument("--viewers", type=int, default=20)
    ap.add_argument("--webrtc", type=int, default=3, help="of the viewers, how many use WebRTC (0: none)")
    ap.add_argument("--stalled", type=int, default=5)
    ap.add_argument("--video-gb", type=float, default=10)
    ap.add_argument("--work", default="data/soak-work", help="cache for the long video")
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    out = args.out or tempfile.mkdtemp(prefix="pw-soak-")
    os.makedirs(out, exist_ok=True)
    print(f"making the long video ({args.video_gb:g} GB; cached) ...", flush=True)
    long_video = make_long_video(args.bin, args.work, args.video_gb)

    data = tempfile.mkdtemp(prefix="pw-soak-data-")
    cams = [start_camera(args.rtsp) for _ in range(args.cameras)]
    # wrk is one client standing in for many: the per-client frame limit would refuse most of it.
    env = dict(os.environ, AUTH="off", PRELOAD_MODEL="1", AUTO_INDEX="1", LOG_LEVEL="info", RATE_LIMIT_FRAMES="off")
    log = open(os.path.join(out, "server.log"), "w")
    server = subprocess.Popen([args.bin, "serve", "--host", "127.0.0.1", "--port", "0", "--data-dir", data],
                              stdout=log, stderr=subprocess.STDOUT, env=env)
    port = None
    for _ in range(300):
        time.sleep(0.1)
        m = re.search(r"listening on http://127\.0\.0\.1:(\d+)", open(log.name).read())
        if m:
            port = int(m.group(1))
            break
    if not port:
        sys.exit("the server did not start; see " + log.name)
    base = f"http://127.0.0.1:{port}"
    ids = []
    for i, (_, url) in enumerate(cams):
        http_json(base + "/api/cameras", "POST", {"id": f"soak{i}", "url": url, "enabled": True})
        ids.append(f"soak{i}")
    video = http_json(base + "/api/videos", "POST", {"path": long_video}, timeout=600)["videos"][0]
    hls = True
    try:
        urllib.request.urlopen(f"{base}/api/cameras/{ids[0]}/live.m3u8", timeout=15).read()
    except Exception:  # noqa: BLE001 - no live HLS on this server: MJPEG viewers only
        hls = False
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    webrtc_script = os.path.join(repo, "bench", "soak", "webrtc_viewers.mjs")
    webrtc_n = min(args.webrtc, args.viewers)
    if webrtc_n > 0 and not (shutil.which("node") and os.path.isdir(os.path.join(repo, "node_modules", "playwright-core"))
                             and os.path.exists("/usr/bin/chromium")):
        print("no node/playwright-core/chromium: no WebRTC viewers", flush=True)
        webrtc_n = 0
    viewers = Viewers(base, ids, args.viewers - webrtc_n, args.stalled, hls)
    viewers.start()
    paths = ["/healthz", "/api/videos", f"/api/videos/{video['id']}", "/api/weighings?limit=20", "/metrics",
             f"/api/video_file/count_at_time?id={video['id']}&t=12.5", f"/api/videos/{video['id']}/counts"]
    lua = os.path.join(out, "mix.lua")
    with open(lua, "w") as f:
        f.write(WRK_LUA)
    wrk = subprocess.Popen(["wrk", "-t2", "-c16", f"-d{int(args.seconds)}s", "--timeout", "10s", "-s", lua, base, "--",
                            *paths], stdout=subprocess.PIPE, text=True)

    webrtc = None
    if webrtc_n > 0:
        webrtc = subprocess.Popen(["node", webrtc_script, "--base", base, "--cameras", ",".join(ids), "--viewers",
                                   str(webrtc_n), "--seconds", str(int(args.seconds))], stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True)
    samples = []
    t0 = time.time()
    with open(os.path.join(out, "samples.csv"), "w") as csv:
        csv.write("t_s,rss_mb,fds,threads,cpu_s,index_done\n")
        while time.time() - t0 < args.seconds and server.poll() is None:
            s = proc_sample(server.pid)
            try:
                st = http_json(f"{base}/api/videos/{video['id']}/index", timeout=5)
                s["index_done"] = st.get("percent", "")
            except Exception:  # noqa: BLE001
                s["index_done"] = ""
            s["t_s"] = round(time.time() - t0, 1)
            samples.append(s)
            csv.write(f"{s['t_s']},{s['rss_mb']:.1f},{s['fds']},{s['threads']},{s['cpu_s']:.1f},{s['index_done']}\n")
            csv.flush()
            print(f"t={s['t_s']:7.1f}s rss={s['rss_mb']:7.1f} MB fds={s['fds']:4d} threads={s['threads']:3d} "
                  f"cpu={s['cpu_s']:8.1f}s index={s['index_done']} viewer sessions={viewers.sessions}", flush=True)
            time.sleep(args.interval)
    crashed = server.poll() is not None
    wrk_out = wrk.communicate(timeout=120)[0] if not crashed else ""
    webrtc_json = {}
    if webrtc:
        try:
            webrtc_out = webrtc.communicate(timeout=120)[0]
        except subprocess.TimeoutExpired:
            webrtc.kill()
            webrtc_out = webrtc.communicate()[0]
        m = re.search(r"WEBRTC_JSON (\{.*\})", webrtc_out or "")
        webrtc_json = json.loads(m.group(1)) if m else {"error": (webrtc_out or "")[-2000:]}
    viewers.close()
    wrk_json = {}
    m = re.search(r"WRK_JSON (\{.*\})", wrk_out)
    if m:
        wrk_json = json.loads(m.group(1))
    engine = {}
    if not crashed:
        try:
            st = http_json(f"{base}/debug/infer_status", timeout=10)
            engine = {"counts": st.get("counts"), "queues": st.get("queues"),
                      "throughput_fps": st.get("throughput_fps")}
        except Exception as e:  # noqa: BLE001
            engine = {"error": str(e)}
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
    for p, _ in cams:
        p.terminate()
        p.wait()
    log.close()
    text = open(log.name).read()
    errors = [l for l in text.splitlines() if " error " in l or " critical " in l]

    def slope(points):  # least squares, MB per hour
        if len(points) < 3:
            return None
        xs = [p["t_s"] for p in points]
        ys = [p["rss_mb"] for p in points]
        mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
        den = sum((x - mx) ** 2 for x in xs)
        return None if den == 0 else 3600 * sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / den

    half = samples[len(samples) // 2:]
    summary = {
        "seconds": round(time.time() - t0), "crashed": crashed, "cameras": args.cameras, "viewers": args.viewers,
        "stalled_readers": args.stalled, "live_hls_viewers": hls, "viewer_sessions": viewers.sessions,
        "webrtc_viewers": webrtc_n, "webrtc": webrtc_json,
        "viewer_errors": viewers.errors[:20], "viewer_error_count": len(viewers.errors),
        "rss_mb_first": samples[0]["rss_mb"] if samples else None,
        "rss_mb_max": max(s["rss_mb"] for s in samples) if samples else None,
        "rss_mb_last": samples[-1]["rss_mb"] if samples else None,
        "rss_slope_mb_per_h_second_half": slope(half),
        "fds_min": min(s["fds"] for s in samples) if samples else None,
        "fds_max": max(s["fds"] for s in samples) if samples else None,
        "fds_last": samples[-1]["fds"] if samples else None,
        "threads_max": max(s["threads"] for s in samples) if samples else None,
        "cpu_s": samples[-1]["cpu_s"] if samples else None,
        "wrk": wrk_json, "server_error_lines": len(errors), "server_error_examples": errors[:10],
        "long_video_bytes": os.path.getsize(long_video),
        "index_percent_last": samples[-1].get("index_done") if samples else None, "engine": engine,
    }
    with open(os.path.join(out, "summary.json"), "w") as f:
        json.dump(summary, f, indent=2)
    print(json.dumps(summary, indent=2))
    shutil.rmtree(data, ignore_errors=True)
    return 1 if crashed else 0


if __name__ == "__main__":
    sys.exit(main())
