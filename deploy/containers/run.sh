#!/usr/bin/env bash
# The container step of `make test` (`make containers`): installs podman and Compose, builds
# the stand-in base images and the project's images offline, brings the compose stack up with
# the emulators (--wait), runs deploy/containers/test_stack.py against it over HTTP (the seed
# scenario, database roles, a Deployment under `podman kube play`), and takes everything down.
# With CI=true a missing part fails the step; elsewhere, without root, it skips and says why.
# HARU_COMPOSE_PROJECT names the compose project (default haru-ci); ports are picked free.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd); REPO=$(cd "$HERE/../.." && pwd)
t0=$SECONDS
step() { echo "[containers $((SECONDS - t0))s] $*"; }
in_ci() { [[ "${CI:-}" =~ ^(1|true|yes|TRUE|True)$ ]]; }

step "tools: podman, netavark, aardvark-dns, catatonit, debootstrap, docker-compose"
rc=0; bash "$HERE/tools.sh" || rc=$?
if [ "$rc" = 3 ]; then
	if in_ci; then echo "FAILED: the container step needs podman (root and apt-get)"; exit 1; fi
	echo "SKIPPED: the container step needs podman, which only root can install here"; exit 0
elif [ "$rc" != 0 ]; then
	exit "$rc"
fi
. "$HERE/env.sh"
COMPOSE="$HARU_CONTAINERS_HOME/bin/docker-compose"

step "stand-in base images (cached in podman's store)"
bash "$HERE/base-images.sh"
step "project images"
bash "$HERE/images.sh"

RUN=$(mktemp -d /tmp/haru-containers-run.XXXXXX)
export COMPOSE_PROJECT_NAME=${HARU_COMPOSE_PROJECT:-haru-ci}
export DOCKER_HOST="unix://$RUN/podman.sock" DOCKER_BUILDKIT=0
export HARU_SECRETS_FOLDER="$RUN/secrets"
compose() { "$COMPOSE" --project-directory "$REPO" --env-file "$REPO/deploy/compose.sandbox.env" \
	--profile emulators "$@"; }
service_pid=; pump_pid=
cleanup() {
	local status=$?
	set +e
	step "down"
	compose down -v --remove-orphans --timeout 10 >"$RUN/down.log" 2>&1 || cat "$RUN/down.log"
	[ -n "$pump_pid" ] && kill "$pump_pid" 2>/dev/null && wait "$pump_pid" 2>/dev/null
	[ -n "$service_pid" ] && kill "$service_pid" 2>/dev/null && wait "$service_pid" 2>/dev/null
	for port in ${HARU_ROUTER_PORT:-} ${HARU_AUTH_PORT:-} ${HARU_CALENDAR_PORT:-} \
		${HARU_GOOGLE_EMULATOR_PORT:-} ${HARU_SLACK_EMULATOR_PORT:-} ${HARU_OPENAI_EMULATOR_PORT:-} \
		${HARU_KUBE_PORT:-}; do
		if python3 -c "import socket, sys; socket.create_connection(('127.0.0.1', int(sys.argv[1])), 1)" \
			"$port" 2>/dev/null; then echo "still listening on $port"; status=1; fi
	done
	local left
	left=$(podman ps -aq --filter "label=com.docker.compose.project=$COMPOSE_PROJECT_NAME")
	if [ -n "$left" ]; then echo "containers left behind: $left"; status=1; fi
	if [ "$status" != 0 ] && [ -d "$RUN/logs" ]; then
		mkdir -p "$REPO/tests-e2e/artifacts/containers"
		cp -r "$RUN/logs/." "$REPO/tests-e2e/artifacts/containers/"
		echo "container logs: tests-e2e/artifacts/containers/"
	fi
	rm -rf "$RUN"
	step "done (exit $status)"
	exit "$status"
}
trap cleanup EXIT

# Free loopback ports for everything the stack publishes.
read -r HARU_ROUTER_PORT HARU_AUTH_PORT HARU_CALENDAR_PORT HARU_GOOGLE_EMULATOR_PORT \
	HARU_SLACK_EMULATOR_PORT HARU_OPENAI_EMULATOR_PORT HARU_KUBE_PORT < <(python3 - <<'PY'
import socket
socks = [socket.socket() for _ in range(7)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))
PY
)
export HARU_ROUTER_PORT HARU_AUTH_PORT HARU_CALENDAR_PORT HARU_GOOGLE_EMULATOR_PORT \
	HARU_SLACK_EMULATOR_PORT HARU_OPENAI_EMULATOR_PORT HARU_KUBE_PORT

step "podman's Docker API on $RUN/podman.sock, and the healthcheck pump"
podman system service --time=0 "$DOCKER_HOST" >"$RUN/service.log" 2>&1 & service_pid=$!
# podman 4.3 runs HEALTHCHECKs from systemd timers; without systemd, this loop runs them.
(
	set +e
	while :; do
		for id in $(podman ps -q --filter status=running \
			--filter "label=com.docker.compose.project=$COMPOSE_PROJECT_NAME"); do
			podman healthcheck run "$id" >/dev/null 2>&1
		done
		sleep 2
	done
) >/dev/null 2>&1 & pump_pid=$!
for _ in $(seq 100); do [ -S "$RUN/podman.sock" ] && break; sleep 0.1; done

python3 "$REPO/deploy/make_secrets.py" --sandbox --dir "$HARU_SECRETS_FOLDER" >/dev/null
step "compose up --wait (project $COMPOSE_PROJECT_NAME)"
if ! compose up -d --wait --wait-timeout 240 --no-build --pull never >"$RUN/up.log" 2>&1; then
	cat "$RUN/up.log"
	mkdir -p "$RUN/logs"; compose logs --no-color >"$RUN/logs/compose.log" 2>&1 || true
	tail -60 "$RUN/logs/compose.log"
	exit 1
fi

step "tests against the stack"
mkdir -p "$RUN/logs"
status=0
(cd "$REPO" && ${HARU_PYTEST:-python3 -m uv run --frozen pytest} -p no:cacheprovider -q \
	deploy/containers/test_stack.py) || status=$?
compose logs --no-color >"$RUN/logs/compose.log" 2>&1 || true
exit "$status"
