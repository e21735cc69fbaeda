#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# libpgqpp installs as a library a program outside the repository can use:
# `cmake --install BUILD --component libpgqpp --prefix P` puts the library,
# headers, pkg-config file and CMake package under P (and nothing else:
# the extension is another component). A small program is then built against
# P twice, with `pkg-config --cflags --libs pgqpp` and with
# `find_package(pgqpp)`, and run against the test cluster: it produces an
# event and consumes it. Every public header must compile on its own without
# libpq's headers. Last, examples/ copied out of the repository builds on its
# own against P (find_package), and its producer runs.
#
# Env (from the ctest fixture, tests/harness/fixture.sh): PGHOST PGPORT PGUSER PGQPP_BUILD_DIR PGQPP_TEST_WORK.
set -euo pipefail
. "${PGQPP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/testlib.sh"

build="${PGQPP_BUILD_DIR:?PGQPP_BUILD_DIR is not set}"
work="${PGQPP_TEST_WORK:?PGQPP_TEST_WORK is not set}/lib_install"
prefix="$work/prefix"
db=lib_install
rm -rf "$work"
mkdir -p "$work/app"

for t in cmake pkg-config g++ psql; do command -v $t >/dev/null || fail "$t is not installed"; done
cleanup() {
  local rc=$?
  psql -X -q -d postgres -c "drop database if exists $db with (force)" 2>/dev/null || true
  exit $rc
}
trap cleanup EXIT

cmake --install "$build" --component libpgqpp --prefix "$prefix" >"$work/install.log"
pc=$(find "$prefix" -name pgqpp.pc)
config=$(find "$prefix" -name pgqppConfig.cmake)
[ -n "$pc" ] || fail "no pgqpp.pc installed"
[ -n "$config" ] || fail "no pgqppConfig.cmake installed"
libdir=$(dirname "$(dirname "$pc")")
ls "$libdir"/libpgqpp.so* >/dev/null || fail "no libpgqpp.so in $libdir"
[ -f "$prefix/include/pgqpp/pgqpp.hpp" ] || fail "headers missing under $prefix/include/pgqpp"
if find "$prefix" -name '*.control' -o -name 'pgqpp--*.sql' | grep -q .; then
  fail "the libpgqpp component installed extension files"
fi
echo "ok: installed $(find "$prefix" -type f | wc -l) files under the prefix"

# Public headers: self-contained, and no libpq in sight.
if grep -lE 'libpq-fe|\bPG(conn|result|notify|cancel)\b' "$prefix"/include/pgqpp/*.hpp; then fail "a public header uses libpq"; fi
for h in "$prefix"/include/pgqpp/*.hpp; do
  echo "#include <pgqpp/$(basename "$h")>" >"$work/header.cpp"
  g++ -std=c++20 -Wall -Wextra -Werror -fsyntax-only -I"$prefix/include" "$work/header.cpp" ||
    fail "$(basename "$h") does not compile on its own"
done
echo "ok: every public header compiles on its own"

cat >"$work/app/hello.cpp" <<'CPP'
// Produces one event and consumes it: the whole library, linked from outside.
#include <pgqpp/pgqpp.hpp>
#include <cstdio>
#include <string>

int main(int argc, char** argv) {
  pgqpp::Connection db(argv[1]);
  pgqpp::Producer(db, "hello").insert({.type = "greeting", .data = argv[2]});
  db.exec("select pgq.force_tick('hello')");
  db.exec("select pgq.ticker('hello')");
  pgqpp::ConsumerOptions o;
  o.queue = "hello";
  o.consumer = "hello_reader";
  o.stop_when_idle = true;
  pgqpp::Consumer c(argv[1], o);
  c.run([](const pgqpp::Event& ev) { std::printf("got %s\n", std::string(*ev.data).c_str()); });
}
CPP
cat >"$work/app/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.22)
project(hello LANGUAGES CXX)
find_package(pgqpp 1.0 REQUIRED)
add_executable(hello hello.cpp)
target_link_libraries(hello PRIVATE pgqpp::pgqpp)
CMAKE

psql -X -q -d postgres -c "drop database if exists $db with (force)" -c "create database $db" >/dev/null 2>&1
psql -X -q -v ON_ERROR_STOP=1 -d $db -c "create extension pgqpp" \
  -c "select pgq.create_queue('hello')" -c "select pgq.register_consumer('hello', 'hello_reader')" >/dev/null
conn="host=$PGHOST port=$PGPORT user=$PGUSER dbname=$db"

# 1. pkg-config
flags=$(PKG_CONFIG_PATH="$libdir/pkgconfig" pkg-config --cflags --libs pgqpp)
# shellcheck disable=SC2086  # pkg-config's flags as words
g++ "$work/app/hello.cpp" -o "$work/hello-pkgconfig" $flags -Wl,-rpath,"$libdir" ||
  fail "building with pkg-config flags '$flags' failed"
out=$("$work/hello-pkgconfig" "$conn" from-pkg-config)
[ "$out" = "got from-pkg-config" ] || fail "pkg-config build printed '$out'"
echo "ok: built and ran with pkg-config ($flags)"

# 2. find_package
cmake -S "$work/app" -B "$work/app/build" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_BUILD_RPATH="$libdir" >"$work/app-cmake.log" || { cat "$work/app-cmake.log"; fail "find_package(pgqpp) failed"; }
cmake --build "$work/app/build" >"$work/app-build.log" || { cat "$work/app-build.log"; fail "building with find_package failed"; }
out=$("$work/app/build/hello" "$conn" from-cmake)
[ "$out" = "got from-cmake" ] || fail "find_package build printed '$out'"
echo "ok: built and ran with find_package(pgqpp)"

# 3. examples/ on its own, copied out of the repository as a user would
cp -r "${PGQPP_SOURCE_DIR:?PGQPP_SOURCE_DIR is not set}/examples" "$work/examples"
cmake -S "$work/examples" -B "$work/examples/build" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_BUILD_RPATH="$libdir" >"$work/examples-cmake.log" 2>&1 ||
  { cat "$work/examples-cmake.log"; fail "examples/CMakeLists.txt does not configure on its own"; }
cmake --build "$work/examples/build" >"$work/examples-build.log" 2>&1 ||
  { cat "$work/examples-build.log"; fail "the examples do not build on their own"; }
psql -X -q -v ON_ERROR_STOP=1 -d $db -c "create table orders (id serial primary key, item text)" \
  -c "select pgq.create_queue('orders_q')" >/dev/null
out=$("$work/examples/build/example_producer" "$conn" orders_q)
[ "$out" = "inserted 1001 events" ] || fail "the standalone example_producer printed '$out'"
echo "ok: examples/ built on its own with find_package(pgqpp) and ran"
