#!/usr/bin/env bash
# Builds deploy/docker/Dockerfile with podman (daemonless) on a machine that reaches no container
# registry, then starts every app from the image and checks that it answers /healthz.
#
# The Dockerfile's base, node:20-bookworm-slim, cannot be pulled here. It is made on the machine
# instead, as the real one is made: a Debian bookworm minbase (debootstrap, from Debian's
# packages) with this machine's Node 20 and npm added and a `node` user of uid 1000; it is stored
# under the name the Dockerfile asks for, and the build runs with --pull=never.
#
# Needs root and Debian's podman, runc and debootstrap (apt-get install podman runc debootstrap).
# On this machine podman's default runtime (crun) refuses the hybrid cgroup layout and raising
# rlimits is not permitted: runc, cgroupfs and explicit ulimits work around both.
#
#   bash deploy/docker/build-local-image.sh [tag]      # default tag: switchboard:local
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

TAG="${1:-switchboard:local}"
BASE_NAME="docker.io/library/node:20-bookworm-slim"
WORK="$(mktemp -d /tmp/switchboard-image-XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
PODMAN=(podman --runtime runc --cgroup-manager=cgroupfs)
LIMITS=(--ulimit nofile=65536:65536 --ulimit nproc=4096:4096)

log() { echo "image: $*" >&2; }

for tool in podman runc debootstrap node; do
  command -v "$tool" >/dev/null || {
    log "$tool is missing (apt-get install podman runc debootstrap)"
    exit 1
  }
done
node_major="$(node -p 'process.versions.node.split(".")[0]')"
[[ $node_major == 20 ]] || log "warning: the base gets this machine's Node $node_major, the Dockerfile expects 20"

if ! "${PODMAN[@]}" image exists "$BASE_NAME"; then
  log "making the base $BASE_NAME: debootstrap bookworm minbase + Node $(node --version)"
  rootfs="$WORK/rootfs"
  debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian >"$WORK/debootstrap.log" 2>&1 ||
    {
      tail -n 30 "$WORK/debootstrap.log" >&2
      exit 1
    }
  install -m 0755 "$(readlink -f "$(command -v node)")" "$rootfs/usr/local/bin/node"
  mkdir -p "$rootfs/usr/local/lib/node_modules"
  cp -a "$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")" "$rootfs/usr/local/lib/node_modules/npm"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
  chroot "$rootfs" /bin/sh -c 'groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node'
  # The machine's trust store (it may hold the CA of an egress proxy), for npm in the build stage.
  mkdir -p "$rootfs/etc/ssl/certs" "$rootfs/usr/local/etc"
  cp /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/ca-certificates.crt"
  echo 'cafile=/etc/ssl/certs/ca-certificates.crt' >"$rootfs/usr/local/etc/npmrc"
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" -c . | "${PODMAN[@]}" import --change 'CMD ["node"]' - "$BASE_NAME" >/dev/null
fi

log "building $TAG from deploy/docker/Dockerfile"
"${PODMAN[@]}" build --pull=never --network=host --isolation=chroot -f deploy/docker/Dockerfile -t "$TAG" . \
  >"$WORK/build.log" 2>&1 || {
  tail -n 60 "$WORK/build.log" >&2
  exit 1
}
log "built: $("${PODMAN[@]}" image inspect --format '{{.Size}}' "$TAG" | awk '{printf "%.0f MB", $1/1e6}')"
