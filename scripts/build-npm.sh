#!/usr/bin/env bash
# Build the npm package `signhook` into npm/dist/ and pack it.
#
#   scripts/build-npm.sh            build npm/dist/ and npm/signhook-<version>.tgz
#   scripts/build-npm.sh --no-pack  build npm/dist/ only
#   SIGNHOOK_NPM_FORCE=1 ...         rebuild even when npm/dist/ is up to date
#
# Four wasm-pack builds of the crate (profile `npm-release`, +simd128, wasm-opt from npm
# binaryen on PATH): `--target nodejs` (CommonJS, instantiated on require) and `--target web`
# (ESM, `await init()`), each as `signhook` (feature `js`) and `signhook_diagnose` (feature
# `js-diagnose`: the diagnosis too, for diagnose/detectProvider), assembled with the JS adapter (npm/src/), the declarations
# (npm/index.d.ts), README and package.json (npm/package.json + the crate's version).
# Needs the tools of scripts/bootstrap.sh; cargo builds go to $CARGO_TARGET_DIR (default
# target/npm, so that a build in target/ by someone else does not block this one).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$ROOT"
# shellcheck source=scripts/env.sh
. "$ROOT/scripts/env.sh"

PACK=1
for arg in "$@"; do
  case "$arg" in
    --no-pack) PACK=0 ;;
    -h | --help) sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "build-npm: unknown flag '$arg'" >&2; exit 2 ;;
  esac
done

PROFILE="${SIGNHOOK_NPM_PROFILE:-npm-release}"
# +simd128: 15-30 % faster HMAC and parsing (bench/npm/README.md). Every runtime the package
# targets runs wasm SIMD (Node >= 16.4, workerd, Chrome 91, Firefox 89, Safari 16.4).
# Only this build's rustc sees the flag (not the Worker's, not native builds).
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="${SIGNHOOK_NPM_RUSTFLAGS--C target-feature=+simd128}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target/npm}"
NODE="$ROOT/node_modules/.bin/node"
DIST="$ROOT/npm/dist"
WORK="$CARGO_TARGET_DIR/wasm-pack"

die() { echo "build-npm: $*" >&2; exit 1; }
for tool in "$NODE" "$ROOT/node_modules/.bin/wasm-opt" "$ROOT/node_modules/.bin/esbuild"; do
  [ -x "$tool" ] || die "$tool missing: run scripts/bootstrap.sh"
done
command -v wasm-pack >/dev/null || die "wasm-pack missing: run scripts/bootstrap.sh"
# wasm-pack would download wasm-opt from GitHub if none were on PATH (this machine reaches no GitHub).
[ "$(command -v wasm-opt)" = "$ROOT/node_modules/.bin/wasm-opt" ] ||
  die "wasm-opt on PATH is $(command -v wasm-opt), expected npm binaryen's"

VERSION="$(cargo metadata --no-deps --format-version 1 |
  "$NODE" -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const p=JSON.parse(s).packages.find(p=>p.name==="signhook");process.stdout.write(p.version)})')"
[ -n "$VERSION" ] || die "no version in Cargo.toml"

