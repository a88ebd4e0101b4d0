#!/usr/bin/env bash
# Debootstraps the guest's base root filesystem and packs it as a .tar.zst.
#
#   base-rootfs.sh <packages-file> <mirror> <out.tar.zst>
#
# This is the slow step (about a minute), so build-image.sh caches its output keyed by this script
# and the package list only: everything this script puts into the base must be decided here.
set -euo pipefail
# shellcheck source=guest/lib/log.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/log.sh"

packages_file=$1 mirror=$2 out=$3
suite=bookworm

include=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$packages_file" | tr -s ' \n' ',')
include=${include%,}
[[ -n $include ]] || die "$packages_file lists no package"

work=$(mktemp -d "${TMPDIR:-/tmp}/capsule-base.XXXXXX")
trap 'rm -rf --one-file-system "$work"' EXIT
root=$work/root

# debootstrap prints one or two lines per package and stage (Retrieving+Validating, Extracting,
# Unpacking, Configuring). Show one line when a stage starts, one every 25 packages and one when it
# ends, plus debootstrap's own headings; the full output goes to a log.
condense() {
  local line phase="" next count=0 name
  local fetched='^I: Retrieving ([^ ]+) [^ ]+$'
  local per_package='^I: (Extracting|Unpacking|Configuring) ([^ ]+)\.\.\.$'
  end_phase() {
    [[ -z $phase ]] || info "debootstrap: $phase done ($count packages)"
    phase="" count=0
  }
  while IFS= read -r line; do
    printf '%s\n' "$line" >> "$work/debootstrap.log"
    if [[ $line =~ $fetched ]]; then
      name=${BASH_REMATCH[1]} next=downloading
    elif [[ $line =~ $per_package ]]; then
      name=${BASH_REMATCH[2]} next=${BASH_REMATCH[1],,}
    elif [[ $line == "I: Validating "* ]]; then
      continue
    elif [[ $line == [IEW]": "* ]]; then
      end_phase
      info "debootstrap: ${line#I: }"
      continue
    else
      continue
    fi
    if [[ $next != "$phase" ]]; then
      end_phase
      phase=$next
      info "debootstrap: $phase packages..."
    fi
    count=$((count + 1))
    ((count % 25)) || info "debootstrap: $phase $count ($name)"
  done
  end_phase
}

info "debootstrap $suite (minbase) from $mirror"
info "include: $include"
# A private mount namespace: whatever debootstrap mounts in the target (proc, sys, ...) disappears
# with it, even if it fails half-way.
if ! unshare --mount --propagation private \
  debootstrap --variant=minbase --include="$include" "$suite" "$root" "$mirror" 2>&1 | condense; then
  tail -n 40 "$work/debootstrap.log" >&2
  [[ -f $root/debootstrap/debootstrap.log ]] && tail -n 40 "$root/debootstrap/debootstrap.log" >&2
  die "debootstrap failed (output above)"
fi

# Keep the image small: no package caches, apt lists, docs, man pages or translations - now, and
# for whatever a session installs later with apt.
cat > "$root/etc/dpkg/dpkg.cfg.d/01-capsule-nodoc" <<'CFG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
CFG
cat > "$root/etc/apt/apt.conf.d/01-capsule" <<'CFG'
APT::Install-Recommends "false";
Acquire::Languages "none";
CFG
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/cache/apt/*.bin "$root"/var/lib/apt/lists/*
find "$root/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete
find "$root/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
rm -rf "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/lintian
find "$root/var/log" -type f -exec truncate -s 0 {} +
info "base rootfs: $(du -sh "$root" | cut -f1), python $(chroot "$root" python3 -c 'import platform; print(platform.python_version())')"

# Written next to <out> and renamed, so <out> either exists whole or not at all.
tar --numeric-owner --xattrs --xattrs-include='*' -C "$root" -cf - . | zstd -q -f -T0 -3 -o "$out.partial"
mv -f "$out.partial" "$out"
info "base tarball $(du -h "$out" | cut -f1)"
