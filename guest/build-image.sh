#!/usr/bin/env bash
# Builds the Capsule guest image (kernel, initramfs, ext4 rootfs with the agent) from Debian packages.
#
#   guest/build-image.sh [--force]
#
# The image lives in $CAPSULE_IMAGE_CACHE/<key>/ (default /var/cache/capsule/images), where <key> is a
# sha256 over the recipe: every file under guest/, the agent's sources and the repo's build props.
# If that folder is already there the build is skipped. Either way artifacts/guest in the repo is
# pointed at it and its path is the only line printed on stdout; progress goes to stderr.
#
# Two cache levels: the debootstrapped base rootfs (<cache>/base-<base-key>.tar.zst, keyed by
# guest/packages.txt and guest/steps/base-rootfs.sh only) is reused when only the agent or the
# kernel/initramfs recipe changed. --force rebuilds both levels (the downloaded kernel .deb is kept).
# See docs/guest-image.md.
set -euo pipefail
export CAPSULE_BUILD_START=$EPOCHREALTIME
# stdout is for the image path only: keep it on fd 3 and send everything else (ours, the steps',
# apt's, mkfs's) to stderr.
exec 3>&1 1>&2
guest=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$guest")
# shellcheck source=guest/lib/log.sh
source "$guest/lib/log.sh"

force=false
for arg in "$@"; do
  case $arg in
    --force) force=true ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//' >&2; exit 0 ;;
    *) die "unknown argument: $arg (usage: guest/build-image.sh [--force])" ;;
  esac
done

cache=${CAPSULE_IMAGE_CACHE:-/var/cache/capsule/images}

# sha256 over the given repo-relative files: each file's path and content hash, in a fixed order.
hash_files() {
  (cd "$repo" && LC_ALL=C sort -u | tr '\n' '\0' | xargs -0 -r sha256sum | sha256sum | cut -d' ' -f1)
}

# The files the image key covers, repo-relative (a subshell: the cd stays in here).
image_recipe() (
  cd "$repo"
  find guest -type f
  for project in src/Capsule.Agent src/Capsule.Agent.Protocol; do
    [[ ! -d $project ]] || find "$project" \( -name bin -o -name obj \) -prune -o -type f -print
  done
  for file in Directory.Build.props Directory.Packages.props global.json; do
    [[ ! -f $file ]] || echo "$file"
  done
)

base_recipe() { printf '%s\n' guest/packages.txt guest/steps/base-rootfs.sh; }

complete() {
  local f
  for f in vmlinuz initrd.img rootfs.ext4 manifest.json; do
    [[ -s $1/$f ]] || return 1
  done
}

# Repoints artifacts/guest at the image (a new link renamed over the old one, so never missing).
link_artifacts() {
  mkdir -p "$repo/artifacts"
  local link=$repo/artifacts/guest tmp_link=$repo/artifacts/.guest.$$
  [[ ! -d $link || -L $link ]] || die "$link is a directory, not a symlink; remove it"
  ln -sfnT "$1" "$tmp_link"
  mv -fT "$tmp_link" "$link"
}

# The Debian mirror the host's apt uses (deb822 or one-line sources), else deb.debian.org.
host_mirror() {
  local uri=""
  if [[ -f /etc/apt/sources.list.d/debian.sources ]]; then
    uri=$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; exit } }' \
      /etc/apt/sources.list.d/debian.sources)
  fi
  if [[ -z $uri && -f /etc/apt/sources.list ]]; then
    uri=$(sed -e 's/\[[^]]*\]//' /etc/apt/sources.list |
      awk '$1 == "deb" && $2 !~ /security/ { print $2; exit }')
  fi
  echo "${uri:-http://deb.debian.org/debian}"
}

key=$(image_recipe | hash_files)
base_key=$(base_recipe | hash_files)
image=$cache/$key

if ! $force && complete "$image"; then
  link_artifacts "$image"
  step "image $key is up to date; build skipped ($(elapsed)s)"
  echo "$image" >&3
  exit 0
