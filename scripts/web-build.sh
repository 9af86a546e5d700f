#!/usr/bin/env bash
# Builds the web interface (web/ -> web/dist) with npm ci and Vite, unless
# web/dist is newer than every source file and the lock file. CMake embeds
# web/dist into the binary (tools/embed-assets.sh). Without Node.js >= 18
# (Debian 12's own)
# the build goes on without the web interface, with a warning.
set -eu
cd "$(dirname "$0")/../web"
if [ -f dist/index.html ] && [ -z "$(find src index.html vite.config.ts tsconfig.json package-lock.json -newer dist/index.html -print -quit)" ]; then
  exit 0
fi
if ! command -v node >/dev/null || ! node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>=18?0:1)'; then
  echo "genu: warning: Node.js >= 18 not found; building without the web interface" >&2
  exit 0
fi
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi
npx tsc --noEmit
npx vite build --logLevel warn
