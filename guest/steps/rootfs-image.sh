#!/usr/bin/env bash
# Turns the cached base rootfs plus the agent into the guest's ext4 root image.
#
#   rootfs-image.sh <base.tar.zst> <agent-binary> <out.ext4>
#
# Adds guest/rootfs/ (hostname, hosts, resolv.conf, pip.conf), /app (the working directory) and
# /usr/local/bin/capsule-agent, then `mkfs.ext4 -d` with 2 GiB of headroom over what is used.
# Sessions write into their own qcow2 overlay; this image is never written at runtime.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=guest/lib/log.sh
source "$here/lib/log.sh"

base=$1 agent=$2 out=$3
headroom_mb=2048

work=$(mktemp -d "${TMPDIR:-/tmp}/capsule-rootfs.XXXXXX")
trap 'rm -rf --one-file-system "$work"' EXIT
root=$work/root
mkdir "$root"
zstd -q -dc "$base" | tar --numeric-owner --xattrs --xattrs-include='*' -C "$root" -xpf -
info "unpacked base rootfs"

cp -r --no-preserve=ownership "$here/rootfs/." "$root/"
install -d -m 0755 "$root/app"
install -d -m 0700 "$root/root"
install -D -m 0755 "$agent" "$root/usr/local/bin/capsule-agent"

# The agent is built against the host's glibc; make sure the guest has every library it needs.
libraries=$(chroot "$root" /usr/bin/ldd /usr/local/bin/capsule-agent 2>&1 || true)
if [[ $libraries == *"not found"* ]]; then
  printf '%s\n' "$libraries" >&2
  die "capsule-agent needs libraries the guest rootfs does not have"
fi

used_mb=$(du -s --block-size=1M "$root" | cut -f1)
size_mb=$((used_mb + headroom_mb))
# A sparse file of the final size first (mkfs would otherwise announce that it creates one).
truncate -s "${size_mb}M" "$out"
mkfs.ext4 -q -F -L rootfs -d "$root" "$out" "${size_mb}M"
info "rootfs.ext4: ${used_mb} MiB used + ${headroom_mb} MiB headroom = ${size_mb} MiB ($(du -h "$out" | cut -f1) on disk)"
