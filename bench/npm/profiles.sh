#!/usr/bin/env bash
# Measure build profiles for the npm package's wasm (not a test; takes ~10 min on 2 cores).
#
#   bench/npm/profiles.sh [OPT_LEVELS] [WASM_OPT_FLAGS]
#   bench/npm/profiles.sh "3 s z" "-O3 -Oz"        (the defaults)
#
# For each cargo opt-level (profile npm-release, LTO, codegen-units 1), with and without
# `-C target-feature=+simd128`: one `wasm-pack build --target nodejs --no-opt`, then each
# wasm-opt flag (npm binaryen) on a copy. Each variant replaces the wasm in a copy of
# npm/dist/ and runs bench/npm/run.mjs (BENCH_QUICK=1) on it. Prints one line per variant:
# raw and gzip size, µs/event for Zoho Sign and Yousign at 1/8/64 KiB.
# Needs npm/dist/ (scripts/build-npm.sh) for the JS around the wasm.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
cd "$ROOT"
# shellcheck source=scripts/env.sh
. "$ROOT/scripts/env.sh"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target/npm}"

LEVELS="${1:-3 s z}"
OPTS="${2:--O3 -Oz}"
WORK="$CARGO_TARGET_DIR/profiles"
[ -f npm/dist/package.json ] || { echo "profiles: run scripts/build-npm.sh first" >&2; exit 1; }
rm -rf "$WORK"
mkdir -p "$WORK"

printf '%-28s %8s %8s | %s\n' "variant" "raw" "gzip" "µs/event: package (hand-written) zoho 1K 8K 64K, yousign 1K 8K 64K"
for simd in off on; do
  for level in $LEVELS; do
    flags=""
    if [ "$simd" = on ]; then flags="-C target-feature=+simd128"; fi
    out="$WORK/build-$level-$simd"
    CARGO_PROFILE_NPM_RELEASE_OPT_LEVEL="$level" RUSTFLAGS="$flags" \
      wasm-pack --quiet build --target nodejs --profile npm-release --no-typescript --no-pack \
      --no-opt --out-dir "$out" --out-name signhook . --features js >/dev/null
    for opt in none $OPTS; do
      name="opt-level=$level ${opt/none/no-wasm-opt} simd=$simd"
      pkg="$WORK/pkg-$level-$simd$opt"
      rm -rf "$pkg"
      cp -r npm/dist "$pkg"
      cp "$out/signhook.js" "$pkg/node/signhook.js"
      if [ "$opt" = none ]; then
        cp "$out/signhook_bg.wasm" "$pkg/node/signhook_bg.wasm"
      else
        wasm-opt "$out/signhook_bg.wasm" "$opt" -o "$pkg/node/signhook_bg.wasm"
      fi
      raw="$(wc -c <"$pkg/node/signhook_bg.wasm")"
      gz="$(gzip -9 -c "$pkg/node/signhook_bg.wasm" | wc -c)"
      times="$(SIGNHOOK_PACKAGE_DIR="$pkg" BENCH_QUICK=1 node bench/npm/run.mjs |
        awk '/^(zoho-sign|yousign) / { gsub(/\|/, " "); printf "%s(%s) ", $4, $5 }')"
      printf '%-28s %8s %8s | %s\n' "$name" "$raw" "$gz" "$times"
    done
  done
done
