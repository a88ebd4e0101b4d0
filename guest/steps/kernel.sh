#!/usr/bin/env bash
# Fetches Debian's cloud kernel and unpacks it.
#
#   kernel.sh <deb-cache-dir> <out-dir>
#
# Resolves the versioned package behind the linux-image-cloud-amd64 metapackage from the host's
# apt lists, downloads it with `apt-get download` (kept in <deb-cache-dir>, so a rebuild needs no
# network), and unpacks it with `dpkg -x`. Writes:
#   <out-dir>/vmlinuz             the bzImage
#   <out-dir>/tree/               the unpacked package (tree/lib/modules/<version>/..., depmod'ed)
#   <out-dir>/kernel.env          KERNEL_VERSION, KERNEL_PACKAGE, KERNEL_PACKAGE_VERSION
set -euo pipefail
# shellcheck source=guest/lib/log.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/log.sh"

deb_cache=$1 out=$2
meta=linux-image-cloud-amd64

# The versioned package the metapackage's candidate depends on, e.g. linux-image-6.1.0-56-cloud-amd64.
resolve_package() {
  apt-cache depends "$meta" 2>/dev/null |
    awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }'
}

package=$(resolve_package)
if [[ -z $package ]]; then
  info "apt lists do not know $meta; running apt-get update"
  apt-get update -q >&2
  package=$(resolve_package)
fi
[[ -n $package ]] || die "cannot resolve the kernel package behind $meta (apt-cache depends found none)"
version=$(apt-cache policy "$package" | awk '$1 == "Candidate:" { print $2 }')
[[ -n $version && $version != "(none)" ]] || die "no candidate version for $package"
info "kernel package $package $version"

mkdir -p "$deb_cache"
deb="$deb_cache/${package}_${version}_amd64.deb"
if [[ -s $deb ]]; then
  info "using cached $(basename "$deb")"
else
  download=$(mktemp -d "$deb_cache/.download.XXXXXX")
  # The _apt sandbox user cannot write into a root-owned temp folder; root is fine here.
  (cd "$download" && apt-get download -q -o APT::Sandbox::User=root "$package=$version" >&2)
  mv "$download"/*.deb "$deb"
  rmdir "$download"
  info "downloaded $(basename "$deb") ($(du -h "$deb" | cut -f1))"
fi

mkdir -p "$out"
dpkg -x "$deb" "$out/tree"
vmlinuz=$(find "$out/tree/boot" -maxdepth 1 -name 'vmlinuz-*' | head -n 1)
[[ -n $vmlinuz ]] || die "$package has no /boot/vmlinuz-*"
kernel_version=${vmlinuz##*/vmlinuz-}
cp "$vmlinuz" "$out/vmlinuz"

# Debian installs modules under /lib/modules (or /usr/lib/modules on merged-/usr builds).
modules_root=$(dirname "$(find "$out/tree" -maxdepth 4 -type d -path "*/modules/$kernel_version" | head -n 1)")
[[ -d $modules_root/$kernel_version ]] || die "$package has no modules/$kernel_version"
depmod -b "${modules_root%/lib/modules}" "$kernel_version"

cat > "$out/kernel.env" <<ENV
KERNEL_VERSION=$kernel_version
KERNEL_PACKAGE=$package
KERNEL_PACKAGE_VERSION=$version
KERNEL_MODULES_DIR=$modules_root/$kernel_version
ENV
info "kernel $kernel_version ($(du -h "$out/vmlinuz" | cut -f1) vmlinuz)"
