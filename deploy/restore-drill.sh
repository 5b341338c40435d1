#!/usr/bin/env bash
# A restore drill: restore a backup into a scratch database beside the live one, verify it
# (deploy/restore.sh), print what it holds, and drop it. A backup that has never been restored
# is a hope, not a backup: run this after every backup, or at least weekly.
#
#   deploy/restore-drill.sh DUMP ADMIN_DATABASE_URL
#
# ADMIN_DATABASE_URL names a database on the same server as a role that may CREATE DATABASE;
# the scratch database is yidi_restore_drill_<pid>, dropped on exit (KEEP=1 keeps it).
set -euo pipefail

dump=${1:?usage: restore-drill.sh DUMP ADMIN_DATABASE_URL}
admin_url=${2:?usage: restore-drill.sh DUMP ADMIN_DATABASE_URL}
admin_url=${admin_url/postgresql+asyncpg:/postgresql:}
scratch="yidi_restore_drill_$$"
# The same server and options, naming the scratch database.
without_query=${admin_url%%\?*}
query=${admin_url#"$without_query"}
scratch_url="${without_query%/*}/$scratch$query"

psql --quiet --no-psqlrc --dbname="$admin_url" --command="CREATE DATABASE $scratch"
if [[ "${KEEP:-0}" != 1 ]]; then
  trap 'psql --quiet --no-psqlrc --dbname="$admin_url" --command="DROP DATABASE IF EXISTS $scratch WITH (FORCE)"' EXIT
fi

"$(dirname "$0")/restore.sh" "$dump" "$scratch_url"
psql --no-psqlrc --dbname="$scratch_url" --tuples-only --no-align --field-separator=' ' --command="
  SELECT 'schema', version_num FROM alembic_version
  UNION ALL SELECT 'cases', count(*)::text FROM cases
  UNION ALL SELECT 'events', count(*)::text FROM case_events
  UNION ALL SELECT 'last registered', coalesce(max(registered_at)::text, '-') FROM cases"
echo "restore drill passed: $dump"
