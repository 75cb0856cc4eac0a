#!/usr/bin/env bash
# The PostgreSQL stand-in's entrypoint: the official postgres image's interface, kept small.
# POSTGRES_USER / POSTGRES_PASSWORD / POSTGRES_DB (each also as *_FILE), PGDATA,
# POSTGRES_HOST_AUTH_METHOD, /docker-entrypoint-initdb.d/*.sql and *.sh on first start.
# Like the official one, the init-time server listens on the unix socket only, so a TCP
# health check (pg_isready -h 127.0.0.1) is what tells the real server is up.
set -Eeuo pipefail

file_env() {  # file_env VAR [default]: VAR from $VAR or from the file named by $VAR_FILE
	local var=$1 file_var="${1}_FILE" default=${2:-}
	if [ -n "${!var:-}" ] && [ -n "${!file_var:-}" ]; then
		echo >&2 "error: both $var and $file_var are set"; exit 1
	fi
	local value=$default
	if [ -n "${!var:-}" ]; then value=${!var}; elif [ -n "${!file_var:-}" ]; then value=$(<"${!file_var}"); fi
	export "$var"="$value"; unset "$file_var"
}

if [ "${1:0:1}" = '-' ]; then set -- postgres "$@"; fi

if [ "$1" = postgres ] && [ "$(id -u)" = 0 ]; then
	mkdir -p "$PGDATA"; chown -R postgres:postgres "$PGDATA"; chmod 700 "$PGDATA"
	exec gosu postgres "${BASH_SOURCE[0]}" "$@"
fi

if [ "$1" = postgres ] && [ ! -s "$PGDATA/PG_VERSION" ]; then
	file_env POSTGRES_PASSWORD; file_env POSTGRES_USER postgres; file_env POSTGRES_DB "$POSTGRES_USER"
	auth=${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}
	if [ -z "$POSTGRES_PASSWORD" ] && [ "$auth" != trust ]; then
		echo >&2 "error: set POSTGRES_PASSWORD (or POSTGRES_PASSWORD_FILE), or POSTGRES_HOST_AUTH_METHOD=trust"
		exit 1
	fi
	initdb --username="$POSTGRES_USER" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") \
		--auth-local=trust --auth-host="$auth" -D "$PGDATA" >/dev/null
	printf '\nhost all all all %s\n' "$auth" >> "$PGDATA/pg_hba.conf"
	pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -p 5432" -w start >/dev/null
	export PGUSER=$POSTGRES_USER PGHOST=/var/run/postgresql
	if [ "$POSTGRES_DB" != postgres ]; then
		echo 'CREATE DATABASE :"db"' | psql -v ON_ERROR_STOP=1 --no-psqlrc -q -d postgres -v db="$POSTGRES_DB" >/dev/null
	fi
	for f in /docker-entrypoint-initdb.d/*; do
		case "$f" in
			*.sh) echo "running $f"; if [ -x "$f" ]; then "$f"; else . "$f"; fi ;;
			*.sql) echo "running $f"; psql -v ON_ERROR_STOP=1 --no-psqlrc -q -d "$POSTGRES_DB" -f "$f" ;;
			*) ;;
		esac
	done
	pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
	unset PGUSER PGHOST
	echo "PostgreSQL init process complete; ready for start up."
fi

exec "$@"
