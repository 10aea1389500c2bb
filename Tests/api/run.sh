#!/usr/bin/env bash
# Schemathesis against `cer-run serve`, checked against docs/openapi.yaml (make test-api).
#
# Usage: Tests/api/run.sh RUNS_DIR [schemathesis options…]
# RUNS_DIR holds a finished fixture run (runs/fixture-dst with its devchain/ state). Its dev chain
# is started again from a copy of that state (`cer-run devnet --state`), so the server reads a
# node with the run's marketplace and registered members; then `cer-run serve --port 0` is
# started, its port read from its first line, schemathesis runs with every check, and both are
# stopped. Admin is enabled (the fixture's operator key, a scratch admin journal) and every request
# carries its token, so admin actions really run on the copied chain. Exits non-zero on any schemathesis failure, or when the server does not stop cleanly.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
runs="$(cd "$1" && pwd)"; shift
bin="$root/.build/debug/cer-run"
work="$(mktemp -d)"
chain_pid=""; serve_pid=""
cleanup() {
  [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null || true
  [ -n "$chain_pid" ] && kill "$chain_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# first_line FILE PATTERN PID: waits (60 s at most) for a line of FILE matching PATTERN.
first_line() {
  for _ in $(seq 600); do
    if line="$(grep -m1 -E "$2" "$1" 2>/dev/null)"; then echo "$line"; return 0; fi
    kill -0 "$3" 2>/dev/null || { echo "error: the process stopped:" >&2; cat "$1" >&2; return 1; }
    sleep 0.1
  done
  echo "error: no line matching '$2' in $1 after 60 s" >&2; return 1
}

cp -R "$runs/fixture-dst/devchain" "$work/devchain"
"$bin" devnet --port 0 --state "$work/devchain" > "$work/devnet.log" 2>&1 &
chain_pid=$!
rpc="$(first_line "$work/devnet.log" '^dev chain at ' "$chain_pid" | sed -E 's/^dev chain at ([^ ]+).*/\1/')"

# Admin enabled: the fixture's operator (dev account 1, from the public dev mnemonic) deployed
# the marketplace and is its admin; its keystore and admin journal live in the scratch folder.
PYTHONPATH="$root/devchain" "$root/devchain/.venv/bin/python" - "$work/admin.json" <<'PY'
import json, sys
from eth_account import Account
from cer_devchain.accounts import derive_account
key = derive_account(1).private_key.to_bytes()
json.dump(Account.encrypt(key, "api-test", kdf="pbkdf2", iterations=1000), open(sys.argv[1], "w"))
PY
token="api-test-token-$RANDOM$RANDOM$RANDOM"
CER_API_TOKEN="$token" CER_API_PASSWORD=api-test "$bin" serve --runs "$runs" --port 0 --rpc "$rpc" \
  --admin-token-env CER_API_TOKEN --admin-keystore "$work/admin.json" --password-env CER_API_PASSWORD \
  --admin-journal "$work/admin-journal.jsonl" > "$work/serve.out" 2> "$work/serve.err" &
serve_pid=$!
url="$(first_line "$work/serve.out" '^listening on ' "$serve_pid" | sed -E 's/^listening on //')"
echo "cer-run serve at $url (node $rpc)"

status=0
start=$(date +%s)
"$root/Tests/api/.venv/bin/schemathesis" run "$root/docs/openapi.yaml" --url "$url" --checks all \
  --request-timeout 10 -H "Authorization: Bearer $token" "$@" || status=$?
echo "schemathesis: exit $status in $(( $(date +%s) - start )) s; $(grep -c ' [0-9.]*ms$' "$work/serve.err" || true) requests logged"
echo "statuses answered: $(grep -oE ' [0-9]{3} [0-9.]+ms$' "$work/serve.err" | awk '{print $1}' | sort | uniq -c | xargs)"
echo "admin actions: $(grep -E ' POST /api/v1/admin/' "$work/serve.err" | grep -oE ' [0-9]{3} [0-9.]+ms$' | awk '{print $1}' | sort | uniq -c | xargs)"

# Graceful shutdown: SIGTERM, then the server must exit 0.
kill -TERM "$serve_pid"
serve_status=0; wait "$serve_pid" || serve_status=$?
serve_pid=""
if [ "$serve_status" -ne 0 ]; then
  echo "error: cer-run serve exited $serve_status after SIGTERM" >&2; tail -20 "$work/serve.err" >&2; status=1
fi
exit "$status"