fi

[[ $(id -u) -eq 0 ]] || die "building the image needs root (debootstrap, chroot, mknod); run with sudo"
mkdir -p "$cache"
exec 9> "$cache/.lock"
if ! flock -n 9; then
  step "waiting for another build-image.sh to finish ($cache/.lock)"
  flock 9
fi
if ! $force && complete "$image"; then
  link_artifacts "$image"
  step "image $key was built meanwhile; build skipped"
  echo "$image" >&3
  exit 0
fi

# Under the lock nobody else is building: whatever temp output is left was left by a killed build.
rm -rf --one-file-system "$cache"/.build-* "$cache"/.old-* "$cache"/debs/.download.* "$cache"/base-*.partial

build=$cache/.build-$key.$$
trap 'rm -rf --one-file-system "$build"' EXIT
mkdir -p "$build/image" "$build/tmp"
export TMPDIR=$build/tmp
step "building guest image $key"
info "cache $cache"

step "kernel"
"$guest/steps/kernel.sh" "$cache/debs" "$build/kernel"
# shellcheck source=/dev/null
source "$build/kernel/kernel.env"
cp "$build/kernel/vmlinuz" "$build/image/vmlinuz"

step "initramfs"
"$guest/steps/initramfs.sh" "$build/kernel" "$build/image/initrd.img"

step "agent"
"$guest/steps/agent.sh" "$repo" "$build/agent"

base=$cache/base-$base_key.tar.zst
mirror=${CAPSULE_DEBIAN_MIRROR:-$(host_mirror)}
base_reused=false
if ! $force && [[ -s $base ]]; then
  step "base rootfs: reusing $(basename "$base")"
  base_reused=true
else
  step "base rootfs (debootstrap)"
  "$guest/steps/base-rootfs.sh" "$guest/packages.txt" "$mirror" "$base"
fi

step "rootfs image"
"$guest/steps/rootfs-image.sh" "$base" "$build/agent/capsule-agent" "$build/image/rootfs.ext4"

step "manifest"
size() { stat -c %s "$1"; }
cat > "$build/image/manifest.json" <<JSON
{
  "key": "$key",
  "base_key": "$base_key",
  "base_reused": $base_reused,
  "debian_suite": "bookworm",
  "debian_mirror": "$mirror",
  "kernel_version": "$KERNEL_VERSION",
  "kernel_package": "$KERNEL_PACKAGE",
  "kernel_package_version": "$KERNEL_PACKAGE_VERSION",
  "sizes": {
    "vmlinuz_bytes": $(size "$build/image/vmlinuz"),
    "initrd_img_bytes": $(size "$build/image/initrd.img"),
    "rootfs_ext4_bytes": $(size "$build/image/rootfs.ext4"),
    "rootfs_ext4_disk_bytes": $(($(stat -c %b "$build/image/rootfs.ext4") * $(stat -c %B "$build/image/rootfs.ext4"))),
    "agent_bytes": $(size "$build/agent/capsule-agent")
  },
  "build_seconds": $(elapsed),
  "created": "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
}
JSON

# Publish atomically: the image folder appears whole or not at all. A forced rebuild moves the old
# folder aside first (processes that have its files open keep them until they close them).
if [[ -e $image ]]; then
  mv -T "$image" "$cache/.old-$key.$$"
fi
mv -T "$build/image" "$image"
rm -rf --one-file-system "$cache/.old-$key.$$"
link_artifacts "$image"
step "done in $(elapsed)s: $image"
info "vmlinuz $(du -h --apparent-size "$image/vmlinuz" | cut -f1), initrd.img $(du -h --apparent-size "$image/initrd.img" | cut -f1), rootfs.ext4 $(du -h --apparent-size "$image/rootfs.ext4" | cut -f1) ($(du -h "$image/rootfs.ext4" | cut -f1) on disk)"
echo "$image" >&3
