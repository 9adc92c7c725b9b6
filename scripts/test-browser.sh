#!/usr/bin/env bash
# The validator page (www/) in headless Chromium: tests/browser/*.test.mjs.
#
#   scripts/test-browser.sh               bootstrap (--browser), build www/pkg/, run the tests
#   SIGNHOOK_WWW_PREBUILT=1 scripts/test-browser.sh    keep an existing www/pkg/ build
#
# Debian's /usr/bin/chromium is driven by npm playwright-core (no browser download). The
# tests serve www/ themselves on 127.0.0.1 (port 0) and write screenshots to
# test-artifacts/.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$ROOT"

if [ ! -x /usr/bin/chromium ] || [ ! -f node_modules/playwright-core/package.json ] ||
  [ ! -x node_modules/.bin/node ]; then
  bash scripts/bootstrap.sh --browser
fi
# shellcheck source=scripts/env.sh
. "$ROOT/scripts/env.sh"

if [ "${SIGNHOOK_WWW_PREBUILT:-}" = 1 ]; then
  bash scripts/build-www.sh --if-missing
else
  bash scripts/build-www.sh
fi

mkdir -p test-artifacts
# Node 22 from node_modules/.bin (first on PATH); files, not a directory (`node --test <dir>/` fails under Node 22).
node --test --test-reporter=spec tests/browser/*.test.mjs
echo "[test-browser] screenshots: test-artifacts/validator-{desktop,phone,phone-full}.png"
