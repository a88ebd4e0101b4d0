#!/usr/bin/env bash
# Builds the dashboard (ui/) into ui/dist with esbuild; the server's build copies it to wwwroot/ui beside the server.
# npm ci installs the exact versions pinned in ui/package-lock.json (from the npm registry, at build time only); it
# runs again only when the lock file changed. Uses the Node.js and npm on the PATH (make deps installs Debian's only
# where none is present).
set -euo pipefail
cd "$(dirname "$0")/../ui"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "build-ui: node and npm are needed to build the dashboard (run scripts/install-host-deps.sh)" >&2
  exit 1
fi
stamp=node_modules/.capsule-lock
if [[ ! -f $stamp ]] || ! cmp -s package-lock.json "$stamp"; then
  echo "build-ui: npm ci (ui/package-lock.json)"
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json "$stamp"
fi
node build.mjs
