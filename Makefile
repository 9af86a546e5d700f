# genu: the two commands (make demo, make test) and friends. CMake does the
# building; this file installs what is missing and wraps it.
BUILD   ?= build
ASAN    ?= build-asan
JOBS    ?= $(shell nproc)
DEMO_DB ?= demo.db
# -Werror: on for make test (and so CI), off for a plain build
WERROR  ?= OFF
# Quiet: a line per step, no "Entering directory" chatter from the makes
# below, no per-file progress from CMake's makefiles (CMAKE_RULE_MESSAGES);
# compiler errors and failing tests still print in full. V=1 shows it all.
SHELL       := /bin/bash
.SHELLFLAGS := -o pipefail -c
ifeq ($(V),1)
QUIET_CMAKE := -DCMAKE_RULE_MESSAGES=ON
CTEST_FLAGS := --output-on-failure
QUIET_OUT   :=
else
MAKEFLAGS += --no-print-directory
QUIET_CMAKE := -DCMAKE_RULE_MESSAGES=OFF -DCMAKE_VERBOSE_MAKEFILE=OFF
CTEST_FLAGS := --output-on-failure --progress
QUIET_OUT   := | { grep -v -e '^\[ *[0-9]*%\] Built target' -e '^Built target' || true; }
endif

.PHONY: all build deps test-deps test unit asan compilers demo bench fuzz clean format web deb

all: build

deps:
	@scripts/deps.sh build

test-deps:
	@scripts/deps.sh test

$(BUILD)/Makefile: CMakeLists.txt
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(QUIET_CMAKE) >/dev/null

# web/dist (the web interface, embedded into the binary); skipped when current
web: deps
	@scripts/web-build.sh

build: deps web $(BUILD)/Makefile
	@echo "genu: building $(BUILD)/genu"
	@cmake -S . -B $(BUILD) -DGENU_WERROR=$(WERROR) $(QUIET_CMAKE) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS) $(QUIET_OUT)

# make test: everything, including the sanitizer build of the whole suite,
# with warnings as errors, and the builds a packager or a user makes first
# (an optimised Release and clang) compiled with warnings as errors too.
test: WERROR = ON
test: test-deps build
	@echo "genu: running the tests ($(BUILD))"
	@cd $(BUILD) && ctest $(CTEST_FLAGS) -j $(JOBS)
	@$(MAKE) --no-print-directory asan
	@$(MAKE) --no-print-directory compilers

# Release (gcc -O3) and clang builds of the library and the binary: they
# must compile without a warning (their tests are the ones above).
compilers: deps web
	@echo "genu: compiling a Release (gcc -O3) and a clang build"
	@cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DGENU_WERROR=ON $(QUIET_CMAKE) >/dev/null
	@cmake --build build-release -j $(JOBS) --target genu $(QUIET_OUT)
	@CC=clang cmake -S . -B build-clang -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGENU_WERROR=ON $(QUIET_CMAKE) >/dev/null
	@cmake --build build-clang -j $(JOBS) --target genu $(QUIET_OUT)

# make deb: the Debian package in $(DEB)/ (docs/operations.md, Install),
# compiled with Debian's own flags (hardening included) as debhelper would,
# then checked by lintian (errors fail; lintian: scripts/deps.sh test).
DEB ?= build-deb
DEB_FLAGS = DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --get
deb: deps web
	cmake -S . -B $(DEB) -DCMAKE_BUILD_TYPE=None -DCMAKE_INSTALL_PREFIX=/usr \
		-DCMAKE_C_FLAGS="$$($(DEB_FLAGS) CFLAGS) $$($(DEB_FLAGS) CPPFLAGS)" \
		-DCMAKE_EXE_LINKER_FLAGS="$$($(DEB_FLAGS) LDFLAGS)" >/dev/null
	cmake --build $(DEB) -j $(JOBS) --target genu man changelog
	cd $(DEB) && cpack -G DEB
	@if command -v lintian >/dev/null; then lintian --fail-on error $(DEB)/genu_*.deb; \
	else echo "make deb: lintian is not installed; not checked" >&2; fi

unit: WERROR = ON
unit: build
	@cd $(BUILD) && ctest $(CTEST_FLAGS) -j $(JOBS) -L unit

asan: test-deps web
	@echo "genu: the sanitizer build and its tests ($(ASAN))"
	@cmake -S . -B $(ASAN) -DCMAKE_BUILD_TYPE=Debug -DGENU_SANITIZE=ON -DGENU_WERROR=ON $(QUIET_CMAKE) >/dev/null
	@cmake --build $(ASAN) -j $(JOBS) $(QUIET_OUT)
	@cd $(ASAN) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
		ctest $(CTEST_FLAGS) -j $(JOBS)

demo: build
	@scripts/demo.sh $(BUILD)/genu $(DEMO_DB)

bench: build
	@cmake --build $(BUILD) --target benches -j $(JOBS) >/dev/null
	@scripts/bench.sh $(BUILD)

fuzz: test-deps
	@scripts/fuzz.sh

format:
	clang-format -i src/*/*.[ch] tests/unit/*/*.c bench/*.c fuzz/*.c

clean:
	rm -rf $(BUILD) $(ASAN) $(DEB) build-fuzz build-release build-clang
