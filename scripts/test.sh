#!/usr/bin/env bash
# Runs every test: formatting and lints (native and wasm32), the Rust suites (unit,
# fixtures, properties, CLI, README tables, doctests), then the Worker end-to-end suites in
# workerd (delivery modes, queue fault tests, security, example origins), the npm package
# suites (five JS runtimes), the browser test of the validator page, and a fuzz smoke.
# Installs what it needs first (pinned; skipped when present). Safe to run twice.
#
#   scripts/test.sh            everything
#   scripts/test.sh --rust     only the Rust part (no wasm tools, no browser)
set -euo pipefail
cd "$(dirname "$0")/.."

part=all
case "${1:-}" in
  --rust) part=rust ;;
  "") ;;
  *) echo "usage: scripts/test.sh [--rust]" >&2; exit 2 ;;
esac

step() { printf '\n== %s\n' "$*"; }

if [ "$part" = rust ]; then
  bash scripts/bootstrap.sh --rust-only
else
  bash scripts/bootstrap.sh --browser
fi
# shellcheck source=scripts/env.sh
. scripts/env.sh

step "cargo fmt --check (every .rs file: the crate's, the fuzz crate's, wherever declared)"
cargo fmt --all -- --check
cargo fmt --manifest-path fuzz/Cargo.toml --all -- --check
find . -name '*.rs' -not -path './target/*' -not -path './fuzz/target/*' \
  -not -path '*/node_modules/*' -print0 | xargs -0 rustfmt --edition 2021 --check

step "fixtures: tests/fixtures/generate.py writes exactly what is committed"
gen_out=$(mktemp -d)
python3 tests/fixtures/generate.py --out "$gen_out" >/dev/null
drift=$(cd "$gen_out" && find . -type f | sort | while read -r f; do
  cmp -s "$f" "$OLDPWD/tests/fixtures/$f" || echo "  $f"
done)
rm -rf "$gen_out"
if [ -n "$drift" ]; then
  printf 'these fixtures differ from what generate.py writes (run it and review):\n%s\n' "$drift" >&2
  exit 1
fi

step "cargo clippy (native; and the fuzz crate, its own workspace)"
cargo clippy --all-targets --locked -- -D warnings
cargo clippy --manifest-path fuzz/Cargo.toml --all-targets --locked -- -D warnings

step "cargo clippy (wasm32, features js-diagnose,worker,bench; and js alone, the lean npm wasm)"
cargo clippy --all-targets --target wasm32-unknown-unknown --features js-diagnose,worker,bench --locked -- -D warnings
cargo clippy --lib --target wasm32-unknown-unknown --features js --locked -- -D warnings

step "cargo test (native)"
cargo test --locked

if [ "$part" = rust ]; then
  exit 0
fi

step "Worker end-to-end (workerd)"
bash scripts/test-worker.sh

step "npm package"
bash scripts/test-npm.sh

step "validator page in Chromium"
bash scripts/test-browser.sh

step "fuzz smoke (cargo fuzz, a few seconds per target; the long runs: scripts/fuzz.sh)"
# cargo-fuzz needs the nightly toolchain; a machine without one (none can be fetched
# here) skips the smoke and says so, rather than failing the run.
if rustup run nightly rustc --version >/dev/null 2>&1; then
  bash scripts/fuzz.sh --smoke
else
  echo "[test] fuzz smoke skipped: no nightly toolchain on this machine"
fi
