#!/usr/bin/env bash
# Put the WebAssembly build the validator page loads into www/pkg/ (git-ignored).
#
#   scripts/build-www.sh              build the npm package (scripts/build-npm.sh --no-pack),
#                                     then copy its browser build into www/pkg/
#   scripts/build-www.sh --from-dist  copy from an existing npm/dist/ without building
#   scripts/build-www.sh --if-missing do nothing when www/pkg/ already holds a build,
#                                     else the same as no flag (for the Worker's build)
#
# The page imports ./pkg/web/diagnose.js, the npm package's `signhook/diagnose` browser entry
# over the wasm-pack `--target web` build with the diagnosis; it imports ../api.js,
# ../public.js and ./initializer.js. So www/pkg/ mirrors that part of npm/dist/:
#   www/pkg/{api.js, public.js}  www/pkg/web/{diagnose.js, initializer.js, signhook_diagnose.js,
#   signhook_diagnose_bg.wasm}
# Files are only rewritten when their content changed, so a watcher on www/ (wrangler's
# [build] watch_dir) settles after one build instead of looping.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$ROOT"

MODE=build
for arg in "$@"; do
  case "$arg" in
    --from-dist) MODE=from-dist ;;
    --if-missing) MODE=if-missing ;;
    -h | --help) sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "build-www: unknown flag '$arg'" >&2; exit 2 ;;
  esac
done

DIST="$ROOT/npm/dist"
PKG="$ROOT/www/pkg"
# The page imports the package's `signhook/diagnose` web entry (the whole API, diagnosis
# included, in one module).
FILES=(api.js public.js web/diagnose.js web/initializer.js web/signhook_diagnose.js web/signhook_diagnose_bg.wasm)

have_all() { # DIR
  local f
  for f in "${FILES[@]}"; do [ -s "$1/$f" ] || return 1; done
}

if [ "$MODE" = if-missing ] && have_all "$PKG"; then
  echo "[build-www] www/pkg/ already holds a build (scripts/build-www.sh rebuilds it)" >&2
  exit 0
fi
if [ "$MODE" != from-dist ]; then
  bash "$ROOT/scripts/build-npm.sh" --no-pack
fi
have_all "$DIST" || {
  echo "[build-www] npm/dist/ lacks ${FILES[*]}: run scripts/build-npm.sh" >&2
  exit 1
}

mkdir -p "$PKG/web"
# Files of an older layout (the page once loaded the main entry) would be served for nothing.
rm -f "$PKG/web/index.js" "$PKG/web/signhook.js" "$PKG/web/signhook_bg.wasm"
changed=0
for f in "${FILES[@]}"; do
  if ! cmp -s "$DIST/$f" "$PKG/$f"; then
    cp "$DIST/$f" "$PKG/$f.tmp"
    mv "$PKG/$f.tmp" "$PKG/$f"
    changed=$((changed + 1))
  fi
done
echo "[build-www] www/pkg/: ${#FILES[@]} files, $changed updated"
