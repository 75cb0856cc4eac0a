# Sourced by the container scripts: where podman's settings and the downloaded tools live.
# Kept outside the checkout (CI runs in a fresh clone) so the store and tools are reused
# between runs on one machine; a fresh machine builds them once.
HARU_CONTAINERS_HOME=${HARU_CONTAINERS_HOME:-/var/tmp/haru-containers}
mkdir -p "$HARU_CONTAINERS_HOME/bin"
export CONTAINERS_CONF="$HARU_CONTAINERS_HOME/containers.conf"
# podman 4.3 here: crun 1.8 refuses this machine kind's hybrid cgroups (runc works); root has
# no CAP_SYS_RESOURCE, so the container rlimits must not exceed ours; netavark + aardvark-dns
# resolve compose service names between containers.
nofile=$(ulimit -Hn); nproc=$(ulimit -Hu)
if [ "$nproc" = unlimited ] || [ "$nproc" -gt 32768 ]; then nproc=32768; fi
cat > "$CONTAINERS_CONF.new" <<CONF
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]
[network]
network_backend = "netavark"
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF
mv "$CONTAINERS_CONF.new" "$CONTAINERS_CONF"
# Images are built offline: docker format keeps HEALTHCHECK, nothing is pulled.
BUILD=(podman build --format docker --pull=never --network=host)
