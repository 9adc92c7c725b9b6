#!/usr/bin/env bash
# Install the project's pinned tools. Idempotent: every step checks whether its
# pinned result is already there and skips itself if so.
#
#   scripts/bootstrap.sh              Rust target/components + cargo CLIs + npm devDependencies
#                                     + the example origins' dependencies (examples/)
#   scripts/bootstrap.sh --rust-only  Rust target/components + cargo CLIs only
#   scripts/bootstrap.sh --browser    also Debian chromium + chromium-driver (apt)
#
# Everything comes from crates.io, the npm registry or Debian apt (nothing from
# GitHub). Nothing is exported permanently; other scripts `. scripts/env.sh`.
set -euo pipefail

# ---- pins (keep in sync with Cargo.lock's wasm-bindgen and package.json) ----
WASM_TARGET=wasm32-unknown-unknown
RUST_COMPONENTS=(rustfmt clippy)
WORKER_BUILD_VERSION=0.8.7
WASM_BINDGEN_VERSION=0.2.130
WASM_PACK_VERSION=0.15.1
NODE_VERSION=22.23.3 # npm package `node`, see package.json
# The runtimes tests/node/runtimes.test.mjs runs the packed package in (package.json:
# `node18`/`node20` are aliases of the npm package `node`; `deno`, `bun` are npm packages).
NODE18_VERSION=18.20.8
NODE20_VERSION=20.20.2
DENO_VERSION=2.9.6
BUN_VERSION=1.4.4

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$ROOT"

usage() { sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

WANT_NPM=1
WANT_BROWSER=0
for arg in "$@"; do
  case "$arg" in
    --rust-only) WANT_NPM=0 ;;
    --browser) WANT_BROWSER=1 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "bootstrap: unknown flag '$arg'" >&2; usage >&2; exit 2 ;;
  esac
done

# PATH etc. for this process only (node_modules/.bin, $CARGO_HOME/bin first).
# shellcheck source=scripts/env.sh
. "$ROOT/scripts/env.sh"
CARGO_BIN="${CARGO_HOME:-$HOME/.cargo}/bin"

# ---- helpers ----
SUMMARY=()
now() { date +%s.%N; }
# record STEP STATUS START
record() {
  local line
  line="$(awk -v s="$3" -v e="$(now)" -v n="$1" -v st="$2" \
    'BEGIN { printf "[bootstrap] %-38s %-16s %6.1fs", n, st, e - s }')"
  echo "$line"
  SUMMARY+=("$line")
}
# version_is BINARY VERSION: true if `BINARY --version` prints VERSION as a word
version_is() {
  [ -x "$1" ] || return 1
  local out # capture first: `cmd | grep -q` can fail with SIGPIPE under pipefail
  out="$("$1" --version 2>/dev/null)" || return 1
  grep -qw -- "${2//./\\.}" <<<"$out"
}
has_target() { grep -qx "$WASM_TARGET" <<<"$(rustup target list --installed)"; }
die() { echo "bootstrap: $*" >&2; exit 1; }

# ---- Rust: wasm32 target and components ----
step_rust_target() {
  local t0; t0="$(now)"
  if has_target; then
    record "rustup target $WASM_TARGET" "already present" "$t0"
  else
    rustup target add "$WASM_TARGET"
    has_target || die "target $WASM_TARGET not installed"
    record "rustup target $WASM_TARGET" "installed" "$t0"
  fi
}

step_rust_components() {
  local t0 missing=() c installed
  t0="$(now)"
  installed="$(rustup component list --installed)"
  for c in "${RUST_COMPONENTS[@]}"; do
    grep -q "^$c-" <<<"$installed" || grep -qx "$c" <<<"$installed" || missing+=("$c")
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    record "rustup components ${RUST_COMPONENTS[*]}" "already present" "$t0"
  else
    rustup component add "${missing[@]}"
    record "rustup components ${RUST_COMPONENTS[*]}" "installed" "$t0"
  fi
}

# Where `cargo install` builds the pinned tools (kept: a second bootstrap reuses it).
TOOLS_TARGET="${SIGNHOOK_TOOLS_TARGET:-$ROOT/target/tools}"

