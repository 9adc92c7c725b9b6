#!/usr/bin/env bash
# Test the npm package: bootstrap the pinned tools, build and pack it, then
#   1. wasm-bindgen tests of src/js/ under Node (wasm-bindgen-test-runner),
#   2. the node --test suites in tests/node/ (fixtures, API, types, the packed tarball in a
#      scratch folder: Node ESM/CJS, tsc, Chromium, wrangler dev; runtimes.test.mjs: the
#      tarball under Node 18/20/22, Deno and Bun, import and require), run by Node 22 from
#      node_modules/.bin; the other runtimes are devDependencies too (scripts/bootstrap.sh).
#
#   scripts/test-npm.sh                everything
#   scripts/test-npm.sh --no-bootstrap skip scripts/bootstrap.sh (tools already there)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$ROOT"

BOOTSTRAP=1
for arg in "$@"; do
  case "$arg" in
    --no-bootstrap) BOOTSTRAP=0 ;;
    -h | --help) sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "test-npm: unknown flag '$arg'" >&2; exit 2 ;;
  esac
done

# --browser: Debian chromium for the browser test in tests/node/package.test.mjs.
if [ "$BOOTSTRAP" -eq 1 ]; then scripts/bootstrap.sh --browser; fi
# shellcheck source=scripts/env.sh
. "$ROOT/scripts/env.sh"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target/npm}"

scripts/build-npm.sh

echo "[test-npm] wasm-bindgen tests (src/js/) under Node"
# --lib: the boundary's tests live in src/js/tests.rs (its exports are not reachable from
# tests/*.rs); the native suites run with plain `cargo test`.
# +simd128, as the package ships: src/json/scan.rs's SIMD scans are tested where they run.
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="${SIGNHOOK_NPM_RUSTFLAGS--C target-feature=+simd128}" \
  cargo test --target wasm32-unknown-unknown --features js-diagnose --lib

echo "[test-npm] node --test tests/node/*.test.mjs ($(node --version))"
# Files, not the folder: `node --test dir/` fails under Node 22.
# The glob includes runtimes.test.mjs (Node 18/20/22, Deno, Bun: a few seconds in all).
node --test tests/node/*.test.mjs
