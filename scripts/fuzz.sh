#!/usr/bin/env bash
# Coverage-guided fuzzing (cargo-fuzz / libFuzzer) of every target in fuzz/, one after the
# other, from the seed corpus in fuzz/corpus/<target>/seed-* (made from tests/fixtures by
# fuzz/examples/gen_seeds.rs). Installs what it needs (pinned; skipped when present).
#
#   scripts/fuzz.sh [SECONDS]          every target for SECONDS each (default 60)
#   scripts/fuzz.sh --smoke            CI smoke: 2 s per verify_<provider> target, 4 s for the
#                                      others (24 targets: about 120 s when warm), built
#                                      without ASan (--sanitizer none) unless told otherwise
#   scripts/fuzz.sh --runs N           every target for N executions (no time limit)
#   scripts/fuzz.sh --target NAME ...  only these targets (repeatable)
#   scripts/fuzz.sh --keep-going       fork mode: record crashes and carry on
#   scripts/fuzz.sh --sanitizer none   no ASan (2-3x the executions; the crate has no
#                                      unsafe code, panics and overflow checks still count);
#                                      the default is address, but for --smoke
#   scripts/fuzz.sh --list             print the targets
#
# Before fuzzing a target, its saved regressions (tests/fixtures/fuzz-regressions/
# <target>-*.bin) are replayed once: each must pass now.
# Prints per target: executions, coverage (libFuzzer cov/ft), exec/s, new crash/timeout/oom
# artifacts (in fuzz/artifacts/<target>/). Exits 1 when anything crashed, timed out, ran out
# of memory or a regression failed. Logs: fuzz/logs/<target>.log.
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_FUZZ_VERSION=0.13.2
TOOLCHAIN=nightly
# Every [[bin]] of fuzz/Cargo.toml, in its order: a new target (verify_<provider> for a new
# provider) is a file in fuzz/fuzz_targets/ and a [[bin]] there, nothing here.
mapfile -t TARGETS < <(awk '/^\[\[bin\]\]/ { bin = 1; next } /^\[/ { bin = 0 }
  bin && /^name *=/ { gsub(/^name *= *"|" *$/, ""); print }' fuzz/Cargo.toml)
[ ${#TARGETS[@]} -gt 0 ] || { echo "no [[bin]] targets in fuzz/Cargo.toml" >&2; exit 2; }

seconds=60
smoke=0
runs=""
keep_going=0
sanitizer=address
sanitizer_given=0
only=()
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) smoke=1; seconds=4 ;;
    --runs) runs="$2"; shift ;;
    --target) only+=("$2"); shift ;;
    --keep-going) keep_going=1 ;;
    --sanitizer) sanitizer="$2"; sanitizer_given=1; shift ;;
    --list) printf '%s\n' "${TARGETS[@]}"; exit 0 ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    [0-9]*) seconds="$1" ;;
    *) echo "usage: scripts/fuzz.sh [--smoke] [--runs N] [--target NAME]... [--keep-going] [--sanitizer address|none] [SECONDS]" >&2; exit 2 ;;
  esac
  shift
done
# The smoke builds without ASan: a cold ASan build of every target costs CI minutes, and the
# crate has no unsafe code (panics, overflow checks and the targets' assertions still count).
if [ "$smoke" = 1 ] && [ "$sanitizer_given" = 0 ]; then sanitizer=none; fi
if [ ${#only[@]} -gt 0 ]; then
  for t in "${only[@]}"; do
    printf '%s\n' "${TARGETS[@]}" | grep -qx "$t" || { echo "unknown target $t" >&2; exit 2; }
  done
  TARGETS=("${only[@]}")
fi

# --- tools ------------------------------------------------------------------------------
if ! rustup run "$TOOLCHAIN" rustc --version >/dev/null 2>&1; then
  echo "== installing the $TOOLCHAIN toolchain (cargo-fuzz needs -Zsanitizer)"
  rustup toolchain install "$TOOLCHAIN" --profile minimal || {
    echo "error: no $TOOLCHAIN toolchain and it cannot be installed here" >&2; exit 1; }
fi
if [ "$(cargo fuzz --version 2>/dev/null || true)" != "cargo-fuzz $CARGO_FUZZ_VERSION" ]; then
  echo "== installing cargo-fuzz $CARGO_FUZZ_VERSION"
  # The target directory scripts/bootstrap.sh builds the other tools in (shared crates
  # compile once), unoptimized as they are: cargo-fuzz only drives cargo.
  CARGO_PROFILE_RELEASE_OPT_LEVEL=0 CARGO_TARGET_DIR="${SIGNHOOK_TOOLS_TARGET:-$PWD/target/tools}" \
    cargo install --locked cargo-fuzz --version "$CARGO_FUZZ_VERSION"
fi

# --- seeds ------------------------------------------------------------------------------
missing=0
for t in "${TARGETS[@]}"; do
  compgen -G "fuzz/corpus/$t/seed-*" >/dev/null || missing=1
done
if [ "$missing" = 1 ]; then
  echo "== generating the seed corpus from tests/fixtures"
  cargo run --quiet --manifest-path fuzz/Cargo.toml --example gen_seeds
fi

# --- build (release + debug assertions + overflow checks; ASan unless --sanitizer none) ---
echo "== cargo +$TOOLCHAIN fuzz build --sanitizer $sanitizer"
cargo "+$TOOLCHAIN" fuzz build --sanitizer "$sanitizer"

# libFuzzer limits. diagnose: a 1 MiB body must finish in well under a second and a few
# hundred MB; its quadratic layouts of nested JSON (security review M-2) blow through both.
limits_for() {
  case "$1" in
    diagnose) echo "-timeout=3 -rss_limit_mb=1536 -malloc_limit_mb=512" ;;
    *) echo "-timeout=3 -rss_limit_mb=2048 -malloc_limit_mb=512" ;;
  esac
}
# ASan's quarantine would dominate RSS otherwise.
export ASAN_OPTIONS="${ASAN_OPTIONS:-quarantine_size_mb=64}"

