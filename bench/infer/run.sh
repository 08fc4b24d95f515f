#!/usr/bin/env bash
# Inference: bare OpenCV forward vs the whole engine path (1 and 2 workers), fixture models at
# 640x640, 640x384 (16:9) and 416x256. Usage: bench/infer/run.sh [build-dir] [seconds-per-config]
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build/release}
"$BUILD/bench/infer/infer_bench" "${2:-12}"
