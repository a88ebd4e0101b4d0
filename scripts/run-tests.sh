#!/usr/bin/env bash
# Runs every test tier (each test project is an xunit v3 executable) and prints one summary line:
#   N passed, N failed, N skipped
# Skipped tests print their reason. Exit status is non-zero when a test failed or a runner crashed.
set -uo pipefail
cd "$(dirname "$0")/.."
configuration="${1:-Release}"
results_dir="artifacts/test-results"
rm -rf "$results_dir" && mkdir -p "$results_dir"

# Tier order: fast and isolated first, real VMs last.
tiers=(
  Capsule.Agent.Tests
  Capsule.Vm.Tests
  Capsule.Server.Tests
  Capsule.Client.Tests
  Capsule.EndToEnd.Tests
)

passed=0 failed=0 skipped=0 crashed=0
for name in "${tiers[@]}"; do
  dll="tests/$name/bin/$configuration/net10.0/$name.dll"
  if [[ ! -d "tests/$name" ]]; then
    continue
  fi
  if [[ ! -f "$dll" ]]; then
    echo "!! $name was not built ($dll missing)"
    crashed=$((crashed + 1))
    continue
  fi
  echo "=== $name"
  xml="$results_dir/$name.xml"
  dotnet "$dll" -noColor -xml "$xml" -reporter default
  rc=$?
  if [[ ! -s "$xml" ]]; then
    echo "!! $name produced no results (exit $rc)"
    crashed=$((crashed + 1))
    continue
  fi
  read -r p f s < <(sed -n 's/.*<assembly [^>]* failed="\([0-9]*\)"[^>]* passed="\([0-9]*\)" skipped="\([0-9]*\)".*/\2 \1 \3/p' "$xml" | head -n 1)
  if [[ -z "${p:-}" ]]; then
    echo "!! could not read totals from $xml"
    crashed=$((crashed + 1))
    continue
  fi
  passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
  if [[ $rc -ne 0 && $f -eq 0 ]]; then
    echo "!! $name exited $rc with no failed test"
    crashed=$((crashed + 1))
  fi
done

# The MCP server driven by a client nobody here wrote: the official TypeScript SDK (tests/mcp-node, versions pinned in
# its package-lock.json, installed here with npm ci), run by node's own test runner; its counts join the totals.
if [[ -d tests/mcp-node ]]; then
  echo "=== mcp-node (TypeScript MCP SDK)"
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    echo "!! node or npm is not installed: the TypeScript SDK tests did not run"
    skipped=$((skipped + 1))
  else
    tap="$results_dir/mcp-node.tap"
    (cd tests/mcp-node && npm ci --no-audit --no-fund --loglevel=error && CONFIGURATION="$configuration" node --test --test-force-exit --test-reporter=tap) 2>&1 | tee "$tap"
    rc=${PIPESTATUS[0]}
    p=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$tap" | tail -n 1)
    f=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$tap" | tail -n 1)
    c=$(sed -n 's/^# cancelled \([0-9]*\)$/\1/p' "$tap" | tail -n 1)
    s=$(sed -n 's/^# skipped \([0-9]*\)$/\1/p' "$tap" | tail -n 1)
    if [[ -z "$p" || -z "$f" ]]; then
      echo "!! mcp-node produced no totals (exit $rc)"
      crashed=$((crashed + 1))
    else
      passed=$((passed + p)) failed=$((failed + f + ${c:-0})) skipped=$((skipped + ${s:-0}))
      if [[ $rc -ne 0 && $f -eq 0 && ${c:-0} -eq 0 ]]; then
        echo "!! mcp-node exited $rc with no failed test"
        crashed=$((crashed + 1))
      fi
    fi
  fi
fi

# Name every failed test just above the summary line, so the tail of a CI log says which one it was.
if [[ $failed -gt 0 ]]; then
  echo
  echo "Failed tests:"
  for xml in "$results_dir"/*.xml; do
    grep -o '<test [^>]*result="Fail"[^>]*>' "$xml" | sed -n 's/.* name="\([^"]*\)".*/  \1/p' | sed 's/&quot;/"/g; s/&amp;/\&/g; s/&lt;/</g; s/&gt;/>/g'
  done
fi

echo
echo "$passed passed, $((failed + crashed)) failed, $skipped skipped"
[[ $failed -eq 0 && $crashed -eq 0 ]]