# cargo_tool NAME "BINARY..." VERSION CARGO_INSTALL_ARGS...
# Skips when every BINARY in $CARGO_HOME/bin prints VERSION; otherwise
# `cargo install --force` (only reached when something is missing or wrong).
cargo_tool() {
  local name="$1" bins="$2" version="$3" t0 b ok=1
  shift 3
  t0="$(now)"
  for b in $bins; do version_is "$CARGO_BIN/$b" "$version" || ok=0; done
  if [ "$ok" -eq 1 ]; then
    record "$name $version" "already present" "$t0"
    return
  fi
  # One target directory for every tool (target/tools/, git-ignored): the crates the
  # tools share (wasm-bindgen's, serde, clap, ...) compile once, not once per tool.
  # Unoptimized: they do little work per call (wasm-bindgen over the Worker's 2 MB module
  # takes 0.6 s built so, 0.2 s at opt-level 3), and the three compile in 164 s instead
  # of 433 on a 2-core machine (measured cold, 2026-12-07).
  CARGO_PROFILE_RELEASE_OPT_LEVEL=0 CARGO_TARGET_DIR="$TOOLS_TARGET" \
    cargo install --force "$@" --version "$version"
  for b in $bins; do
    version_is "$CARGO_BIN/$b" "$version" ||
      die "$CARGO_BIN/$b --version does not print $version after cargo install"
  done
  record "$name $version" "installed" "$t0"
}

step_worker_build() {
  cargo_tool worker-build worker-build "$WORKER_BUILD_VERSION" --locked worker-build
}

step_wasm_bindgen() {
  # No --locked: wasm-bindgen-cli's own lockfile pins a yanked webpki-roots.
  cargo_tool wasm-bindgen-cli "wasm-bindgen wasm-bindgen-test-runner" "$WASM_BINDGEN_VERSION" wasm-bindgen-cli
}

step_wasm_pack() {
  cargo_tool wasm-pack wasm-pack "$WASM_PACK_VERSION" --locked wasm-pack
}

# ---- npm devDependencies (Node 22, wrangler, binaryen, esbuild, Node 18/20, Deno, Bun, ...) ----
# runtimes_problem: why the runtimes from npm are not the pinned ones, or nothing. Their
# binaries arrive through install scripts (`node`'s preinstall, `deno`'s and `bun`'s
# postinstall): npm 11 runs only those approved in package.json's allowScripts, and none
# under --ignore-scripts.
runtimes_problem() {
  local nm="$ROOT/node_modules" got want
  for want in "node:$NODE_VERSION" "node18:$NODE18_VERSION" "node20:$NODE20_VERSION"; do
    got="$("$nm/${want%%:*}/bin/node" --version 2>/dev/null || true)"
    [ "$got" = "v${want#*:}" ] ||
      { echo "node_modules/${want%%:*}/bin/node prints '$got', expected v${want#*:}"; return; }
  done
  # node18/node20 declare the bin `node` too: .bin/node must be the Node 22 one.
  got="$("$nm/.bin/node" --version 2>/dev/null || true)"
  [ "$got" = "v$NODE_VERSION" ] || { echo "node_modules/.bin/node prints '$got', expected v$NODE_VERSION"; return; }
  version_is "$nm/.bin/deno" "$DENO_VERSION" ||
    { echo "node_modules/.bin/deno --version does not print $DENO_VERSION"; return; }
  version_is "$nm/.bin/bun" "$BUN_VERSION" ||
    { echo "node_modules/.bin/bun --version does not print $BUN_VERSION"; return; }
}

npm_up_to_date() {
  local stamp="$ROOT/node_modules/.package-lock.json"
  [ -f "$stamp" ] || return 1
  [ "$stamp" -nt "$ROOT/package.json" ] || return 1
  if [ -f "$ROOT/package-lock.json" ]; then
    [ "$stamp" -nt "$ROOT/package-lock.json" ] || return 1
  fi
  [ -z "$(runtimes_problem)" ] || return 1
  local b
  for b in wrangler wasm-opt esbuild tsc; do
    [ -x "$ROOT/node_modules/.bin/$b" ] || return 1
  done
}

step_npm() {
  local t0; t0="$(now)"
  if npm_up_to_date; then
    record "npm devDependencies" "already present" "$t0"
    return
  fi
  command -v npm >/dev/null || die "npm not found"
  # not `npm ci`: the lockfile made here lacks workerd's builds for other systems (the
  # registry reached here has none), so `npm ci` refuses it; never --ignore-scripts
  # (the node package needs its preinstall; allowScripts in package.json approves it).
  npm install --no-audit --no-fund
  # `node`, `node18` and `node20` all declare the bin `node`; npm links whichever it reaches
  # first, and an install into an existing node_modules can leave node18's there. Point it
  # at Node 22 (what wrangler, the build and the test runner use) every time.
  if [ "$(readlink "$ROOT/node_modules/.bin/node" 2>/dev/null)" != "../node/bin/node" ]; then
    ln -sfn ../node/bin/node "$ROOT/node_modules/.bin/node"
  fi
  local problem
  problem="$(runtimes_problem)"
  [ -z "$problem" ] ||
    die "$problem (did the install scripts run? check allowScripts in package.json and the pins above)"
  # npm may write package-lock.json after node_modules/.package-lock.json:
  # make the stamp the newest so the next run skips this step.
  touch "$ROOT/node_modules/.package-lock.json"
  record "npm devDependencies" "installed" "$t0"
}

