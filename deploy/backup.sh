#!/usr/bin/env bash
# Back up yidi's database: one consistent pg_dump snapshot (custom format, compressed), written
# to a temporary name and renamed only once it is complete and readable, with a .sha256 beside it.
#
#   deploy/backup.sh DATABASE_URL DIRECTORY      -> prints the dump's path
#
# DATABASE_URL is the one yidi uses (postgresql:// or postgresql+asyncpg://); connect as a role
# that can read every table (the reader role of `yidi db grant --reader-role`). pg_dump must be
# at least the server's major version. Run it from cron or a systemd timer; keep WAL archiving
# for point-in-time recovery besides (docs/DEPLOYMENT.md).
set -euo pipefail

url=${1:?usage: backup.sh DATABASE_URL DIRECTORY}
directory=${2:?usage: backup.sh DATABASE_URL DIRECTORY}
url=${url/postgresql+asyncpg:/postgresql:}

mkdir -p "$directory"
dump="$directory/yidi-$(date -u +%Y%m%dT%H%M%SZ).dump"
partial="$dump.partial"
trap 'rm -f "$partial"' EXIT

pg_dump --format=custom --dbname="$url" --file="$partial"
# A dump that pg_restore cannot list is no backup: fail now, not on the day it is needed.
pg_restore --list "$partial" > /dev/null
mv "$partial" "$dump"
(cd "$directory" && sha256sum "$(basename "$dump")" > "$(basename "$dump").sha256")
echo "$dump"
