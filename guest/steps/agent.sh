#!/usr/bin/env bash
# Publishes the guest agent (NativeAOT, linux-x64) into a folder.
#
#   agent.sh <repo-root> <out-dir>
#
# Writes <out-dir>/capsule-agent (plus whatever else `dotnet publish` emits, e.g. capsule-agent.dbg).
set -euo pipefail
# shellcheck source=guest/lib/log.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/log.sh"

repo=$1 out=$2
project=$repo/src/Capsule.Agent/Capsule.Agent.csproj
[[ -f $project ]] || die "$project does not exist"
command -v dotnet > /dev/null || die "dotnet is not on PATH (the .NET SDK publishes the agent)"
command -v clang > /dev/null || die "clang is missing (NativeAOT links with it; run scripts/install-host-deps.sh)"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
log=$(mktemp "${TMPDIR:-/tmp}/capsule-agent-publish.XXXXXX")
trap 'rm -f "$log"' EXIT
info "dotnet publish ${project#"$repo"/} -c Release -r linux-x64 (NativeAOT)"
if ! dotnet publish "$project" -c Release -r linux-x64 -o "$out" -nologo -v minimal > "$log" 2>&1; then
  cat "$log" >&2
  die "dotnet publish of the agent failed (output above)"
fi
[[ -x $out/capsule-agent ]] || die "dotnet publish produced no $out/capsule-agent"
head -c 4 "$out/capsule-agent" | grep -q $'\x7fELF' || die "$out/capsule-agent is not an ELF binary (is the project NativeAOT?)"
info "capsule-agent $(du -h "$out/capsule-agent" | cut -f1)"