# ---- the example origins (examples/origin-node, examples/origin-python) ----
# Their own pinned dependencies, from the npm registry and PyPI, for tests/worker/receivers.test.mjs.
EXAMPLE_NODE="$ROOT/examples/origin-node"
EXAMPLE_PY="$ROOT/examples/origin-python"

example_node_up_to_date() {
  local stamp="$EXAMPLE_NODE/node_modules/.package-lock.json" p want got
  [ -f "$stamp" ] && [ "$stamp" -nt "$EXAMPLE_NODE/package.json" ] &&
    [ "$stamp" -nt "$EXAMPLE_NODE/package-lock.json" ] || return 1
  for p in express standardwebhooks cloudevents; do
    want="$(sed -n "s/^ *\"$p\": \"\([^\"]*\)\".*/\1/p" "$EXAMPLE_NODE/package.json")"
    got="$(sed -n 's/^ *"version": "\([^"]*\)".*/\1/p' "$EXAMPLE_NODE/node_modules/$p/package.json" 2>/dev/null | head -n1)"
    [ -n "$want" ] && [ "$got" = "$want" ] || return 1
  done
}

step_example_node() {
  local t0; t0="$(now)"
  if example_node_up_to_date; then
    record "examples/origin-node npm" "already present" "$t0"
    return
  fi
  command -v npm >/dev/null || die "npm not found"
  (cd "$EXAMPLE_NODE" && npm install --no-audit --no-fund) # not `npm ci` (see above)
  touch "$EXAMPLE_NODE/node_modules/.package-lock.json"
  example_node_up_to_date || die "examples/origin-node: installed versions differ from package.json"
  record "examples/origin-node npm" "installed" "$t0"
}

# The venv is current when it runs, imports the four packages, and was made from exactly
# this requirements.txt (a copy is kept in .venv after a successful install).
example_py_up_to_date() {
  [ -x "$EXAMPLE_PY/.venv/bin/python" ] &&
    cmp -s "$EXAMPLE_PY/requirements.txt" "$EXAMPLE_PY/.venv/requirements.installed" &&
    "$EXAMPLE_PY/.venv/bin/python" -c 'import fastapi, uvicorn, standardwebhooks, cloudevents' 2>/dev/null
}

step_example_python() {
  local t0 py; t0="$(now)"
  if example_py_up_to_date; then
    record "examples/origin-python venv" "already present" "$t0"
    return
  fi
  py="$(command -v python3)" || die "python3 not found (examples/origin-python needs Python >= 3.11)"
  "$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))' ||
    die "$py is $("$py" --version 2>&1); examples/origin-python (fastapi) needs Python >= 3.11"
  # --clear: a venv left by another Python (or half made) is rebuilt, not patched.
  "$py" -m venv --clear "$EXAMPLE_PY/.venv" ||
    die "python3 -m venv failed (Debian/Ubuntu: apt-get install -y python3-venv)"
  "$EXAMPLE_PY/.venv/bin/python" -m pip install --disable-pip-version-check --no-input -q \
    -r "$EXAMPLE_PY/requirements.txt"
  cp "$EXAMPLE_PY/requirements.txt" "$EXAMPLE_PY/.venv/requirements.installed"
  example_py_up_to_date || die "examples/origin-python: the venv does not import its packages"
  record "examples/origin-python venv" "installed" "$t0"
}

# ---- Debian chromium + chromedriver (optional) ----
step_browser() {
  local t0; t0="$(now)"
  if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
    record "apt chromium chromium-driver" "already present" "$t0"
    return
  fi
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then sudo=(sudo); fi
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver
  [ -x /usr/bin/chromium ] || die "/usr/bin/chromium missing after apt-get install"
  record "apt chromium chromium-driver" "installed" "$t0"
}

# ---- run ----
T_START="$(now)"
step_rust_target
step_rust_components
step_worker_build
step_wasm_bindgen
step_wasm_pack
if [ "$WANT_NPM" -eq 1 ]; then step_npm; fi
if [ "$WANT_NPM" -eq 1 ]; then step_example_node; step_example_python; fi
if [ "$WANT_BROWSER" -eq 1 ]; then step_browser; fi

echo "[bootstrap] ---- summary ----"
printf '%s\n' "${SUMMARY[@]}"
record "total" "done" "$T_START" >/dev/null
echo "${SUMMARY[-1]}"
