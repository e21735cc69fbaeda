#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# Writes the ticker's packaged config (/etc/pgqpp/ticker.ini) from the
# ticker's own sample (`pgqpp ticker --ini`: every key with its default), so
# the file never names a key the binary does not know. Under systemd the
# journal keeps standard error, so syslog is turned off (else every line
# would be logged twice).
#
#   scripts/ticker-config.sh PGQPP OUT.ini
set -euo pipefail
bin=${1:?usage: ticker-config.sh PGQPP OUT.ini}
out=${2:?usage: ticker-config.sh PGQPP OUT.ini}

sample=$("$bin" ticker --ini)
echo "$sample" | grep -qE '^[;#]?[[:space:]]*syslog[[:space:]]*=' ||
  { echo "'$bin ticker --ini' has no syslog key" >&2; exit 1; }
{
  echo "# pgqpp ticker config, read by pgqpp-ticker.service (pgqpp ticker /etc/pgqpp/ticker.ini)."
  echo "# The service runs as postgres; base_connstr empty = the local server's Unix socket."
  echo "# Apply changes: systemctl reload pgqpp-ticker (SIGHUP). Keys: pgqpp(1), /usr/share/doc/pgqpp/ticker.md"
  echo "$sample" | sed -E 's/^[;#]?[[:space:]]*syslog[[:space:]]*=.*/syslog = 0/'
} >"$out"
