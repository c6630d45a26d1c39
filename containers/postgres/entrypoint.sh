#!/bin/sh
# The official postgres image's start, reduced to what Attest's tests and docker-compose.yml use:
# on the first start, a cluster in $PGDATA whose superuser is POSTGRES_USER with POSTGRES_PASSWORD
# and a database POSTGRES_DB, reachable from other containers with a password; then the command.
set -eu
if [ "${1:-}" = postgres ] && [ ! -s "$PGDATA/PG_VERSION" ]; then
  user=${POSTGRES_USER:-postgres}
  database=${POSTGRES_DB:-$user}
  password_file=$(mktemp)
  printf '%s\n' "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD must be set}" >"$password_file"
  initdb --username="$user" --pwfile="$password_file" --auth-local=trust \
    --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  rm -f "$password_file"
  echo 'host all all all scram-sha-256' >>"$PGDATA/pg_hba.conf"
  echo "listen_addresses = '*'" >>"$PGDATA/postgresql.conf"
  if [ "$database" != postgres ]; then
    # Started on its socket only, as the official image does, to create the database.
    pg_ctl --wait --silent --options="-c listen_addresses=''" start
    psql --username="$user" --dbname=postgres --quiet --set=ON_ERROR_STOP=1 \
      --command="CREATE DATABASE \"$database\""
    pg_ctl --wait --silent --mode=fast stop
  fi
fi
exec "$@"
