#!/usr/bin/env bash
# Make sure the real services the test suite needs are there: headless Chromium + ChromeDriver, a Redis server and
# a PostgreSQL server. Installs (apt) and starts only what is missing, and says what it did on stderr.
#
# stdout carries only `export NAME=value` lines for the caller to eval (the Makefile does):
#   TEST_DATABASE_URL  the PostgreSQL the tests create their throwaway databases on
#   TEST_REDIS_URL     the Redis server the tests use (database 15)
# A TEST_DATABASE_URL / TEST_REDIS_URL already in the environment is respected and not touched.
#
# Knobs: TEST_REDIS_PORT (6379), TEST_PG_PORT (5432), TEST_PG_PASSWORD (password set on a PostgreSQL this script
# installs or starts itself, default "onescreen"), PYTHON (an interpreter with psycopg, default .venv/bin/python).
set -euo pipefail

REDIS_HOST=127.0.0.1
REDIS_PORT=${TEST_REDIS_PORT:-6379}
PG_HOST=127.0.0.1
PG_PORT=${TEST_PG_PORT:-5432}
PG_PASSWORD=${TEST_PG_PASSWORD:-onescreen}
PYTHON=${PYTHON:-.venv/bin/python}
STATE_DIR=${TMPDIR:-/tmp}/onescreen-test-services

say() { echo "ensure-test-services: $*" >&2; }
die() { say "ERROR: $*"; exit 1; }

# Root runs commands directly; anyone else goes through sudo when there is one.
if [ "$(id -u)" -eq 0 ]; then
    SUDO=()
elif command -v sudo >/dev/null; then
    SUDO=(sudo)
else
    SUDO=()
