# Operator-style entry points. Everything builds out of tree under build/.
BUILD ?= build
ASAN_BUILD ?= build-asan
JOBS ?= 2
CMAKE_FLAGS ?=

.PHONY: setup build build-asan build-tsan test test-asan test-tsan check demo bench fuzz fuzz-smoke clean

setup:
	bash scripts/setup.sh

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS)

build: $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# ThreadSanitizer over the tests of Tidemark's own threaded code (the read-ahead source, the backup's
# pass on three threads, the digest's batches on a BackgroundThread). Third-party libraries are not instrumented, so suites that run cpprestsdk's
# threads are left out.
TSAN_BUILD ?= build-tsan
TSAN_TESTS ?= io_test snapshot_pipeline_test digest_batch_test
build-tsan:
	cmake -S . -B $(TSAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE= -DCMAKE_CXX_FLAGS="-O1 -g1" -DTIDEMARK_TSAN=ON >/dev/null
	cmake --build $(TSAN_BUILD) -j $(JOBS) --target $(TSAN_TESTS)

test-tsan: build-tsan
	for t in $(TSAN_TESTS); do $(TSAN_BUILD)/bin/$$t || exit 1; done

# -O1 -g1: sanitizer reports keep file:line, and the build takes a fraction of -O2 -g's time.
$(ASAN_BUILD)/build.ninja:
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE= -DCMAKE_CXX_FLAGS="-O1 -g1" -DTIDEMARK_SANITIZE=ON

build-asan: $(ASAN_BUILD)/build.ninja
	cmake --build $(ASAN_BUILD) -j $(JOBS)

test-asan: build-asan
	cd $(ASAN_BUILD) && ctest --output-on-failure -j $(JOBS)

# The README's test command: everything CI runs, from a fresh machine (as root, for apt-get).
# (scripts/check.sh overlaps each stage's tests with the next stage's build.)
check: setup
	bash scripts/check.sh

demo: build
	bash scripts/demo.sh $(BUILD)

bench: build
	bash bench/verify_bench.sh $(BUILD)

fuzz:
	bash fuzz/run.sh 300

fuzz-smoke:
	bash fuzz/run.sh 15

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(TSAN_BUILD) build-fuzz build-logs
