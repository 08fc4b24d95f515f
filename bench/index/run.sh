#!/usr/bin/env bash
# Background index: throughput vs the model's bound, real-time factor and size on a 1080p
# weighing video; then count_at_time and counts latency under wrk (200 connections).
# Usage: bench/index/run.sh [build-dir] [video-seconds=120]
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build/release}
SECONDS_LONG=${2:-120}
BIN="$BUILD/src/app/pigweight"
WORK=$(mktemp -d)
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT

"$BIN" gen-scene --seed 31 --count 30 --width 640 --height 384 --images 0 --video "$SECONDS_LONG" --fps 10 \
  --gop 50 --no-video-polygons --out "$WORK/pen" > /dev/null
ffmpeg -loglevel error -i "$WORK/pen/video.mp4" -vf "scale=1920:1080,fps=25" -c:v libx264 -preset ultrafast \
  -g 50 -pix_fmt yuv420p "$WORK/pen1080.mp4"
echo "== index throughput (1080p, ${SECONDS_LONG} s, demo model)"
"$BUILD/bench/index/index_bench" "$WORK/pen1080.mp4" models/pigweight-demo.onnx 5 2

echo "== count_at_time and counts under wrk -c200"
PORT=18931
PRELOAD_MODEL=1 AUTO_INDEX=1 LOG_LEVEL=warn "$BIN" serve --host 127.0.0.1 --port $PORT --data-dir "$WORK/data" &
SERVER=$!
sleep 1
ID=$(curl -s -X POST "http://127.0.0.1:$PORT/api/videos" -d "{\"path\":\"$WORK/pen1080.mp4\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["videos"][0]["id"])')
until curl -s "http://127.0.0.1:$PORT/api/videos/$ID/index" | grep -q '"state":"done"'; do sleep 1; done
cat > "$WORK/random_t.lua" <<LUA
math.randomseed(7)
request = function()
  return wrk.format("GET", "/api/video_file/count_at_time?id=$ID&t=" .. string.format("%.2f", math.random() * $SECONDS_LONG))
end
LUA
for C in 200 10; do
  echo "-- count_at_time, random t, $C connections"
  wrk -t2 -c$C -d10s --latency -s "$WORK/random_t.lua" "http://127.0.0.1:$PORT" | grep -E "Requests/sec|50%|99%"
  echo "-- counts (whole video, 500 points), $C connections"
  wrk -t2 -c$C -d10s --latency "http://127.0.0.1:$PORT/api/videos/$ID/counts?points=500" | grep -E "Requests/sec|50%|99%"
done