fi
as_root() {
    if [ "$(id -u)" -ne 0 ] && [ ${#SUDO[@]} -eq 0 ]; then
        die "need root (or sudo) to run: $*"
    fi
    "${SUDO[@]}" "$@"
}
as_postgres() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else as_root -u postgres "$@"; fi
}

APT_UPDATED=
apt_install() {
    command -v apt-get >/dev/null || die "apt-get not found: install $* yourself, or set TEST_DATABASE_URL / TEST_REDIS_URL"
    if [ -z "$APT_UPDATED" ]; then
        say "apt-get update"
        as_root apt-get update -q >&2
        APT_UPDATED=1
    fi
    say "apt-get install $*"
    # A UTF-8 locale, so that the cluster the postgresql package creates is UTF8 (not SQL_ASCII).
    as_root env DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 LC_ALL=C.UTF-8 apt-get install -y -q "$@" >&2
}

# --- Chromium + ChromeDriver (Debian's packages, never a browser download) ------------------------------------
ensure_chromium() {
    if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then
        say "chromium + chromedriver: found ($(command -v chromium), $(command -v chromedriver))"
        return
    fi
    apt_install chromium chromium-driver
    say "chromium + chromedriver: installed"
}

# --- Redis ---------------------------------------------------------------------------------------------------
# Prints the server's reply to PING ("+PONG"), or nothing when no server listens. Pure bash: no redis-cli needed.
redis_ping() {
    timeout 3 bash -c "exec 3<>/dev/tcp/$1/$2 && printf 'PING\r\n' >&3 && head -c 5 <&3" 2>/dev/null || true
}

ensure_redis() {
    if [ -n "${TEST_REDIS_URL:-}" ]; then
        say "redis: using TEST_REDIS_URL from the environment"
        return
    fi
    TEST_REDIS_URL="redis://$REDIS_HOST:$REDIS_PORT/15"
    local reply
    reply=$(redis_ping "$REDIS_HOST" "$REDIS_PORT")
    if [ "$reply" = "+PONG" ]; then
        say "redis: answering on $REDIS_HOST:$REDIS_PORT"
        return
    fi
    [ -z "$reply" ] || die "something on $REDIS_HOST:$REDIS_PORT answers PING with '$reply', not a usable Redis: stop it, or set TEST_REDIS_URL"
    if ! command -v redis-server >/dev/null; then
        apt_install --no-install-recommends redis-server
        # On a machine with a live init system the package starts its own server on 6379: use it when it answers.
        if [ "$(redis_ping "$REDIS_HOST" "$REDIS_PORT")" = "+PONG" ]; then
            say "redis: installed, the package's server answers on $REDIS_HOST:$REDIS_PORT"
            return
        fi
    fi
    mkdir -p "$STATE_DIR"
    # A throwaway test server: loopback only, no RDB snapshots, no AOF.
    redis-server --bind "$REDIS_HOST" --port "$REDIS_PORT" --daemonize yes --save '' --appendonly no \
        --dir "$STATE_DIR" --pidfile "$STATE_DIR/redis-$REDIS_PORT.pid" --logfile "$STATE_DIR/redis-$REDIS_PORT.log"
    for _ in $(seq 50); do
        if [ "$(redis_ping "$REDIS_HOST" "$REDIS_PORT")" = "+PONG" ]; then
            say "redis: started redis-server on $REDIS_HOST:$REDIS_PORT (pid $(cat "$STATE_DIR/redis-$REDIS_PORT.pid"), no persistence)"
            return
        fi
        sleep 0.2
    done
    die "redis-server did not answer on $REDIS_HOST:$REDIS_PORT; see $STATE_DIR/redis-$REDIS_PORT.log"
}

# --- PostgreSQL ----------------------------------------------------------------------------------------------
pg_answers() { timeout 3 bash -c "exec 3<>/dev/tcp/$PG_HOST/$PG_PORT" 2>/dev/null; }

# Succeeds when $1 (a libpq URL) logs in; used to find which credentials the server takes.
pg_login() {
    "$PYTHON" - "$1" >/dev/null 2>&1 <<'EOF'
import sys, psycopg
psycopg.connect(sys.argv[1], connect_timeout=5).close()
EOF
}

# Creates database `test` through the URL's server when it is missing.
pg_create_test_db() {
    "$PYTHON" - "$1" <<'EOF' >&2
import sys, psycopg
with psycopg.connect(sys.argv[1], autocommit=True, connect_timeout=5) as conn:
    if conn.execute("SELECT 1 FROM pg_database WHERE datname = 'test'").fetchone() is None:
        conn.execute('CREATE DATABASE "test"')
        print("ensure-test-services: postgresql: created database test")
    encoding = conn.execute("SELECT pg_encoding_to_char(encoding) FROM pg_database WHERE datname = 'template1'")
    if (name := encoding.fetchone()[0]) != "UTF8":
        print(f"ensure-test-services: WARNING: template1 is {name}, not UTF8: Chinese text will not round-trip")
EOF
}

# Starts the local Debian cluster on PG_PORT (installing PostgreSQL first when there is none) and waits for it.
start_local_postgres() {
    command -v pg_lsclusters >/dev/null || apt_install --no-install-recommends postgresql
    local cluster
    cluster=$(pg_lsclusters -h | awk -v port="$PG_PORT" '$3 == port { print $1 " " $2; exit }')
    if [ -z "$cluster" ]; then
        local version
        version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
        [ -n "$version" ] || die "no PostgreSQL server binaries under /usr/lib/postgresql"
        local name=main
        [ ! -e "/etc/postgresql/$version/main" ] || name=onescreen
        say "postgresql: creating cluster $version/$name on port $PG_PORT"
        as_root pg_createcluster "$version" "$name" --port "$PG_PORT" --locale C.UTF-8 >&2
        cluster="$version $name"
    fi
    if ! pg_answers; then
        say "postgresql: starting cluster ${cluster/ //}"
        # shellcheck disable=SC2086  # "$version $name" splits on purpose
        as_root pg_ctlcluster $cluster start >&2
    fi
    for _ in $(seq 60); do
        pg_answers && return
        sleep 0.5
    done
    die "PostgreSQL cluster ${cluster/ //} did not start on port $PG_PORT; see /var/log/postgresql/"
}

ensure_postgres() {
    if [ -n "${TEST_DATABASE_URL:-}" ]; then
        say "postgresql: using TEST_DATABASE_URL from the environment"
        return
    fi
    local started=
    if pg_answers; then
        say "postgresql: answering on $PG_HOST:$PG_PORT"
    else
        start_local_postgres
        started=1
    fi
    local plain="postgresql://postgres@$PG_HOST:$PG_PORT/postgres"
    local with_password="postgresql://postgres:$PG_PASSWORD@$PG_HOST:$PG_PORT/postgres"
    local base
    if pg_login "$plain"; then
        base="postgres@$PG_HOST:$PG_PORT"
    elif pg_login "$with_password"; then
        base="postgres:$PG_PASSWORD@$PG_HOST:$PG_PORT"
    elif [ -n "$started" ]; then
        # Debian's cluster allows postgres in by peer auth on the socket only, and wants a password over TCP
        # (scram-sha-256 on 127.0.0.1): give the superuser one, on this cluster that this script manages.
        say "postgresql: setting a password for user postgres (TEST_PG_PASSWORD) for TCP logins"
        # shellcheck disable=SC2016  # :'password' is psql's quoting, not the shell's
        echo "ALTER USER postgres PASSWORD :'password'" \
            | (cd / && as_postgres psql -q -p "$PG_PORT" -v ON_ERROR_STOP=1 -v password="$PG_PASSWORD") >&2
        pg_login "$with_password" || die "still cannot log in as postgres at $PG_HOST:$PG_PORT; check pg_hba.conf"
        base="postgres:$PG_PASSWORD@$PG_HOST:$PG_PORT"
    else
        die "PostgreSQL at $PG_HOST:$PG_PORT does not let user postgres in (no password, nor TEST_PG_PASSWORD): \
set TEST_DATABASE_URL=postgresql+psycopg://USER:PASSWORD@$PG_HOST:$PG_PORT/test"
    fi
    pg_create_test_db "postgresql://$base/postgres"
    TEST_DATABASE_URL="postgresql+psycopg://$base/test"
}

[ -x "$PYTHON" ] || PYTHON=$(command -v python3)
"$PYTHON" -c 'import psycopg' 2>/dev/null || die "$PYTHON cannot import psycopg: run this through 'make test'"
ensure_chromium
ensure_redis
ensure_postgres
say "TEST_DATABASE_URL=$TEST_DATABASE_URL"
say "TEST_REDIS_URL=$TEST_REDIS_URL"
printf 'export TEST_DATABASE_URL=%q\n' "$TEST_DATABASE_URL"
printf 'export TEST_REDIS_URL=%q\n' "$TEST_REDIS_URL"
