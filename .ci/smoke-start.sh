#!/usr/bin/env bash
# Starts the API as a newcomer would (`npm start`, no DATABASE_URL), checks it serves, that a
# second process on the same DATA_DIR refuses to start, and that SIGTERM stops it cleanly.
set -euo pipefail
cd "$(dirname "$0")/.."

data_dir=$(mktemp -d)
port=3917
base="http://127.0.0.1:$port"
logs="$data_dir/logs"
mkdir -p "$logs"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$data_dir"' EXIT

env -u DATABASE_URL -u ADMIN_API_KEY PORT=$port DATA_DIR="$data_dir/db" npm start >"$logs/out" 2>"$logs/err" &
server=$!

for _ in $(seq 1 90); do
  curl -sf "$base/health/ready" >/dev/null 2>&1 && break
  kill -0 $server 2>/dev/null || { cat "$logs/err" "$logs/out"; echo "npm start exited early"; exit 1; }
  sleep 1
done
curl -sf "$base/health/ready"
echo "  ready"

key=$(grep -o 'hov_[A-Za-z0-9_-]*' "$logs/err" | head -n 1)
[ -n "$key" ] || { cat "$logs/err"; echo "no first admin key was printed"; exit 1; }
curl -sf -H "Authorization: Bearer $key" "$base/v1/api-keys" | grep -q '"First administrator"'
echo "  the printed admin key lists API keys"
curl -sf "$base/docs" -o /dev/null -L
curl -sf "$base/docs-json" | grep -q '"openapi"'
echo "  /docs and /docs-json are served"
grep -q "$key" "$logs/out" && { echo "the admin key appeared in the logs"; exit 1; }

set +e
env -u DATABASE_URL PORT=$((port + 1)) DATA_DIR="$data_dir/db" node dist/src/main.js >"$logs/second-out" 2>"$logs/second-err"
second=$?
set -e
grep -q "already in use by another Handover process" "$logs/second-err" || {
  cat "$logs/second-err"; echo "second process did not refuse clearly"; exit 1;
}
[ $second -ne 0 ] || { echo "second process exited 0"; exit 1; }
curl -sf "$base/health/ready" >/dev/null
echo "  a second process on the same DATA_DIR refused to start (exit $second); the first still serves"

kill -TERM $server
set +e
wait $server
status=$?
set -e
[ $status -eq 0 ] || { tail -n 5 "$logs/out"; echo "npm start exited with $status after SIGTERM"; exit 1; }
[ ! -e "$data_dir/db/.handover.lock" ] || { echo "the data directory lock was not released"; exit 1; }
grep -q '"msg":"Stopped"' "$logs/out"
echo "  SIGTERM: stopped cleanly (exit 0), lock released"
