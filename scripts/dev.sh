#!/usr/bin/env bash
# Run the Worker locally: THE one command for a fresh machine.
#
#   bash scripts/dev.sh                 http://127.0.0.1:8787, inspect mode
#   PORT=8790 bash scripts/dev.sh       another port
#   bash scripts/dev.sh --var ORIGIN_URL:http://127.0.0.1:3000/hooks   extra wrangler dev flags
#   bash scripts/dev.sh --queue http://127.0.0.1:3000/webhooks
#       queue mode to a local origin, with a local ADMIN_TOKEN (the admin API, the console)
#       and a short retry schedule (5 attempts, 2 s doubling to 10 s), printed at start-up
#
# 1. installs the pinned toolchain (scripts/bootstrap.sh: wasm32 target, worker-build,
#    wasm-bindgen-cli, Node 22, wrangler; skipped when already there),
# 2. copies .dev.vars.example to .dev.vars if that is missing (fake local secrets;
#    DELIVERY=inspect: each hook answers with the normalized event, no origin needed),
# 3. builds the Worker (scripts/build-worker.sh; skipped when build/ is up to date),
# 4. applies the tenants' D1 migrations to the local database (new ones only),
# 5. runs `wrangler dev` on 127.0.0.1 in the real workerd runtime; edits under src/ and
#    www/ rebuild. Ctrl-C stops it. Safe to run again.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$ROOT"
PORT="${PORT:-8787}"

# --queue ORIGIN_URL: queue mode without editing .dev.vars. The admin token is a public
# example value (.dev.vars.example's list), accepted on a loopback host only.
LOCAL_ADMIN_TOKEN="local-dev-admin-token-0123456789abcdef"
extra=()
queue_origin=""
while [ $# -gt 0 ]; do
  case "$1" in
    --queue)
      [ $# -ge 2 ] || { echo "[dev] --queue needs the origin's URL, e.g. http://127.0.0.1:3000/webhooks" >&2; exit 2; }
      queue_origin="$2"
      shift 2
      ;;
    *) extra+=("$1"); shift ;;
  esac
done
if [ -n "$queue_origin" ]; then
  extra+=(--var DELIVERY:queue --var "ORIGIN_URL:$queue_origin" --var "ADMIN_TOKEN:$LOCAL_ADMIN_TOKEN"
    --var RETRY_MAX_ATTEMPTS:5 --var RETRY_BASE_SECONDS:2 --var RETRY_MAX_DELAY_SECONDS:10)
fi

bash scripts/bootstrap.sh
# shellcheck source=scripts/env.sh
. "$ROOT/scripts/env.sh"

if [ ! -f .dev.vars ]; then
  cp .dev.vars.example .dev.vars
  echo "[dev] created .dev.vars from .dev.vars.example (fake local values; edit .dev.vars)"
fi

# A .dev.vars made before DELIVERY existed would now answer 503 no_origin_configured.
if ! grep -q '^DELIVERY=' .dev.vars && ! grep -q '^ORIGIN_URL="\?[^"]' .dev.vars; then
  echo "[dev] .dev.vars sets neither DELIVERY nor ORIGIN_URL: hooks will answer 503 no_origin_configured." >&2
  echo "[dev]   add DELIVERY=\"inspect\" to .dev.vars (as in .dev.vars.example) to see events without an origin" >&2
fi

if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
  echo "[dev] 127.0.0.1:$PORT is already in use (another scripts/dev.sh?). Stop it, or PORT=8790 bash scripts/dev.sh" >&2
  exit 1
fi

# Build here first: wrangler runs the same [build] command but hides its errors.
# The page's wasm (www/pkg/) first, fresh from the current source; files are rewritten
# only when their content changed.
bash scripts/build-www.sh
bash scripts/build-worker.sh

cat <<MSG
[dev] signhook Worker on http://127.0.0.1:$PORT  (config: .dev.vars)
[dev]   page:    http://127.0.0.1:$PORT/
[dev]   health:  curl -s http://127.0.0.1:$PORT/healthz
[dev]   hooks:   POST http://127.0.0.1:$PORT/hooks/<provider>  (README: Providers; Acrobat Sign: /hooks/acrobat-sign/<token>)
[dev]   e.g.     cargo run -q --bin signhook -- sign --provider zoho-sign --secret zoho_test_secret \\
[dev]              --body tests/fixtures/zoho-sign/doc-sample-signing-success/body \\
[dev]              --curl http://127.0.0.1:$PORT | sh
MSG

if [ -n "$queue_origin" ]; then
  cat <<MSG
[dev] queue mode: events go to $queue_origin, signed with .dev.vars' FORWARD_SECRET
[dev]   retries: 5 attempts, 2 s doubling to at most 10 s (then a dead letter)
[dev]   admin:   ADMIN_TOKEN=$LOCAL_ADMIN_TOKEN (local only)
[dev]            curl -H "Authorization: Bearer $LOCAL_ADMIN_TOKEN" http://127.0.0.1:$PORT/admin/dead-letters
[dev]   console: http://127.0.0.1:$PORT/console/
MSG
fi

# The tenants' local D1 database (migrations/), in the state folder wrangler dev uses; only
# new migrations run, so this is safe every time.
wrangler d1 migrations apply signhook --local </dev/null

# stdin from /dev/null: no interactive prompt (crash report, login) can hang the run.
exec wrangler dev --ip 127.0.0.1 --port "$PORT" --show-interactive-dev-session=false ${extra[@]+"${extra[@]}"} </dev/null
