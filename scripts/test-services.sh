#!/usr/bin/env bash
# Starts the real servers the tests use, on loopback only, in a private
# directory, and prints the environment the tests read:
#   RAMPART_TEST_PG_URL     postgres://rampart@127.0.0.1:<port>/rampart_test
#   RAMPART_TEST_REDIS_URL  redis://127.0.0.1:<port>
# Usage: eval "$(scripts/test-services.sh start)"; ...; scripts/test-services.sh stop
set -euo pipefail

STATE=${RAMPART_TEST_STATE:-/tmp/rampart-test-services}
PG_PORT=${RAMPART_TEST_PG_PORT:-55432}
REDIS_PORT=${RAMPART_TEST_REDIS_PORT:-56379}

pg_bin() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [ -n "$d" ] || { echo "test-services: PostgreSQL server binaries not found" >&2; exit 1; }
  echo "$d"
}

# PostgreSQL refuses to run as root; run it as the 'postgres' system user.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start_pg() {
  local bin; bin=$(pg_bin)
  local data=$STATE/pg
  if [ ! -s "$data/PG_VERSION" ]; then
    mkdir -p "$data"
    [ "$(id -u)" -eq 0 ] && chown -R postgres:postgres "$STATE" 2>/dev/null || true
    as_pg "$bin/initdb" -D "$data" -U rampart --auth=trust -E UTF8 >"$STATE/pg-initdb.log" 2>&1
  fi
  if ! as_pg "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    STARTED=1
    as_pg "$bin/pg_ctl" -D "$data" -l "$STATE/pg.log" -w -t 60 start \
      -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $STATE -c fsync=on -c max_connections=200" \
      >/dev/null
  fi
  "$bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U rampart -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname='rampart_test'" | grep -q 1 ||
    "$bin/createdb" -h 127.0.0.1 -p "$PG_PORT" -U rampart rampart_test
}

start_redis() {
  if ! redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1; then
    STARTED=1
    mkdir -p "$STATE/redis"
    redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$STATE/redis" \
      --save "" --appendonly no --daemonize yes --logfile "$STATE/redis.log" \
      --pidfile "$STATE/redis.pid"
    for _ in $(seq 50); do
      redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1 && break
      sleep 0.1
    done
  fi
}

STARTED=0
case "${1:-start}" in
  start)
    mkdir -p "$STATE"
    chmod 0755 "$STATE"
    start_pg >&2
    start_redis >&2
    # 1 if this call started a server (so the caller should stop them after).
    echo "export RAMPART_TEST_SERVICES_STARTED=$STARTED"
    echo "export RAMPART_TEST_PG_URL=postgres://rampart@127.0.0.1:$PG_PORT/rampart_test"
    echo "export RAMPART_TEST_REDIS_URL=redis://127.0.0.1:$REDIS_PORT"
    ;;
  stop)
    bin=$(pg_bin)
    as_pg "$bin/pg_ctl" -D "$STATE/pg" -m fast stop >/dev/null 2>&1 || true
    redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
    ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