# npm/dist/ is up to date when built with the same profile and flags after every input
# changed (and, with packing, the tarball too): then nothing runs. The test scripts call
# this script in turn (the Worker's page, the npm suites, the browser suite); four wasm-pack
# builds with wasm-opt are minutes even when cargo has nothing to do.
# SIGNHOOK_NPM_FORCE=1 rebuilds anyway.
STAMP="$DIST/.signhook-build"
BUILD_ID="version=$VERSION profile=$PROFILE rustflags=$CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS$(env | { grep '^CARGO_PROFILE_' || true; } | sort | tr '\n' ' ' | sed 's/^./ &/')"
TARBALL="$ROOT/npm/signhook-$VERSION.tgz"
pack() {
  (cd "$DIST" && npm pack --silent --pack-destination "$ROOT/npm" >/dev/null)
  [ -f "$TARBALL" ] || die "npm pack did not write npm/signhook-$VERSION.tgz"
  echo "[build-npm] npm/signhook-$VERSION.tgz"
}
if [ "${SIGNHOOK_NPM_FORCE:-}" != 1 ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$BUILD_ID" ] &&
  [ -z "$(find src Cargo.toml Cargo.lock npm/src npm/index.d.ts npm/package.json npm/README.md \
    scripts/build-npm.sh -newer "$STAMP" -print -quit)" ]; then
  echo "[build-npm] npm/dist/ is up to date ($BUILD_ID)" >&2
  if [ "$PACK" -eq 1 ] && ! [ "$TARBALL" -nt "$STAMP" ]; then pack; fi
  exit 0
fi

rm -rf "$WORK" "$DIST"
mkdir -p "$WORK" "$DIST"
# --out-dir before the cargo flags (wasm-pack forwards everything after them to cargo).
# Two wasm modules per target: `signhook` (feature js: what verify, normalize and sign load)
# and `signhook_diagnose` (js-diagnose: the same plus the diagnosis, loaded only by
# diagnose/detectProvider and by the validator page).
for target in nodejs web; do
  for module in signhook:js signhook_diagnose:js-diagnose; do
    echo "[build-npm] wasm-pack --target $target --profile $PROFILE --features ${module#*:} (${module%%:*})"
    wasm-pack --quiet build --target "$target" --profile "$PROFILE" --no-typescript --no-pack \
      --out-dir "$WORK/$target" --out-name "${module%%:*}" . --features "${module#*:}"
  done
done

mkdir -p "$DIST/node" "$DIST/web" "$DIST/workerd"
for module in signhook signhook_diagnose; do
  cp "$WORK/nodejs/$module.js" "$WORK/nodejs/${module}_bg.wasm" "$DIST/node/"
  cp "$WORK/web/$module.js" "$WORK/web/${module}_bg.wasm" "$DIST/web/"
done
# The package is "type": "module"; the Node build is CommonJS.
printf '{\n  "type": "commonjs"\n}\n' >"$DIST/node/package.json"
cp npm/src/api.js npm/src/public.js "$DIST/"
"$ROOT/node_modules/.bin/esbuild" npm/src/api.js --format=cjs --log-level=warning \
  --outfile="$DIST/api.cjs"
cp npm/src/node/index.cjs npm/src/node/index.mjs "$DIST/node/"
cp npm/src/web/index.js npm/src/web/diagnose.js npm/src/web/initializer.js "$DIST/web/"
cp npm/src/workerd/index.js npm/src/workerd/diagnose.js "$DIST/workerd/"
cp npm/index.d.ts "$DIST/index.d.ts"
# The same declarations for `require` (TypeScript reads .d.cts as CommonJS).
cp npm/index.d.ts "$DIST/index.d.cts"
cp npm/README.md "$DIST/README.md"
for f in LICENSE LICENSE-MIT LICENSE-APACHE; do
  if [ -f "$ROOT/$f" ]; then cp "$ROOT/$f" "$DIST/"; fi
done
"$NODE" -e '
  const fs = require("fs");
  const [template, out, version] = process.argv.slice(1);
  const pkg = JSON.parse(fs.readFileSync(template, "utf8"));
  pkg.version = version;
  fs.writeFileSync(out, JSON.stringify(pkg, null, 2) + "\n");
' npm/package.json "$DIST/package.json" "$VERSION"

sizes() { # FILE
  echo "$(wc -c <"$1" | tr -d ' ') bytes raw, $(gzip -9 -c "$1" | wc -c | tr -d ' ') gzip -9"
}
echo "[build-npm] signhook $VERSION, profile $PROFILE, rustflags '$CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS': wasm $(sizes "$DIST/node/signhook_bg.wasm"); with the diagnosis (signhook_diagnose_bg.wasm) $(sizes "$DIST/node/signhook_diagnose_bg.wasm")"

echo "$BUILD_ID" >"$STAMP"

if [ "$PACK" -eq 1 ]; then pack; fi
