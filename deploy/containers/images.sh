#!/usr/bin/env bash
# Builds the project's images with podman, offline (--pull=never: the base images are the
# stand-ins of base-images.sh), under the names docker-compose.yml gives them. Layers are
# cached in podman's store, so an unchanged lock reuses the dependency layer.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd); REPO=$(cd "$HERE/../.." && pwd)
. "$HERE/env.sh"
cd "$REPO"
build() {  # build NAME DOCKERFILE [build args]
	local name=$1 file=$2; shift 2
	local t0=$SECONDS
	local log="$HARU_CONTAINERS_HOME/build-$name.log"
	"${BUILD[@]}" -f "$file" "$@" -t "haru/$name" . >"$log" 2>&1 || { tail -40 "$log"; return 1; }
	echo "built haru/$name ($((SECONDS - t0)) s)"
}
build auth-server auth-server/Dockerfile
build skill-calendar skill-calendar/Dockerfile
build router router/Dockerfile
build google-emulator emulators/Dockerfile --build-arg EMULATOR=google --build-arg PORT=8090
build slack-emulator emulators/Dockerfile --build-arg EMULATOR=slack --build-arg PORT=8091
build openai-emulator emulators/Dockerfile --build-arg EMULATOR=openai --build-arg PORT=8092
# Images a newer build replaced pile up in the store: drop untagged ones older than a week
# (a build stage cached that long is rebuilt once).
podman image prune -f --filter until=168h >/dev/null
