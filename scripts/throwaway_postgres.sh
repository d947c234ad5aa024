#!/usr/bin/env bash
# A disposable PostgreSQL 15 cluster on 127.0.0.1 for the test suite (PITFALLS 17).
#   scripts/throwaway_postgres.sh start   -> prints a DATABASE_URL
#   scripts/throwaway_postgres.sh stop
#   scripts/throwaway_postgres.sh restart  (fault tests: restart the server under the app)
set -euo pipefail
PGDIR=${PGDIR:-/tmp/congope-pg}
PGPORT=${PGPORT:-54329}
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

ensure_installed() {
  if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 >&2
    PGBIN=/usr/lib/postgresql/15/bin
  fi
}

case "${1:-}" in
  start)
    ensure_installed
    if [ ! -f "$PGDIR/data/PG_VERSION" ]; then
      mkdir -p "$PGDIR"
      [ "$(id -u)" = 0 ] && chown postgres "$PGDIR"
      as_pg "$PGBIN/initdb" -D "$PGDIR/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
    fi
    as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w start \
      -o "-h 127.0.0.1 -p $PGPORT -k $PGDIR -F -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" >/dev/null
    # The database the URL names: the tests create their own, makemigrations --check reads it.
    as_pg "$PGBIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U postgres congope 2>/dev/null || true
    echo "postgres://postgres@127.0.0.1:$PGPORT/congope"
    ;;
  restart)
    as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -w -m fast restart >/dev/null
    ;;
  stop)
    if [ -f "$PGDIR/data/postmaster.pid" ]; then
      as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -w -m fast stop >/dev/null || true
    fi
    rm -rf "$PGDIR"
    ;;
  *)
    echo "uso: $0 start|stop|restart" >&2
    exit 2
    ;;
esac
