# shellcheck shell=bash
# Source this file (do not execute it): `. scripts/env.sh`
# Puts the project's pinned tools first on PATH and tells worker-build /
# wasm-pack / wrangler to use them instead of downloading anything.
# Paths are absolute, computed from this file's location. Safe to source twice.

if [ -n "${BASH_SOURCE[0]:-}" ]; then
  _signhook_env_file="${BASH_SOURCE[0]}"
else
  _signhook_env_file="$0"
fi
SIGNHOOK_ROOT="$(cd "$(dirname "$_signhook_env_file")/.." && pwd -P)"
export SIGNHOOK_ROOT

_signhook_cargo_bin="${CARGO_HOME:-$HOME/.cargo}/bin"
_signhook_node_bin="$SIGNHOOK_ROOT/node_modules/.bin"

# Remove earlier copies, then prepend: node_modules/.bin first (Node 22 for
# wrangler's `#!/usr/bin/env node`, wasm-opt, esbuild), then $CARGO_HOME/bin.
_signhook_path=":${PATH:-}:"
while [[ "$_signhook_path" == *":$_signhook_node_bin:"* ]]; do
  _signhook_path="${_signhook_path//:$_signhook_node_bin:/:}"
done
while [[ "$_signhook_path" == *":$_signhook_cargo_bin:"* ]]; do
  _signhook_path="${_signhook_path//:$_signhook_cargo_bin:/:}"
done
_signhook_path="${_signhook_path#:}"
_signhook_path="${_signhook_path%:}"
PATH="$_signhook_node_bin:$_signhook_cargo_bin${_signhook_path:+:$_signhook_path}"
export PATH

export WASM_BINDGEN_BIN="$_signhook_cargo_bin/wasm-bindgen"   # else worker-build downloads its own from GitHub
export WASM_OPT_BIN="$_signhook_node_bin/wasm-opt"            # npm binaryen; else a GitHub download
export ESBUILD_BIN="$_signhook_node_bin/esbuild"              # else an npm download into a cache
export WRANGLER_SEND_METRICS=false                            # no telemetry from wrangler
export CLOUDFLARE_CF_FETCH_ENABLED=false                      # no fetch of request.cf data

unset _signhook_env_file _signhook_cargo_bin _signhook_node_bin _signhook_path
