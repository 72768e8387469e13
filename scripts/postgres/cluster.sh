#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for the tests.
#
#   scripts/postgres/cluster.sh start   # installs PostgreSQL when missing, starts a cluster, prints its URL
#   scripts/postgres/cluster.sh url     # prints the URL of the running cluster
#   scripts/postgres/cluster.sh stop    # stops the cluster and removes its directory
#
# The cluster lives in $MJPROXY_PG_CLUSTER_DIR (default: $TMPDIR/mjproxy-pg-<uid>): data, unix socket and
# log. It listens on a free loopback port with trust authentication (loopback and the socket only) and
# has one database, mjproxy_test, owned by the superuser mjproxy: postgres://mjproxy@127.0.0.1:<port>/mjproxy_test.
# initdb refuses to run as root: as root the cluster runs as the system user mjproxy-pg (created when missing).
# Durability is off (fsync, synchronous_commit): the data is thrown away anyway.
set -euo pipefail

DIR="${MJPROXY_PG_CLUSTER_DIR:-${TMPDIR:-/tmp}/mjproxy-pg-$(id -u)}"
PG_USER=mjproxy-pg
DB=mjproxy_test
SUPERUSER=mjproxy

log() { printf 'postgres cluster: %s\n' "$*" >&2; }

# Runs a command as the cluster's owner (mjproxy-pg when we are root, else ourselves).
as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u "$PG_USER" -- "$@"; else "$@"; fi
}

# The newest installed server's bin directory (Debian: /usr/lib/postgresql/<version>/bin).
bin_dir() {
    local d
    d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [ -n "$d" ] && [ -x "$d/initdb" ]; then echo "$d"; fi
}

install_postgres() {
    [ -n "$(bin_dir)" ] && return 0
    log "installing PostgreSQL (Debian package postgresql)"
    local sudo=""
    [ "$(id -u)" = 0 ] || sudo=sudo
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
    [ -n "$(bin_dir)" ] || { log "PostgreSQL server binaries not found after installing"; exit 1; }
}

ensure_owner() {
    [ "$(id -u)" = 0 ] || return 0
    if ! id "$PG_USER" >/dev/null 2>&1; then
        log "creating system user $PG_USER"
        useradd --system --no-create-home --shell /usr/sbin/nologin "$PG_USER"
    fi
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

running() { [ -f "$DIR/port" ] && [ -f "$DIR/data/postmaster.pid" ] && as_owner "$(bin_dir)/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1; }

url() { echo "postgres://$SUPERUSER@127.0.0.1:$(cat "$DIR/port")/$DB"; }

start() {
    install_postgres
    ensure_owner
    if running; then url; return 0; fi
    local bin
    bin=$(bin_dir)
    mkdir -p "$DIR"
    rm -rf "$DIR/data" "$DIR/sock" "$DIR/port"
    mkdir -p "$DIR/sock"
    [ "$(id -u)" = 0 ] && chown -R "$PG_USER" "$DIR"
    chmod 700 "$DIR"
    as_owner "$bin/initdb" -D "$DIR/data" -U "$SUPERUSER" --auth=trust --no-locale -E UTF8 >"$DIR/initdb.log" 2>&1 \
        || { cat "$DIR/initdb.log" >&2; exit 1; }
    # A free port can be taken between the probe and the bind: try a few.
    local port started=0
    for _ in 1 2 3 4 5; do
        port=$(free_port)
        if as_owner "$bin/pg_ctl" -D "$DIR/data" -l "$DIR/postgres.log" -w -t 60 start -o \
            "-p $port -k $DIR/sock -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400" \
            >/dev/null 2>&1; then
            started=1
            break
        fi
    done
    if [ "$started" != 1 ]; then
        log "could not start; server log:"
        cat "$DIR/postgres.log" >&2 || true
        exit 1
    fi
    echo "$port" >"$DIR/port"
    as_owner "$bin/createdb" -h "$DIR/sock" -p "$port" -U "$SUPERUSER" "$DB"
    log "running in $DIR on port $port"
    url
}

stop() {
    local bin
    bin=$(bin_dir)
    if [ -n "$bin" ] && [ -f "$DIR/data/postmaster.pid" ]; then
        as_owner "$bin/pg_ctl" -D "$DIR/data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
    fi
    rm -rf "$DIR"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    url)
        running || { log "not running (no cluster in $DIR)"; exit 1; }
        url
        ;;
    *)
        echo "usage: $0 start|stop|url   (directory: \$MJPROXY_PG_CLUSTER_DIR, now $DIR)" >&2
        exit 2
        ;;
esac
