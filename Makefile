# SPDX-License-Identifier: PostgreSQL
# pgqpp front door: a thin layer over one CMake build.
#
#   make            build everything (extension, tests) into $(BUILD)
#   make install    install the extension where PGXS would (needs write access there),
#                   the tool and libpgqpp under the prefix (they run without
#                   ldconfig: docs/install.md)
#   make test       install missing Debian packages, build, run every test
#                   (ctest, through tests/run-all.sh; ONLY=REGEX runs the
#                   tests whose names match: ONLY='regress/|isolation/')
#   make demo       install missing Debian packages, build, run the demo
#   make bench      install missing Debian packages, build, run every benchmark
#                   on one throwaway cluster, print one table (bench/all.sh)
#   make bench-consume  only libpgqpp's consumer benchmark (bench/consume.sh)
#   make bench-load     only the 1,000,000-event load run (bench/load.sh)
#   make bench-produce  only `pgqpp produce` against COPY and psql (bench/produce.sh, ~6 min)
#   make deb        the Debian packages, built from a clean copy of the tree into
#                   $(DEB_OUT) (scripts/build-deb.sh; needs debhelper,
#                   postgresql-server-dev-all, help2man: `make deb-deps`
#                   installs what is missing)
#   make test-deb   build the packages, lintian, install them, run `pgqpp demo`
#                   from them, purge them (tests/packaging/deb.sh; root, changes
#                   the machine: for CI)
#
# EXTENSION_NAME=pgq installs the same extension under the name `pgq`,
# for add-ons whose control files say `requires = 'pgq'`.
#
# PG=17 or PG=18 builds and tests against that PostgreSQL major, which
# scripts/pg-major.sh prepares once in a cache (docs/install.md); without PG
# it is Debian 12's PostgreSQL 15 (PG_CONFIG=pg_config).

# A separate build folder per major and extension name, so outputs never mix.
BUILD          ?= build$(if $(PG),-pg$(PG))$(if $(filter pgq,$(EXTENSION_NAME)),-pgq)
# Expanded when used (after `deps`), so the major is prepared only when needed.
PG_CONFIG      ?= $(if $(PG),$(shell scripts/pg-major.sh $(PG)),pg_config)
EXTENSION_NAME ?= pgqpp
BUILD_TYPE     ?= RelWithDebInfo
JOBS           ?= $(shell nproc 2>/dev/null || echo 2)
DEB_OUT        ?= build-deb

CMAKE_FLAGS = -DPG_CONFIG=$(PG_CONFIG) -DEXTENSION_NAME=$(EXTENSION_NAME) \
              -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)
# ccache, where it is installed, makes rebuilds in a fresh clone cheap (CI
# builds a clone per run; paths inside the clone are hashed relatively). The
# build folders of the majors (build, build-pg17, build-pg18) and the
# pgq-named test build sit at the same depth; not hashing the working
# folder (only debug info's compilation folder names it) lets them share
# every object that does not include the server's headers. So an object's
# debug information can name the folder of another build or clone
# (tests/lib/valgrind_ours.py allows for it; in gdb, `directory` helps).
ifneq ($(shell command -v ccache 2>/dev/null),)
CMAKE_FLAGS += -DCMAKE_CXX_COMPILER_LAUNCHER=ccache
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := 1
endif

.PHONY: all build configure install test demo bench bench-consume bench-load bench-produce deps clean format \
        deb deb-deps test-deb

all: build

configure:
	@test -n "$(PG_CONFIG)" || { echo "no pg_config for PostgreSQL $(PG) (scripts/pg-major.sh $(PG) failed)" >&2; exit 1; }
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS)

build: configure
	cmake --build $(BUILD) -j $(JOBS)

install: build
	cmake --install $(BUILD)

deps:
	scripts/install-deps.sh

test: deps
	$(MAKE) build
	BUILD=$(BUILD) tests/run-all.sh

demo: deps
	$(MAKE) build
	BUILD=$(BUILD) PG_CONFIG=$(PG_CONFIG) scripts/demo.sh

bench: deps
	$(MAKE) build
	BUILD=$(BUILD) PG_CONFIG=$(PG_CONFIG) bench/all.sh

bench-consume: deps
	$(MAKE) build
	BUILD=$(BUILD) PG_CONFIG=$(PG_CONFIG) bench/consume.sh

bench-load: deps
	$(MAKE) build
	BUILD=$(BUILD) PG_CONFIG=$(PG_CONFIG) bench/load.sh

bench-produce: deps
	$(MAKE) build
	BUILD=$(BUILD) PG_CONFIG=$(PG_CONFIG) bench/produce.sh

deb-deps:
	scripts/install-deps.sh --deb

deb:
	JOBS=$(JOBS) scripts/build-deb.sh $(DEB_OUT)

test-deb: deb-deps
	JOBS=$(JOBS) tests/packaging/deb.sh

format:
	clang-format -i $$(git ls-files '*.cpp' '*.hpp')

clean:
	rm -rf $(BUILD) $(BUILD)-pgq $(DEB_OUT)
