#!/usr/bin/env bash
# make soak: runs the soak harness (bench/Capsule.Soak) and leaves artifacts/soak/latest.{json,md} and server.log.
# Exits non-zero on any error or leftover. Usage: scripts/soak.sh [Release|Debug] [--sessions N] [--minutes M] [...]
set -euo pipefail
cd "$(dirname "$0")/.."
configuration="${1:-Release}"
dotnet build bench/Capsule.Soak -c "$configuration" -nologo -v quiet -clp:NoSummary
exec dotnet "bench/Capsule.Soak/bin/$configuration/net10.0/Capsule.Soak.dll" --configuration "$configuration" "${@:2}"
