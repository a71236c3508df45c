# keras.cpp — `make run` trains the guide's first model, `make test` runs every test.
# Both install what is missing from Debian's packages first (sudo only when not root).

BUILD ?= build
JOBS ?= $(shell nproc)
DEPS := cmake ninja-build g++ pkg-config libopenblas-openmp-dev zlib1g-dev libgtest-dev libgmock-dev \
        libbenchmark-dev dataset-fashion-mnist libgraphviz-dev \
        nlohmann-json3-dev libhdf5-dev libdnnl-dev libopenmpi-dev openmpi-bin \
        libpng-dev libjpeg62-turbo-dev
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# ccache speeds rebuilds where it is installed; nothing requires it.
LAUNCHER := $(shell command -v ccache >/dev/null && echo -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)

.PHONY: all deps configure build run test test-sanitize bench bench-compare check-applications check-sweep format format-check clean install

all: build

deps:
	@missing=""; for p in $(DEPS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing from Debian:$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

$(BUILD)/build.ninja: | deps
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release $(LAUNCHER)

configure: deps $(BUILD)/build.ninja

build: configure
	cmake --build $(BUILD) -j $(JOBS)

run: build
	./$(BUILD)/examples/functional_mlp 5

test: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)
	@# ctest lists skipped tests without their reason (the namespace test's, when not root)
	@grep -h "^SKIPPED:" $(BUILD)/Testing/Temporary/LastTest.log 2>/dev/null | sort -u \
	  | sed 's/^/make test: /' || true

# The unit suite under AddressSanitizer and UndefinedBehaviorSanitizer.
test-sanitize: deps
	cmake -S . -B $(BUILD)-sanitize -G Ninja -DCMAKE_BUILD_TYPE=Debug -DKERAS_SANITIZE=ON \
	  -DKERAS_BUILD_EXAMPLES=OFF -DKERAS_BUILD_BENCH=OFF $(LAUNCHER)
	cmake --build $(BUILD)-sanitize -j $(JOBS)
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	  LSAN_OPTIONS=suppressions=$(CURDIR)/tools/fuzz/lsan.supp \
	  ctest --test-dir $(BUILD)-sanitize --output-on-failure -j $(JOBS)

bench: build
	./$(BUILD)/bench/keras_bench

# keras.cpp beside ../shared/bench's PyTorch references, medians over rounds, with ratios.
bench-compare: build
	tools/bench_compare.sh $(or $(ROUNDS),3)

# Every keras.applications model made by Python Keras 3 (weights=None), loaded, predicted and
# saved by keras.cpp, then keras.cpp's files loaded by Keras (tools/fixtures/make_applications_fixtures.py).
# Needs a Python with keras and jax: $(PYTHON), by default the venv `make bench-compare` uses, made
# with pip when missing. Files (GBs) go to $(APPS_DIR); APPS= picks models. Never part of `make test`.
BENCH_VENV ?= .venv-bench
PYTHON ?= $(BENCH_VENV)/bin/python
APPS_DIR ?= $(BUILD)/applications
APPS ?=
# Direct convolutions: Winograd's float32 rounding takes ResNet152 and EfficientNetV2B0 past the
# tolerance (docs/differences.md, 22); WINOGRAD=1 checks the default path.
WINOGRAD ?= 0

# make check-sweep: tools/fixtures/make_sweep_fixtures.py's random models (Keras 3 and, where
# tf_keras is installed, Keras 2) into $(SWEEP_DIR). Never part of `make test`.
SWEEP_DIR ?= $(BUILD)/sweep
SWEEP_N ?= 160
SWEEP_SEED ?= 1

check-applications: build $(PYTHON)
	KERAS_BACKEND=jax $(PYTHON) tools/fixtures/make_applications_fixtures.py make $(APPS_DIR) $(APPS)
	KERAS_BACKEND=jax $(PYTHON) tools/fixtures/make_applications_fixtures.py f64 $(APPS_DIR) $(APPS)
	rm -f $(APPS_DIR)/cpp_report.tsv
	KERAS_WINOGRAD=$(WINOGRAD) KERAS_APPLICATIONS_DIR=$(abspath $(APPS_DIR)) ./$(BUILD)/tests/keras_tests \
	  --gtest_filter='*ApplicationsFiles*'; cpp=$$?; \
	KERAS_BACKEND=jax $(PYTHON) tools/fixtures/make_applications_fixtures.py check $(APPS_DIR) $(APPS); \
	py=$$?; [ $$cpp = 0 ] && [ $$py = 0 ]

check-sweep: build $(PYTHON)
	rm -rf $(SWEEP_DIR)
	KERAS_BACKEND=jax $(PYTHON) tools/fixtures/make_sweep_fixtures.py make $(SWEEP_DIR) $(SWEEP_N) $(SWEEP_SEED)
	KERAS_SWEEP_DIR=$(abspath $(SWEEP_DIR)) ./$(BUILD)/tests/keras_tests \
	  --gtest_filter='*SweepFiles*' --gtest_brief=1; cpp=$$?; \
	KERAS_BACKEND=jax $(PYTHON) tools/fixtures/make_sweep_fixtures.py check $(SWEEP_DIR); \
	py=$$?; py2=0; if $(PYTHON) -c 'import tf_keras' 2>/dev/null; then \
	  $(PYTHON) tools/fixtures/make_sweep_fixtures.py check2 $(SWEEP_DIR); py2=$$?; fi; \
	[ $$cpp = 0 ] && [ $$py = 0 ] && [ $$py2 = 0 ]

$(BENCH_VENV)/bin/python:
	python3 -m venv $(BENCH_VENV) && $(BENCH_VENV)/bin/pip -q install keras "jax[cpu]" numpy h5py

format:
	clang-format -i $$(git ls-files '*.cpp' '*.h' '*.hpp' '*.inc')

# Fails on any file clang-format would change (skipped where clang-format is not installed).
format-check:
	@if command -v clang-format >/dev/null; then \
	  bad=$$(for f in $$(git ls-files '*.cpp' '*.h' '*.hpp' '*.inc'); do \
	    clang-format --dry-run --Werror "$$f" >/dev/null 2>&1 || echo "$$f"; done); \
	  if [ -n "$$bad" ]; then echo "Not clang-formatted (run make format):"; echo "$$bad"; exit 1; fi; \
	  echo "clang-format: all files formatted"; \
	else echo "clang-format not installed; format check skipped"; fi

install: build
	cmake --install $(BUILD)

clean:
	rm -rf $(BUILD) $(BUILD)-sanitize
