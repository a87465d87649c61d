#!/usr/bin/env bash
# Prints a URL to a fresh throwaway PostGIS database on the local PostgreSQL, creating it
# (and starting the cluster if it is down and we may). Prints nothing when no PostgreSQL
# can be reached, so callers can decide whether that is a failure.
set -euo pipefail

name="${1:-beredskap_test}"
host="${PGHOST:-127.0.0.1}"
user="${PGUSER:-postgres}"

psql_admin() { psql -X -q -v ON_ERROR_STOP=1 -h "$host" -U "$user" "$@"; }

if ! command -v psql >/dev/null; then
    exit 0
fi
if ! pg_isready -q -h "$host" 2>/dev/null; then
    if command -v pg_ctlcluster >/dev/null && [ "$(id -u)" -eq 0 ]; then
        version=$(ls /etc/postgresql | sort -V | tail -n 1)
        pg_ctlcluster --skip-systemctl-redirect "$version" main start >&2 || true
        for _ in $(seq 1 30); do pg_isready -q -h "$host" && break; sleep 1; done
    fi
    pg_isready -q -h "$host" 2>/dev/null || exit 0
fi
psql_admin -d postgres -c "DROP DATABASE IF EXISTS $name" >&2
psql_admin -d postgres -c "CREATE DATABASE $name" >&2
psql_admin -d "$name" -c "CREATE EXTENSION postgis" >&2
echo "postgresql+psycopg://$user@$host/$name"
