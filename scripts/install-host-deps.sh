#!/usr/bin/env bash
# Installs the Debian packages a Capsule host needs, and only the ones that are missing.
#
#   sudo scripts/install-host-deps.sh
#
# Idempotent: every package is checked with dpkg-query first, so a second run installs
# nothing, runs no `apt-get update` and needs no network. Debian 12 (bookworm) is the target.
set -euo pipefail

# Package -> why Capsule needs it.
declare -A why=(
  [qemu-system-x86]="runs the guest microVMs"
  [qemu-utils]="qemu-img: per-session qcow2 overlays"
  [debootstrap]="builds the guest root filesystem"
  [busybox-static]="the guest initramfs userland"
  [e2fsprogs]="mkfs.ext4 -d: the guest rootfs image"
  [kmod]="modinfo/depmod: picks the guest kernel modules"
  [cpio]="packs the guest initramfs"
  [gzip]="compresses the guest initramfs"
  [zstd]="compresses the cached base rootfs"
  [lz4]="inspects the LZ4-compressed guest kernel"
  [socat]="manual debugging of the agent and QMP sockets"
  [util-linux]="flock and unshare for the image build"
  [clang]=".NET NativeAOT publish (the guest agent)"
  [zlib1g-dev]=".NET NativeAOT publish (the guest agent)"
  [iproute2]="network namespaces and tap devices"
  [nftables]="the guest network slots' firewall (fail closed)"
  [procps]="process inspection in scripts and tests"
  [python3]="host-side bench and acceptance scripts"
  [postgresql-15]="the PostgreSQL store's tests (a private server per run; the package's own cluster on 5432 is not used)"
  [tmux]="a real terminal for the capsule shell end-to-end test"
  [chromium]="the headless browser the dashboard tests drive"
  [chromium-driver]="chromedriver: Selenium's link to that browser"
  [nodejs]="builds the dashboard's assets (esbuild) at make build"
  [npm]="installs the dashboard's pinned npm packages"
)
# Installed in this order (the associative array has none).
packages=(
  qemu-system-x86 qemu-utils debootstrap busybox-static e2fsprogs kmod cpio gzip zstd lz4
  socat util-linux clang zlib1g-dev iproute2 nftables procps python3 postgresql-15 tmux chromium chromium-driver
)
# Debian's nodejs and npm only where no Node.js is present: a Node.js installed another way (these machines carry one
# whose package conflicts with Debian's npm) already brings its own npm.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  packages+=(nodejs npm)
fi

if [[ $(id -u) -ne 0 ]]; then
  echo "install-host-deps: must run as root (apt-get install)" >&2
  exit 1
fi

installed() {
  # dpkg-query exits non-zero for unknown packages; a known but removed package reports another status.
  [[ $(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true) == installed ]]
}

missing=()
for pkg in "${packages[@]}"; do
  if installed "$pkg"; then
    echo "install-host-deps: ok       $pkg"
  else
    echo "install-host-deps: missing  $pkg (${why[$pkg]})"
    missing+=("$pkg")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-host-deps: all ${#packages[@]} packages present, nothing to do"
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
echo "install-host-deps: apt-get update"
apt-get update -q
echo "install-host-deps: apt-get install ${missing[*]}"
apt-get install -y -q --no-install-recommends "${missing[@]}"

for pkg in "${missing[@]}"; do
  installed "$pkg" || { echo "install-host-deps: $pkg is still not installed" >&2; exit 1; }
done
echo "install-host-deps: installed ${#missing[@]} package(s): ${missing[*]}"
