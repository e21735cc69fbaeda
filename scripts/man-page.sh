#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# Writes the man page pgqpp(1) from the help texts: help2man turns
# `pgqpp --help` and `pgqpp --version` into the page, and a COMMANDS section
# holds every subcommand's `pgqpp COMMAND --help`, verbatim. Run at package
# build time (debian/rules), so the page never drifts from the binary.
#
#   scripts/man-page.sh PGQPP OUT.1
set -euo pipefail
bin=${1:?usage: man-page.sh PGQPP OUT.1}
out=${2:?usage: man-page.sh PGQPP OUT.1}
command -v help2man >/dev/null || { echo "help2man is not installed (apt-get install help2man)" >&2; exit 1; }

# The subcommands, in the order `pgqpp --help` lists them.
commands=$(python3 "$(dirname "$0")/cli-docs.py" --list --binary "$bin")
[ -n "$commands" ] || { echo "no subcommands found in '$bin --help'" >&2; exit 1; }

include=$(mktemp)
trap 'rm -f "$include"' EXIT
{
  echo "[COMMANDS]"
  echo "Each command's own help, as \\fBpgqpp\\fP \\fIcommand\\fP \\fB\\-\\-help\\fP prints it."
  for c in $commands; do
    echo ".SS \"pgqpp $c\""
    echo ".nf"
    # Verbatim text: escape backslashes, protect lines starting with . or '.
    "$bin" "$c" --help | sed -e 's/\\/\\e/g' -e "s/^\\([.']\\)/\\\\\\&\\1/"
    echo ".fi"
  done
  echo "[FILES]"
  echo ".TP"
  echo ".I /etc/pgqpp/ticker.ini"
  echo "The ticker's config file in the Debian package, read by \\fBpgqpp\\-ticker.service\\fP."
  echo "[SEE ALSO]"
  echo ".BR pgqpp\\-sql (7)"
  echo "(the SQL API), and the documentation in /usr/share/doc/pgqpp (cli.md, ticker.md)."
} >"$include"

help2man --no-info --section=1 --name="PgQ queues inside PostgreSQL: the pgqpp tool and ticker" \
  --include="$include" --output="$out" "$bin"
