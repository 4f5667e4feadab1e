#!/usr/bin/env bash
# Make sure PostgreSQL and Redis answer for the development/test configuration, and that the database exists.
#
# Uses the same environment variables as deploy/dev/netbox_configuration.py (PGHOST, PGPORT, PGUSER, PGPASSWORD,
# PGDATABASE, REDIS_HOST, REDIS_PORT, REDIS_PASSWORD). A server that does not answer is started only when it
# is expected on this machine (a loopback host) and installed here; otherwise the script fails with a message.
# The test database (test_$PGDATABASE) is created by pytest-django, not here.
set -euo pipefail

export PGHOST="${PGHOST:-127.0.0.1}"
export PGPORT="${PGPORT:-5432}"
export PGUSER="${PGUSER:-postgres}"
export PGDATABASE="${PGDATABASE:-netbox_hedgehog}"
REDIS_HOST="${REDIS_HOST:-127.0.0.1}"
REDIS_PORT="${REDIS_PORT:-6379}"
WAIT_SECONDS="${SERVICES_WAIT_SECONDS:-30}"

die() {
    echo "services.sh: $*" >&2
    exit 1
}

is_local() {
    [[ "$1" == 127.* || "$1" == localhost || "$1" == ::1 ]]
}

postgres_ready() {
    if command -v pg_isready >/dev/null 2>&1; then
        pg_isready -q -h "$PGHOST" -p "$PGPORT"
    else
        (exec 3<>"/dev/tcp/$PGHOST/$PGPORT") 2>/dev/null
    fi
}

redis_ready() {
    if command -v redis-cli >/dev/null 2>&1; then
        # REDISCLI_AUTH keeps the password off the command line.
        [[ "$(REDISCLI_AUTH="${REDIS_PASSWORD:-}" redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping 2>/dev/null)" == PONG ]]
    else
        (exec 3<>"/dev/tcp/$REDIS_HOST/$REDIS_PORT") 2>/dev/null
    fi
}

# wait_for NAME CHECK_FUNCTION: poll for up to WAIT_SECONDS.
wait_for() {
    local name="$1" check="$2" i
    for ((i = 0; i < WAIT_SECONDS; i++)); do
        "$check" && return 0
        sleep 1
    done
    die "$name did not answer within ${WAIT_SECONDS}s after starting it"
}

start_postgres() {
    is_local "$PGHOST" || die "PostgreSQL does not answer on $PGHOST:$PGPORT (not a local host, not starting it)"
    command -v pg_ctlcluster >/dev/null 2>&1 && [[ -d /etc/postgresql ]] \
        || die "PostgreSQL does not answer on $PGHOST:$PGPORT and no local cluster is installed (pg_ctlcluster)"
    local version
    version="$(find /etc/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -V | tail -n 1)"
    [[ -n "$version" ]] || die "PostgreSQL does not answer on $PGHOST:$PGPORT and /etc/postgresql has no cluster"
    echo "services.sh: starting PostgreSQL $version/main"
    pg_ctlcluster --skip-systemctl-redirect "$version" main start \
        || die "could not start PostgreSQL $version/main (is it the cluster meant to listen on port $PGPORT?)"
    wait_for PostgreSQL postgres_ready
}

start_redis() {
    is_local "$REDIS_HOST" || die "Redis does not answer on $REDIS_HOST:$REDIS_PORT (not a local host, not starting it)"
    command -v redis-server >/dev/null 2>&1 \
        || die "Redis does not answer on $REDIS_HOST:$REDIS_PORT and redis-server is not installed"
    echo "services.sh: starting Redis on port $REDIS_PORT"
    mkdir -p /var/lib/redis /var/log/redis || die 'cannot create /var/lib/redis and /var/log/redis for Redis'
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$REDIS_PORT" --save '' --appendonly no \
        --dir /var/lib/redis --logfile /var/log/redis/ci.log || die 'could not start redis-server'
    wait_for Redis redis_ready
}

postgres_ready || start_postgres
redis_ready || start_redis

# Create the development database if missing (connect to the maintenance database to look).
exists="$(psql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$PGDATABASE'")" \
    || die "cannot query PostgreSQL on $PGHOST:$PGPORT as $PGUSER"
if [[ "$exists" != 1 ]]; then
    echo "services.sh: creating database $PGDATABASE"
    createdb "$PGDATABASE" || die "could not create database $PGDATABASE"
fi

echo "services.sh: PostgreSQL $PGHOST:$PGPORT (database $PGDATABASE) and Redis $REDIS_HOST:$REDIS_PORT are up"
