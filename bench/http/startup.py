#!/usr/bin/env python3
"""Time from process start to the first successful GET /healthz (goal < 0.5 s).

Starts `pigweight serve` N times on a free port with a fresh DATA_DIR, polls /healthz over a raw
socket as fast as possible, and prints the median and worst time. Baseline in the same run: the
time to start `/bin/true` through the same spawn path (process creation cost).
Usage: bench/http/startup.py [BUILD_DIR] [RUNS]
"""
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time

build = sys.argv[1] if len(sys.argv) > 1 else "build/release"
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 20
binary = os.path.join(build, "src/app/pigweight")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def healthy(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2) as s:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            return s.recv(64).startswith(b"HTTP/1.1 200")
    except OSError:
        return False


def one_start():
    port = free_port()
    with tempfile.TemporaryDirectory() as data:
        t0 = time.perf_counter()
        proc = subprocess.Popen([binary, "serve", "--host", "127.0.0.1", "--port", str(port),
                                 "--data-dir", data, "--preload-model", "0"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            while not healthy(port):
                if proc.poll() is not None:
                    raise SystemExit("pigweight exited during start-up")
                if time.perf_counter() - t0 > 10:
                    raise SystemExit("no /healthz within 10 s")
            return time.perf_counter() - t0
        finally:
            proc.terminate()
            proc.wait()


def spawn_baseline():
    t0 = time.perf_counter()
    subprocess.run(["/bin/true"], check=True)
    return time.perf_counter() - t0


times = [one_start() for _ in range(runs)]
base = statistics.median(spawn_baseline() for _ in range(runs))
print(f"start to first /healthz: median {statistics.median(times)*1000:.1f} ms, "
      f"worst {max(times)*1000:.1f} ms over {runs} starts (goal < 500 ms); "
      f"bare process spawn {base*1000:.1f} ms")
