#!/usr/bin/env bash
# Build the Cloudflare Worker into build/ (index.js + index_bg.wasm) with worker-build.
#
#   scripts/build-worker.sh             release build, cargo profile `worker-release`
#   SIGNHOOK_WORKER_PROFILE=release scripts/build-worker.sh     another cargo profile
#   SIGNHOOK_WORKER_PREBUILT=1 ...      skip the build when build/ already holds one
#                                       (the e2e tests build once, then start wrangler)
#   SIGNHOOK_WORKER_FORCE=1 ...         rebuild even when build/ looks up to date
#   SIGNHOOK_WORKER_OUT=target/x SIGNHOOK_WORKER_FEATURES=worker,bench ...
#                                       another folder and feature set (the bench build of
#                                       bench/worker/isolate.mjs; never what wrangler runs)
#
# build/ counts as up to date when it was made with the same profile and is newer than
# src/, Cargo.toml, Cargo.lock and this script; then nothing runs (worker-build would
# otherwise spend ~15 s in wasm-opt even with cargo up to date).
#
# It is wrangler.toml's [build] command, so `wrangler dev` / `wrangler deploy` run it;
# it works from any directory. Tools come from scripts/bootstrap.sh; nothing is
# downloaded here (WASM_BINDGEN_BIN, WASM_OPT_BIN, ESBUILD_BIN from scripts/env.sh).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$ROOT"
# shellcheck source=scripts/env.sh
. "$ROOT/scripts/env.sh"

PROFILE="${SIGNHOOK_WORKER_PROFILE:-worker-release}"
# wasm SIMD (workerd's V8 has it): 2-7% less time per event in bench/worker/isolate.mjs and
# 3 KB less gzip; wasm-opt gets --enable-simd from Cargo.toml's wasm-pack metadata.
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="${SIGNHOOK_WORKER_RUSTFLAGS--C target-feature=+simd128}"
OUT="${SIGNHOOK_WORKER_OUT:-build}"
FEATURES="${SIGNHOOK_WORKER_FEATURES:-worker}"
# CARGO_PROFILE_* overrides (a bench's opt-level) make another build too.
BUILD_ID="profile=$PROFILE features=$FEATURES rustflags=$CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS$(env | { grep '^CARGO_PROFILE_' || true; } | sort | tr '\n' ' ' | sed 's/^./ &/')"

# The validator page (served from ./www by the Worker's static assets) needs its wasm in
# www/pkg/. Only when missing: this script is wrangler's [build] command and www/ is
# watched, so rewriting it on every build would loop. scripts/dev.sh refreshes it fully.
bash "$ROOT/scripts/build-www.sh" --if-missing

if [ "${SIGNHOOK_WORKER_PREBUILT:-}" = 1 ] && [ -s "$OUT/index.js" ] && [ -s "$OUT/index_bg.wasm" ]; then
  echo "[build-worker] SIGNHOOK_WORKER_PREBUILT=1: using the existing $OUT/" >&2
  exit 0
fi

STAMP="$OUT/.signhook-build"
if [ "${SIGNHOOK_WORKER_FORCE:-}" != 1 ] && [ -s "$OUT/index.js" ] && [ -s "$OUT/index_bg.wasm" ] &&
  [ "$(cat "$STAMP" 2>/dev/null)" = "$BUILD_ID" ] &&
  [ -z "$(find src Cargo.toml Cargo.lock scripts/build-worker.sh -newer "$STAMP" -print -quit)" ]; then
  echo "[build-worker] $OUT/ is up to date ($BUILD_ID)" >&2
  exit 0
fi
rm -f "$STAMP"

missing=()
command -v worker-build >/dev/null || missing+=("worker-build")
[ -x "$WASM_BINDGEN_BIN" ] || missing+=("$WASM_BINDGEN_BIN")
[ -x "$WASM_OPT_BIN" ] || missing+=("$WASM_OPT_BIN")
[ -x "$ESBUILD_BIN" ] || missing+=("$ESBUILD_BIN")
if [ "${#missing[@]}" -gt 0 ]; then
  echo "[build-worker] missing: ${missing[*]}; run: bash scripts/bootstrap.sh" >&2
  exit 1
fi

# Flag order matters: worker-build hands everything from its first unknown flag
# (--features) on to cargo.
if [ "$PROFILE" = release ]; then
  worker-build --out-dir "$OUT" --release --features "$FEATURES"
else
  worker-build --out-dir "$OUT" --profile "$PROFILE" --features "$FEATURES"
fi

for f in "$OUT/index.js" "$OUT/index_bg.wasm"; do
  [ -s "$f" ] || { echo "[build-worker] worker-build did not produce $f" >&2; exit 1; }
done
echo "$BUILD_ID" >"$STAMP"
raw_size="$(wc -c <"$OUT/index_bg.wasm" | tr -d ' ')"
gz_size="$(gzip -9 -c "$OUT/index_bg.wasm" | wc -c | tr -d ' ')"
echo "[build-worker] profile $PROFILE, features $FEATURES, rustflags '$CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS': wasm $raw_size bytes raw, $gz_size gzip -9" >&2
