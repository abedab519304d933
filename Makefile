# Rampart: a thin Makefile over CMake. Every target installs what it needs.
#   make run    deps, build, run the main job (rampart serve on the example estate)
#   make test   deps, build, unit + integration tests, sanitizer build + its tests,
#               and a short smoke run of every fuzz target
#   make bench  deps, build, benchmarks (each prints its baseline from the same run)
#   make fuzz   deps, clang build, run every fuzz target for FUZZ_SECONDS
BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= 2
FUZZ_SECONDS ?= 60
CMAKE_GEN  := -G Ninja

.PHONY: all deps build asan run test unit-test asan-test fuzz-smoke bench fuzz clean format

all: build

deps:
	@bash scripts/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

# Sanitizer build: clang-19 with ASan+UBSan; it also builds the libFuzzer
# targets. Only what the sanitizer run executes is built (target
# rampart_sanitized: unit tests, fuzz targets, the rampart binary).
asan: deps
	@cmake -S . -B $(ASAN_BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 \
	  -DRAMPART_SANITIZE=ON -DRAMPART_FUZZ=ON >/dev/null
	@cmake --build $(ASAN_BUILD) -j$(JOBS) --target rampart_sanitized

run: build
	./$(BUILD)/rampart serve --estate examples/estate.yaml

test: build asan
	@bash scripts/test.sh $(BUILD) $(ASAN_BUILD)

bench: build
	@bash scripts/bench.sh $(BUILD)

fuzz: asan
	@bash scripts/fuzz.sh $(ASAN_BUILD) $(FUZZ_SECONDS)

format:
	@find src tests fuzz bench -name '*.cc' -o -name '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
