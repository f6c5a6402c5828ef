#!/usr/bin/env bash
# Idempotent setup for the browser tests: Debian's chromium and the pinned npm packages.
# Never downloads a browser through npm/playwright (playwright-core ships none).
set -euo pipefail
cd "$(dirname "$0")"

if [ ! -x /usr/bin/chromium ]; then
  export DEBIAN_FRONTEND=noninteractive
  SUDO=""
  if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
  # Refresh the package lists only when apt does not know chromium yet.
  if ! apt-cache show chromium >/dev/null 2>&1; then
    $SUDO apt-get update
  fi
  if ! $SUDO apt-get install -y --no-install-recommends chromium; then
    $SUDO apt-get update
    $SUDO apt-get install -y --no-install-recommends chromium
  fi
fi

if [ ! -d node_modules/playwright-core ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
fi

/usr/bin/chromium --version
node --version
