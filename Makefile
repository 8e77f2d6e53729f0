# The two commands of the quick start: `make demo` and `make test`. Everything else is CMake.
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)

.PHONY: all deps build test demo clean

all: build

deps:
	@deploy/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) >/dev/null
	@cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) --timeout 600

demo: build
	deploy/local/province.sh up
	deploy/local/province.sh scenario lang-son-2017-q1
	$(BUILD_DIR)/bin/tonghop watch

clean:
	rm -rf $(BUILD_DIR)
