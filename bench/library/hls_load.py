#!/usr/bin/env python3
"""HLS playback load: N clients read a large video's segments at K x real time; server RSS sampled.

Makes a big H.264 MP4 (a 1080p clip looped with -stream_loop -c copy up to --gb), registers it,
then --clients threads each walk the playlist from a different start, fetching one segment per
(segment duration / --speed) seconds, for --seconds. Prints the server's RSS every 5 s, bytes
served, the segment latency p50/p95 and errors; the goal is a flat RSS (bounded by the segment
cache, SEGMENT_CACHE_MB) whatever the file size. Deletes the file afterwards.
Usage: bench/library/hls_load.py [BUILD_DIR] [--gb 10] [--clients 20] [--speed 4] [--seconds 120]
"""
import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

p = argparse.ArgumentParser()
p.add_argument("build", nargs="?", default="build/release")
p.add_argument("--gb", type=float, default=10)
p.add_argument("--clients", type=int, default=20)
p.add_argument("--speed", type=float, default=4)
p.add_argument("--seconds", type=float, default=120)
args = p.parse_args()
binary = os.path.join(args.build, "src/app/pigweight")

work = tempfile.mkdtemp(prefix="pw-hls-load-")
try:
    clip = os.path.join(work, "clip.mp4")
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=25", "-t", "60",
                    "-c:v", "libx264", "-preset", "ultrafast", "-g", "50", "-b:v", "8M", "-pix_fmt", "yuv420p",
                    clip], check=True)
    loops = max(0, int(args.gb * 1e9 / os.path.getsize(clip)) - 1)
    big = os.path.join(work, "big.mp4")
    t0 = time.time()
    subprocess.run(["ffmpeg", "-v", "error", "-stream_loop", str(loops), "-i", clip, "-c", "copy", big], check=True)
    os.remove(clip)
    print(f"made {os.path.getsize(big)/1e9:.1f} GB ({loops+1} x 60 s) in {time.time()-t0:.0f} s", flush=True)

    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
    server = subprocess.Popen([binary, "serve", "--host", "127.0.0.1", "--port", str(port), "--data-dir",
                               os.path.join(work, "data"), "--preload-model", "0", "--log-level", "warn"])
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1); break
        except OSError:
            time.sleep(0.05)
    req = urllib.request.Request(base + "/api/videos", data=json.dumps({"path": big}).encode(),
                                 headers={"Content-Type": "application/json"})
    t0 = time.time()
    video = json.load(urllib.request.urlopen(req, timeout=600))["videos"][0]
    print(f"registered in {time.time()-t0:.2f} s (probe + keyframe index)", flush=True)
    prefix = f"{base}/api/videos/{video['id']}/hls/"
    playlist = urllib.request.urlopen(prefix + "index.m3u8").read().decode()
    segs, durs = [], []
    for line in playlist.splitlines():
        if line.startswith("#EXTINF:"):
            durs.append(float(line[8:].split(",")[0]))
        elif line and not line.startswith("#"):
            segs.append(line)

    def rss_mb():
        with open(f"/proc/{server.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return 0

    stop = time.time() + args.seconds
    lock = threading.Lock()
    stats = {"bytes": 0, "errors": 0, "lat": []}

    def client(k):
        i = (k * len(segs)) // args.clients
        urllib.request.urlopen(prefix + "init.mp4").read()
        while time.time() < stop:
            t = time.time()
            try:
                n = len(urllib.request.urlopen(prefix + segs[i % len(segs)], timeout=30).read())
                with lock:
                    stats["bytes"] += n
                    stats["lat"].append(time.time() - t)
            except OSError:
                with lock:
                    stats["errors"] += 1
            pace = durs[i % len(durs)] / args.speed
            i += 1
            time.sleep(max(0.0, pace - (time.time() - t)))

    threads = [threading.Thread(target=client, args=(k,)) for k in range(args.clients)]
    for t in threads:
        t.start()
    samples = []
    while time.time() < stop:
        samples.append(rss_mb())
        time.sleep(5)
    for t in threads:
        t.join()
    lat = sorted(stats["lat"])
    print(f"{args.clients} clients at {args.speed}x for {args.seconds:.0f} s: "
          f"{stats['bytes']/1e9:.2f} GB served, {len(lat)} segments, {stats['errors']} errors")
    if lat:
        print(f"segment latency p50 {statistics.median(lat)*1000:.0f} ms, p95 {lat[int(len(lat)*0.95)]*1000:.0f} ms")
    print("server RSS MB every 5 s: " + " ".join(f"{x:.0f}" for x in samples))
    print(f"RSS first {samples[0]:.0f} MB, max {max(samples):.0f} MB, last {samples[-1]:.0f} MB")
    server.terminate()
    server.wait()
finally:
    shutil.rmtree(work, ignore_errors=True)
