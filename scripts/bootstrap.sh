#!/usr/bin/env bash
# Installs what Berth needs on a Debian/Ubuntu machine, then builds everything:
# system packages (only the missing ones), npm dependencies, the TypeScript
# build and the guest image. Safe to run again; each step skips done work.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  qemu-system-x86 qemu-utils           # the VM
  qemu-system-arm                      # the arm64 guest, tested here under software emulation
  debian-archive-keyring               # the guest build's own apt configuration (Debian 13)
  squashfs-tools busybox-static kmod cpio zstd xz-utils binutils  # building the guest image (zstd also compresses a sleeping VM's state)
  gcc libc6-dev gcc-aarch64-linux-gnu libc6-dev-arm64-cross  # the guest's own-changes recorder, built for each guest (vm-assets/guest/src)
  util-linux                           # setpriv: QEMU dies with the agent
  docker-registry                      # a local registry mirror the engine-settings test pulls through
  openssh-server                       # sshd, which the engines test runs itself on 127.0.0.1 (an ssh:// context)
  procps                               # ps: finding a QEMU a crashed agent left (as on macOS)
  docker-compose python3-docker        # real Docker clients the tests drive
  chromium xvfb                        # the dashboard's browser tests
)

sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "bootstrap: installing ${missing[*]}"
  sudo_if_needed apt-get update -qq
  # --no-install-recommends: docker-compose recommends docker.io, and Berth's
  # whole point is that no Docker engine runs on the host.
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
command -v docker >/dev/null || echo "bootstrap: note: no docker CLI on PATH; install one (the CLI only) to use Berth's socket from a shell"

# The electron package would download a binary from a host we may not reach;
# the app is type-checked against its typings and packaged elsewhere.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  ELECTRON_SKIP_BINARY_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
fi
npm run --silent build
# Both guests at once: the Apple Silicon one is built from Debian's arm64
# packages on any host, and its tests boot it under TCG. Running Berth needs no
# payload measurement (minutes of zstd at its strongest level); `npm test`
# does it in the background while the tests run.
logs=$(mktemp -d)
declare -A builds
for arch in amd64 arm64; do
  npm run --silent vm-assets -- --arch "$arch" --no-measure > "$logs/$arch" 2>&1 &
  builds[$arch]=$!
done
failed=0
for arch in amd64 arm64; do
  wait "${builds[$arch]}" || failed=1
  cat "$logs/$arch"
done
rm -rf "$logs"
[ "$failed" -eq 0 ] || { echo "bootstrap: a guest build failed (see above)" >&2; exit 1; }
