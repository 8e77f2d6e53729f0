# The two commands of the quick start: `make demo` and `make test`. Everything else is CMake.
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
# The checked builds of docs/SECURITY.md: the test suite under ASan+UBSan, and the fuzz targets.
ASAN_BUILD_DIR ?= build-asan
FUZZ_SECONDS ?= 60

.PHONY: all deps build test test-asan fuzz demo package package-test clean

all: build

deps:
	@deploy/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) >/dev/null
	@cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) --timeout 600

# The whole suite built with -fsanitize=address,undefined; any finding fails the test that hit it.
# clang, because it builds this tree in less than half gcc's time (docs/SECURITY.md).
test-asan: deps
	@cmake -S . -B $(ASAN_BUILD_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++-14 \
	  -DTONGHOP_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN_BUILD_DIR) -j $(JOBS)
	cd $(ASAN_BUILD_DIR) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --output-on-failure -j $(JOBS) --timeout 900

# Every libFuzzer target for FUZZ_SECONDS each (clang, in build-fuzz/); new coverage is merged
# into fuzz/corpus/, to be committed. fuzz/run.sh --help for more.
fuzz: deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) fuzz/run.sh --merge

# Randomized fault schedules, many of them: `make soak SCHEDULES=200 UPDATES=20000`, each mode in
# turn; SOAK_TEST picks one: NothingLostNothingCountedTwiceUnderRandomFaults (one aggregator) or
# APairConvergesUnderRandomFaults (a pair, issue 15).
SCHEDULES ?= 200
UPDATES ?= 20000
SOAK_TEST ?= *
soak: build
	TONGHOP_FAULT_SCHEDULES=$(SCHEDULES) TONGHOP_FAULT_UPDATES=$(UPDATES) \
	  $(BUILD_DIR)/tests/system_test --gtest_filter='FaultScheduleTest.$(SOAK_TEST)'

# The Debian packages (docs/OPERATIONS.md, "Installing from the packages"): tonghop-common,
# tonghop-server and tonghop-collector, with their -dbgsym symbols, in $(BUILD_DIR)/packages/.
package: build
	rm -f $(BUILD_DIR)/packages/*.deb $(BUILD_DIR)/packages/*.ddeb
	cd $(BUILD_DIR) && cpack -G DEB

# Installs the packages into a clean Debian 12 root and runs a province there under systemd, as
# OPERATIONS.md says (root; a few minutes; packaging/install_test.sh). CI runs it.
package-test: package
	packaging/install_test.sh $(BUILD_DIR)/packages

demo: build
	deploy/local/province.sh up
	deploy/local/province.sh scenario lang-son-2017-q1
	$(BUILD_DIR)/bin/tonghop watch

clean:
	rm -rf $(BUILD_DIR)
