#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# Install the Debian packages pgqpp needs to build, test, demo and benchmark
# (with --deb: and to build and test its Debian packages), but only those
# that are missing. As root it uses apt-get; as another user it
# uses `sudo -n` when that works, and otherwise names what is missing and stops.
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  postgresql-15 postgresql-server-dev-15 postgresql-client-15 libpq-dev
  postgresql-15-pgq3 postgresql-15-pgq-node pgqd python3-pgq python3-psycopg2
  postgresql-15-londiste-sql python3-londiste  # tests/integration/londiste_update.sh
  libgtest-dev libcli11-dev nlohmann-json3-dev tmux
  libcpp-httplib-dev  # pgqpp web's HTTP server (a header and a shared library)
  chromium  # the console in a real browser: tests/cluster/web_browser_test.cpp
  valgrind  # tests/integration/valgrind_backend.sh
  shellcheck  # make test: lint/shellcheck
  ccache  # the Makefile uses it when present: CI and PG=17/18 rebuild the same code
  prometheus  # promtool check metrics: tests/cluster/ticker_metrics_test.cpp
  python3 procps  # bench: free ports, bench/table.py; ps for the backends' CPU (bench/run.sh)
  pgbouncer  # waits through a pooler: tests/integration/pooler_wait.sh, bench/ticker.sh
  gnuplot-nox  # the cost curves' chart: bench/curves_chart.py
)
# --deb: also what `make deb` and `make test-deb` need (debian/control's
# Build-Depends, dpkg-buildpackage, lintian, systemd-analyze, man).
if [ "${1:-}" = --deb ]; then
  packages+=(dpkg-dev debhelper fakeroot help2man lintian postgresql-server-dev-all
             libpq-dev libcli11-dev nlohmann-json3-dev libcpp-httplib-dev systemd man-db)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}" >&2
if [ "$(id -u)" -eq 0 ]; then
  apt=(env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600)
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  apt=(sudo -n env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600)
else
  echo "install-deps: missing packages: ${missing[*]}; install them as root (apt-get install ${missing[*]})" >&2
  exit 1
fi
"${apt[@]}" update -q
"${apt[@]}" install -y -q --no-install-recommends "${missing[@]}"

# Debian's postgresql package creates and starts a default cluster; pgqpp's
# tests never use it, they start their own throwaway clusters.

# Debian's prometheus package enables and starts a Prometheus server; pgqpp
# needs only its promtool, so the service is stopped and kept off.
# (systemctl may be absent, or present without systemd running.)
if printf '%s\n' "${missing[@]}" | grep -qx prometheus; then
  as_root=()
  [ "$(id -u)" -eq 0 ] || as_root=(sudo -n)
  if command -v systemctl >/dev/null; then
    "${as_root[@]}" systemctl disable --now prometheus >/dev/null 2>&1 || true
  fi
  pid=$(pgrep -x prometheus || true)
  # shellcheck disable=SC2086  # one argument per process id
  [ -z "$pid" ] || "${as_root[@]}" kill $pid
fi
