#!/usr/bin/env bash
# End-to-end tests of the Worker in the real Workers runtime (workerd via `wrangler dev`):
# builds npm/dist/ (the harness signs its deliveries with the package) and build/ once,
# then runs tests/worker/*.test.mjs with Node 22 from node_modules.
# The tests start wrangler and a fake origin on 127.0.0.1 themselves and stop them.
#
#   scripts/test-worker.sh                       all files
#   scripts/test-worker.sh tests/worker/inspect.test.mjs   some files
#
# Needs the tools from scripts/bootstrap.sh (it says so when they are missing).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$ROOT"
# shellcheck source=scripts/env.sh
. "$ROOT/scripts/env.sh"

NODE="$ROOT/node_modules/.bin/node"
for tool in "$NODE" "$ROOT/node_modules/.bin/wrangler"; do
  [ -x "$tool" ] || { echo "[test-worker] missing $tool; run: bash scripts/bootstrap.sh" >&2; exit 1; }
done

# The harness signs its test deliveries with the npm package's own `sign` (npm/dist/);
# a no-op when npm/dist/ is up to date (build-npm.sh checks its stamp).
bash scripts/build-npm.sh --no-pack
bash scripts/build-worker.sh

if [ "$#" -gt 0 ]; then
  files=("$@")
else
  files=(tests/worker/*.test.mjs) # Node 22's --test wants files, not a folder
fi
# One file at a time: each starts its own wrangler/workerd, and the machine has 2 cores.
exec "$NODE" --test --test-concurrency=1 "${files[@]}"
