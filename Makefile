# PigWeight: the two commands a farm's IT person needs are `make run` and `make test`.
#   make run     install what is missing, build (Release), start the server on 0.0.0.0:8000
#   make test    install what is missing, build, run every test (Release: all; ASan/UBSan: unit)
#   make bench   run the benchmarks in bench/ (see bench/README.md)
#   make fuzz    build the libFuzzer targets (clang) and run each FUZZ_SECONDS (default 20) over its corpus
SHELL := /bin/bash
JOBS ?= $(shell nproc)
RELEASE := build/release
ASAN := build/asan
CMAKE_FLAGS := -G Ninja -DCMAKE_EXPORT_COMPILE_COMMANDS=ON
# ccache (when installed): paths relative to the checkout, so another clone of the same sources
# (CI, a second working copy) reuses the compiled objects.
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := true

.PHONY: run test build build-asan bootstrap bench clean unit fuzz

bootstrap:
	@scripts/bootstrap

$(RELEASE)/build.ninja:
	cmake -S . -B $(RELEASE) $(CMAKE_FLAGS) -DCMAKE_BUILD_TYPE=Release -DPW_SANITIZE=OFF

$(ASAN)/build.ninja:
	cmake -S . -B $(ASAN) $(CMAKE_FLAGS) -DCMAKE_BUILD_TYPE=Debug -DPW_SANITIZE=ON -DPW_BUILD_BENCH=OFF

build: bootstrap $(RELEASE)/build.ninja
	cmake --build $(RELEASE) -j $(JOBS)

build-asan: bootstrap $(ASAN)/build.ninja
	cmake --build $(ASAN) -j $(JOBS)

DEMO_VIDEO := data/demo/video.mp4

# A couple of minutes of generated weighing-pen video, made once (into a temporary folder, moved
# into place only when complete), so a first start shows piglets at once. Delete data/demo to
# make it again. Registering it again at each start is cheap (same content, same video).
$(DEMO_VIDEO): | build
	rm -rf data/demo.tmp
	$(RELEASE)/src/app/pigweight gen-scene --seed 2026 --min 12 --max 40 --width 960 --height 540 \
	  --images 0 --video 120 --fps 10 --gop 20 --no-video-polygons --out data/demo.tmp
	rm -rf data/demo && mv data/demo.tmp data/demo

run: build $(DEMO_VIDEO)
	$(RELEASE)/src/app/pigweight library add $(DEMO_VIDEO) --data-dir "$${DATA_DIR:-data}" > /dev/null
	$(RELEASE)/src/app/pigweight serve

test: build build-asan
	cd $(RELEASE) && ctest --output-on-failure -j $(JOBS) --timeout 900
	cd $(ASAN) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --output-on-failure -j $(JOBS) -L unit --timeout 900
	scripts/fuzz

fuzz: bootstrap
	scripts/fuzz

unit: build
	cd $(RELEASE) && ctest --output-on-failure -j $(JOBS) -L unit

bench: build
	bench/run_all

clean:
	rm -rf build
