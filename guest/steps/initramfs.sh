#!/usr/bin/env bash
# Builds the guest initramfs: static busybox, the virtio modules and guest/initramfs/init.
#
#   initramfs.sh <kernel-dir> <out-file>
#
# <kernel-dir> is what kernel.sh wrote (kernel.env names the version and the modules folder).
# The module list is guest/initramfs/modules.txt; the dependencies `modinfo -F depends` reports are
# loaded first. The load order is written to /lib/modules/load-order for /init.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=guest/lib/log.sh
source "$here/lib/log.sh"

kernel_dir=$1 out=$2
# shellcheck source=/dev/null
source "$kernel_dir/kernel.env"
modules_dir=$KERNEL_MODULES_DIR
modules_base=${modules_dir%/lib/modules/*}

busybox=/bin/busybox
[[ -x $busybox ]] || die "$busybox is missing (install busybox-static)"
# A dynamically linked busybox (Debian's `busybox` package) has no libc in the initramfs.
if ldd "$busybox" > /dev/null 2>&1; then
  die "$busybox is dynamically linked; install busybox-static"
fi

staging=$(mktemp -d "${TMPDIR:-/tmp}/capsule-initramfs.XXXXXX")
trap 'rm -rf "$staging"' EXIT
mkdir -p "$staging"/{bin,dev,proc,sys,newroot,lib/modules}
ln -s bin "$staging/sbin"

# busybox itself, and one symlink per applet. Never a link named busybox: that would replace the binary.
cp "$busybox" "$staging/bin/busybox"
applets=0
while read -r applet; do
  [[ -n $applet && $applet != busybox ]] || continue
  ln -sf busybox "$staging/bin/$applet"
  applets=$((applets + 1))
done < <("$busybox" --list)
info "busybox $("$busybox" | head -n 1 | awk '{ print $2 }') with $applets applets"

# The kernel opens /dev/console for /init before devtmpfs is mounted, and again after it moved away.
mknod -m 600 "$staging/dev/console" c 5 1

# Module load order: each listed module after the modules it depends on.
declare -A placed=()
order=()
place() {
  local name=$1 file dep
  [[ -z ${placed[$name]:-} ]] || return 0
  placed[$name]=1
  if ! file=$(modinfo -b "$modules_base" -k "$KERNEL_VERSION" -F filename "$name" 2> /dev/null) || [[ ! -f $file ]]; then
    if grep -qE "/${name//[-_]/[-_]}\.ko" "$modules_dir/modules.builtin" 2> /dev/null; then
      info "module $name is built into $KERNEL_VERSION; skipping"
    else
      info "module $name does not exist in $KERNEL_VERSION; skipping"
    fi
    return 0
  fi
  for dep in $(modinfo -F depends "$file" | tr ',' ' '); do
    place "$dep"
  done
  # Debian's cloud kernel ships plain .ko files; decompress if a later one does not.
  local target
  target=$staging/lib/modules/$(basename "$file")
  case $file in
    *.ko.xz) target=${target%.xz}; xz -dc "$file" > "$target" ;;
    *.ko.zst) target=${target%.zst}; zstd -qdc "$file" > "$target" ;;
    *.ko.gz) target=${target%.gz}; gzip -dc "$file" > "$target" ;;
    *) cp "$file" "$target" ;;
  esac
  order+=("$(basename "$target")")
}
while read -r module; do
  place "$module"
done < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$here/initramfs/modules.txt")
[[ ${#order[@]} -gt 0 ]] || die "no kernel module found"
printf '%s\n' "${order[@]}" > "$staging/lib/modules/load-order"
info "modules (load order): ${order[*]%.ko}"

install -m 0755 "$here/initramfs/init" "$staging/init"

(cd "$staging" && find . -print0 | LC_ALL=C sort -z | cpio --quiet -o -0 -H newc -R 0:0 | gzip -1) > "$out"
info "initrd.img $(du -h --apparent-size "$out" | cut -f1)"
