#!/usr/bin/env python3
"""Live LL-HLS benchmark: the real `pigweight serve` with a real RTSP camera (pw_rtsp_test_server).

Measures, for one camera:
  - part latency: wall time from the arrival of a part's last frame at the server (from the
    playlist's EXT-X-PROGRAM-DATE-TIME and the part durations) to the moment a client doing blocking
    reloads (_HLS_msn/_HLS_part, as hls.js does) has the playlist announcing it, and then its bytes;
  - CPU of the server process with the camera ingested and no viewer (baseline) and with one
    live HLS viewer, so the cost of the HLS remux per camera is the difference (ratio printed).

Usage: live_hls_latency.py --bin build/release/src/app/pigweight
         --rtsp build/release/tools/rtsp-test-server/pw_rtsp_test_server [--seconds 20] [--size 1280x720]
"""
import argparse
import datetime
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

HZ = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / HZ


def wait_line(log_path, pattern, timeout=30):
    """Waits until the process's log file (its stdout + stderr) matches pattern."""
    end = time.time() + timeout
    text = ""
    while time.time() < end:
        with open(log_path, errors="replace") as f:
            text = f.read()
        m = re.search(pattern, text)
        if m:
            return m
        time.sleep(0.05)
    raise RuntimeError(f"did not see {pattern!r}:\n{text[-2000:]}")


def get(url, timeout=15):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.status, r.read()


def parse_window(text):
    """Returns (parts, hint): parts as [(msn, index, end_wall_s, duration_s)], hint (msn, part)."""
    parts = []
    seg_wall = None
    offset = 0.0
    msn = None
    for line in text.splitlines():
        if line.startswith("#EXT-X-PROGRAM-DATE-TIME:"):
            stamp = line.split(":", 1)[1].replace("Z", "+00:00")
            seg_wall = datetime.datetime.fromisoformat(stamp).timestamp()
            offset = 0.0
        elif line.startswith("#EXT-X-PART:"):
            d = float(re.search(r"DURATION=([0-9.]+)", line).group(1))
            m = re.search(r"part-(\d+)\.(\d+)\.m4s", line)
            msn, idx = int(m.group(1)), int(m.group(2))
            offset += d
            parts.append((msn, idx, seg_wall + offset, d))
    h = re.search(r"PRELOAD-HINT:TYPE=PART,URI=\"live/part-(\d+)\.(\d+)\.m4s\"", text)
    return parts, (int(h.group(1)), int(h.group(2))) if h else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--rtsp", required=True)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--size", default="1280x720")
    ap.add_argument("--fps", type=int, default=25)
    a = ap.parse_args()

    data = tempfile.mkdtemp(prefix="pw-hls-bench-")
    cam_log, srv_log = os.path.join(data, "camera.log"), os.path.join(data, "server.log")
    cam = subprocess.Popen([a.rtsp, "--port", "0", "--size", a.size, "--fps", str(a.fps)],
                           stdout=open(cam_log, "w"), stderr=subprocess.STDOUT)
    port = wait_line(cam_log, r"PORT (\d+)").group(1)
    env = dict(os.environ, CAM_URL=f"rtsp://127.0.0.1:{port}/cam", AUTO_START_CAM="1", PRELOAD_MODEL="0", AUTH="0")
    srv = subprocess.Popen([a.bin, "serve", "--host", "127.0.0.1", "--port", "0", "--data-dir", data],
                           stdout=open(srv_log, "w"), stderr=subprocess.STDOUT, env=env)
    try:
        http_port = wait_line(srv_log, r"listening on http://127\.0\.0\.1:(\d+)").group(1)
        base = f"http://127.0.0.1:{http_port}/api/cameras/cam1"
        # Let the camera connect and settle, then the baseline: ingest (read + decode) only.
        for _ in range(100):
            try:
                if get(f"{base}/snapshot")[0] == 200:
                    break
            except Exception:
                pass
            time.sleep(0.2)
        time.sleep(2)
        c0, t0 = cpu_seconds(srv.pid), time.time()
        time.sleep(a.seconds / 2)
        base_cpu = (cpu_seconds(srv.pid) - c0) / (time.time() - t0)

        # One LL-HLS viewer doing blocking reloads, as hls.js does, for `seconds`.
        for _ in range(50):
            try:
                status, body = get(f"{base}/live.m3u8")
                if status == 200:
                    break
            except Exception:
                time.sleep(0.2)
        announce, served, part_bytes = [], [], []
        c0, t0 = cpu_seconds(srv.pid), time.time()
        _, hint = parse_window(body.decode())
        frame_s = 1.0 / a.fps
        while time.time() - t0 < a.seconds:
            _, body = get(f"{base}/live.m3u8?_HLS_msn={hint[0]}&_HLS_part={hint[1]}")
            got = time.time()
            parts, new_hint = parse_window(body.decode())
            mine = [p for p in parts if (p[0], p[1]) == hint]
            if mine:
                msn, idx, end_wall, _ = mine[0]
                last_frame_arrival = end_wall - frame_s
                announce.append((got - last_frame_arrival) * 1000)
                _, data_bytes = get(f"{base}/live/part-{msn}.{idx}.m4s")
                served.append((time.time() - last_frame_arrival) * 1000)
                part_bytes.append(len(data_bytes))
            hint = new_hint
        hls_cpu = (cpu_seconds(srv.pid) - c0) / (time.time() - t0)
    finally:
        srv.terminate()
        cam.terminate()
        srv.wait(15)
        cam.wait(15)
        shutil.rmtree(data, ignore_errors=True)

    def stats(xs):
        xs = sorted(xs)
        return f"median {statistics.median(xs):.0f} ms, p95 {xs[int(len(xs) * 0.95) - 1]:.0f} ms, n={len(xs)}"

    print(f"camera {a.size} @ {a.fps} fps, part target 0.4 s, segment target 2 s")
    print(f"part announced (blocking reload answered) after its last frame arrived: {stats(announce)}")
    print(f"part bytes received after its last frame arrived:                       {stats(served)}")
    print(f"mean part size: {statistics.mean(part_bytes) / 1024:.1f} KiB")
    print(f"server CPU, camera ingest only (baseline): {base_cpu * 100:.1f} % of one core")
    print(f"server CPU, ingest + one live HLS viewer:  {hls_cpu * 100:.1f} % of one core "
          f"(x{hls_cpu / base_cpu:.2f} baseline; HLS ≈ {(hls_cpu - base_cpu) * 100:.1f} % of a core per camera)")
    print("expected player latency: hls.js lowLatencyMode holds PART-HOLD-BACK = 1.2 s behind the live edge")
    return 0


if __name__ == "__main__":
    sys.exit(main())