mkdir -p fuzz/logs
failed=0
rows=()
regressions=tests/fixtures/fuzz-regressions
for t in "${TARGETS[@]}"; do
  log="fuzz/logs/$t.log"
  mkdir -p "fuzz/artifacts/$t"
  # shellcheck disable=SC2046
  limits=$(limits_for "$t")

  reg_status="-"
  mapfile -t saved < <(compgen -G "$regressions/$t-*.bin" || true)
  if [ ${#saved[@]} -gt 0 ]; then
    # shellcheck disable=SC2086
    if cargo "+$TOOLCHAIN" fuzz run --sanitizer "$sanitizer" "$t" "${saved[@]}" -- $limits -runs=1 >"fuzz/logs/$t.regressions.log" 2>&1; then
      reg_status="${#saved[@]} pass"
    else
      reg_status="FAIL"
      failed=1
      echo "!! $t: a saved regression fails (fuzz/logs/$t.regressions.log)"
    fi
  fi

  marker=$(mktemp)
  args=($limits -print_final_stats=1)
  budget_s=$seconds
  # The smoke gives each provider's verify target half the time: there are many, and they
  # share the harness (src/checks.rs), which the other targets exercise too.
  if [ "$smoke" = 1 ] && [[ "$t" == verify_* ]]; then budget_s=2; fi
  if [ -n "$runs" ]; then args+=("-runs=$runs"); else args+=("-max_total_time=$budget_s"); fi
  if [ "$keep_going" = 1 ]; then args+=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1); fi
  if [ -n "$runs" ]; then budget="$runs runs"; else budget="$budget_s s"; fi
  echo "== $t ($budget) ${args[*]}"
  start=$(date +%s)
  set +e
  cargo "+$TOOLCHAIN" fuzz run --sanitizer "$sanitizer" "$t" -- "${args[@]}" >"$log" 2>&1
  rc=$?
  set -e
  elapsed=$(( $(date +%s) - start ))

  # `-a`: the log can hold raw bytes (libFuzzer's recommended dictionary), and grep would
  # then answer "binary file matches" instead of the lines.
  execs=$(grep -aoE '^stat::number_of_executed_units: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+$' || true)
  [ -n "$execs" ] || execs=$(grep -aoE '^#[0-9]+' "$log" | tail -1 | tr -d '#' || true)
  rate=$(grep -aoE '^stat::average_exec_per_sec: +[0-9]+' "$log" | tail -1 | grep -oE '[0-9]+$' || true)
  # Fork mode prints no final stats: executions over wall time.
  [ -n "$rate" ] || { [ -n "$execs" ] && rate=$(( execs / (elapsed > 0 ? elapsed : 1) )); } || true
  cov=$(grep -aoE 'cov: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+' || true)
  ft=$(grep -aoE 'ft: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+' || true)
  found=$(find "fuzz/artifacts/$t" -type f -newer "$marker" \
    \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' -o -name 'leak-*' \) | sort)
  rm -f "$marker"
  nfound=$(printf '%s' "$found" | grep -c . || true)
  if [ "$rc" != 0 ] || [ "$nfound" != 0 ]; then
    failed=1
    echo "!! $t: exit $rc, $nfound new artifact(s):"
    printf '   %s\n' $found
    grep -a -m3 -E 'panicked at|ERROR: libFuzzer|SUMMARY' "$log" | sed 's/^/   /' || true
  fi
  rows+=("$(printf '%-20s %12s %7s %7s %8s %6s %9s %s' "$t" "${execs:-?}" "${cov:-?}" "${ft:-?}" "${rate:-?}" "$elapsed" "$nfound" "$reg_status")")
done

echo
printf '%-20s %12s %7s %7s %8s %6s %9s %s\n' target executions cov ft exec/s secs findings regressions
printf '%s\n' "${rows[@]}"
if [ "$failed" != 0 ]; then
  echo "FUZZ: findings above (inputs in fuzz/artifacts/<target>/; reproduce with cargo +$TOOLCHAIN fuzz run <target> <file>)"
  exit 1
fi
echo "FUZZ: no findings"
