#!/usr/bin/env bash
# Starts a throwaway PostgreSQL for the gate's store tests and says how to
# reach it.
#
#   bash .ci/postgres.sh [ENV_FILE]
#
# Installs PostgreSQL from Debian's packages when no server binaries are
# found (needs root and apt-get), starts a private cluster listening on
# 127.0.0.1 only (port $IAMGUARD_PG_PORT, default 55432; data in
# $IAMGUARD_PG_DIR, default /tmp/iamguard-pg), creates the role and the
# database "iamguard", and writes
#   export IAMGUARD_TEST_POSTGRES=postgres://iamguard@127.0.0.1:PORT/iamguard?sslmode=disable
# to ENV_FILE, or prints it when no file is given. The cluster trusts
# loopback connections: it holds nothing but test data and no password is
# ever written anywhere. Running it again reuses a running cluster.
#
# When PostgreSQL cannot be had, it says why on stderr and exits 0 without
# writing the line: the PostgreSQL tests then skip, saying so.
set -euo pipefail

env_file="${1:-}"
port="${IAMGUARD_PG_PORT:-55432}"
dir="${IAMGUARD_PG_DIR:-/tmp/iamguard-pg}"
url="postgres://iamguard@127.0.0.1:${port}/iamguard?sslmode=disable"

say() { echo "postgres.sh: $*" >&2; }
emit() {
  local line="export IAMGUARD_TEST_POSTGRES=$url"
  if [ -n "$env_file" ]; then
    mkdir -p "$(dirname "$env_file")"
    printf '%s\n' "$line" >"$env_file"
    say "wrote IAMGUARD_TEST_POSTGRES to $env_file"
  else
    printf '%s\n' "$line"
  fi
}
give_up() {
  trap - ERR
  say "$* — the PostgreSQL store tests will skip"
  if [ -n "$env_file" ]; then rm -f "$env_file"; fi
  exit 0
}
# Never fail the CI run over PostgreSQL: without it, its tests skip and say so.
trap 'give_up "unexpected failure at line $LINENO"' ERR

find_bindir() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
      echo "$d"
      return 0
    fi
  done
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(command -v initdb)"
    return 0
  fi
  return 1
}

bindir="$(find_bindir || true)"
if [ -z "$bindir" ]; then
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    give_up "no PostgreSQL server binaries, and no root apt-get to install them"
  fi
  say "installing postgresql from Debian's packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null 2>&1 || say "apt-get update failed; trying the install anyway"
  # The package's own cluster is not needed: ours runs from $dir.
  if ! apt-get install -y -qq --no-install-recommends postgresql >/dev/null 2>&1; then
    give_up "apt-get install postgresql failed"
  fi
  bindir="$(find_bindir || true)"
  [ -n "$bindir" ] || give_up "postgresql installed but initdb/pg_ctl not found"
fi

# PostgreSQL refuses to run as root: run it as the packaged "postgres" user.
as_owner() { "$@"; }
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --home-dir "$dir" --shell /usr/sbin/nologin postgres
  as_owner() { runuser -u postgres -- "$@"; }
fi

mkdir -p "$dir"
if [ "$(id -u)" -eq 0 ]; then chown postgres: "$dir"; fi
chmod 700 "$dir"
data="$dir/data"

if [ ! -f "$data/PG_VERSION" ]; then
  say "initdb in $data"
  as_owner "$bindir/initdb" -D "$data" -U postgres -A trust -E UTF8 --no-locale >/dev/null \
    || give_up "initdb failed"
fi

if ! as_owner "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1; then
  say "starting PostgreSQL on 127.0.0.1:$port"
  as_owner "$bindir/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 \
    -o "-h 127.0.0.1 -p $port -k $dir -c fsync=on -c max_connections=100" start >/dev/null \
    || { tail -n 20 "$dir/server.log" >&2 || true; give_up "pg_ctl start failed"; }
fi

psql=("$bindir/psql" -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1)
for _ in $(seq 1 30); do
  "${psql[@]}" -c 'SELECT 1' >/dev/null 2>&1 && break
  sleep 1
done
"${psql[@]}" -c 'SELECT 1' >/dev/null 2>&1 || give_up "the server does not answer on 127.0.0.1:$port"

if [ "$("${psql[@]}" -tA -c "SELECT 1 FROM pg_roles WHERE rolname = 'iamguard'")" != 1 ]; then
  "${psql[@]}" -c 'CREATE ROLE iamguard LOGIN' >/dev/null
fi
if [ "$("${psql[@]}" -tA -c "SELECT 1 FROM pg_database WHERE datname = 'iamguard'")" != 1 ]; then
  "${psql[@]}" -c 'CREATE DATABASE iamguard OWNER iamguard' >/dev/null
fi
emit
