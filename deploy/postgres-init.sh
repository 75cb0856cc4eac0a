#!/usr/bin/env bash
# First start of the compose PostgreSQL: one role and one database per service, each role
# able to reach only its own database. The roles, passwords and database names are read from
# the services' own DATABASE_URL secrets, so there is one place for each password.
set -euo pipefail
sql() { psql -v ON_ERROR_STOP=1 --no-psqlrc -q "$@"; }
for service in AUTH CALENDAR ROUTER; do
	url=$(<"/run/secrets/${service}_DATABASE_URL")
	# postgresql+asyncpg://ROLE:PASSWORD@HOST:PORT/DATABASE (make_secrets.py writes URL-safe values)
	if [[ ! $url =~ ^postgresql(\+asyncpg)?://([A-Za-z0-9_]+):([^@/]+)@[^/]+/([A-Za-z0-9_]+)$ ]]; then
		echo "${service}_DATABASE_URL is not postgresql+asyncpg://role:password@host:port/database" >&2
		exit 1
	fi
	role=${BASH_REMATCH[2]} password=${BASH_REMATCH[3]} database=${BASH_REMATCH[4]}
	sql -d postgres -v role="$role" -v password="$password" -v db="$database" <<'SQL'
CREATE ROLE :"role" LOGIN PASSWORD :'password';
CREATE DATABASE :"db" OWNER :"role";
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
SQL
	echo "role $role owns database $database"
done
# Nobody but the superuser connects to the maintenance databases.
sql -d postgres -v db="${POSTGRES_DB:-haru}" <<'SQL'
REVOKE CONNECT ON DATABASE postgres FROM PUBLIC;
REVOKE CONNECT ON DATABASE template1 FROM PUBLIC;
REVOKE CONNECT ON DATABASE :"db" FROM PUBLIC;
SQL
