#!/usr/bin/env bash
# make bench: runs the benchmark harness (bench/Capsule.Bench) and leaves artifacts/bench/latest.{json,md}.
set -euo pipefail
cd "$(dirname "$0")/.."
configuration="${1:-Release}"
dotnet build bench/Capsule.Bench -c "$configuration" -nologo -v quiet -clp:NoSummary
exec dotnet "bench/Capsule.Bench/bin/$configuration/net10.0/Capsule.Bench.dll" "${@:2}"
