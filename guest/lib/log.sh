# shellcheck shell=bash
# Progress output shared by build-image.sh and its steps. Sourced, not executed.
#
# Everything goes to stderr, so that build-image.sh's stdout carries only the image folder path.
# Every line shows the seconds elapsed since the build started (CAPSULE_BUILD_START, an
# EPOCHREALTIME value set once by build-image.sh and inherited by the steps).

: "${CAPSULE_BUILD_START:=$EPOCHREALTIME}"
export CAPSULE_BUILD_START

# Seconds since the given EPOCHREALTIME value, with one decimal.
seconds_since() {
  local now=${EPOCHREALTIME//[.,]/} start=${1//[.,]/}
  local tenths=$(((now - start) / 100000))
  printf '%d.%d' $((tenths / 10)) $((tenths % 10))
}

elapsed() { seconds_since "$CAPSULE_BUILD_START"; }

# A step header:  ==> [  12.3s] kernel
step() { printf '==> [%6ss] %s\n' "$(elapsed)" "$*" >&2; }

# A detail line inside a step.
info() { printf '    [%6ss] %s\n' "$(elapsed)" "$*" >&2; }

die() {
  printf 'ERROR [%6ss] %s\n' "$(elapsed)" "$*" >&2
  exit 1
}
