#!/usr/bin/env bash
# Restore a backup of deploy/backup.sh into an empty database, then prove it whole: the
# checksum matches, every table restores or nothing is kept (one transaction), and every case's
# hash chain verifies (`yidi audit verify`).
#
#   deploy/restore.sh DUMP TARGET_DATABASE_URL
#
# Connect as the role that is to own the schema (the one `yidi migrate` runs as); afterwards
# run `yidi db grant` for the service's role, as after a migration (docs/DEPLOYMENT.md).
set -euo pipefail

dump=${1:?usage: restore.sh DUMP TARGET_DATABASE_URL}
url=${2:?usage: restore.sh DUMP TARGET_DATABASE_URL}
libpq_url=${url/postgresql+asyncpg:/postgresql:}

if [[ -f "$dump.sha256" ]]; then
  (cd "$(dirname "$dump")" && sha256sum --check --quiet "$(basename "$dump").sha256")
fi
# Ownership and grants are the target deployment's: the roles of the source may not exist.
pg_restore --no-owner --no-acl --single-transaction --exit-on-error \
  --dbname="$libpq_url" "$dump"
YIDI_DATABASE_URL="$url" yidi audit verify
