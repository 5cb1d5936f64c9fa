#!/usr/bin/env bash
# The API against its own description: schemathesis (pinned, from PyPI) generates requests from /q/openapi and
# checks every answer: no 5xx, every status and body as documented, problem+json shapes, Allow headers, stateful
# sequences. The packaged jar runs against the standalone fake Ollama with API keys on, and schemathesis sends a key.
#
#   scripts/api-contract-check.sh      (builds target/quarkus-app if it is missing)
#
# Hooks: scripts/contract_hooks.py (a generated chat `model` that fits the schema becomes one the fake Ollama lists).
# Options (environment): ST_MAX_EXAMPLES (250 per operation: well over 1,000 cases in all), ST_SEED (1).
# Excluded check, on purpose: use_after_free. POST /api/chat with a conversationId starts that conversation when it
# does not exist, so an id used again after DELETE is a new conversation, not a deleted one coming back.
# Prints "api-contract: N passed, M failed" last; exits non-zero on any failure.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=lib.sh
source "$ROOT/scripts/lib.sh"
SCHEMATHESIS_VERSION=4.32.5
VENV="${XDG_CACHE_HOME:-$HOME/.cache}/ollama-chat/schemathesis-$SCHEMATHESIS_VERSION"
JAR="$ROOT/target/quarkus-app/quarkus-run.jar"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/api-contract.XXXXXX")"
KEY="contract-check-$RANDOM$RANDOM$RANDOM"
APP_PID=""

check_cleanup() {
    [[ -n "$APP_PID" ]] && stop_pid "$APP_PID" 15
    FAKE_OLLAMA_PIDFILE="$WORK/fake.pid" fake_ollama stop >/dev/null 2>&1 || true
}
check_begin api-contract "${API_CONTRACT_BUDGET:-900}" java python3 curl
start_budget

if [[ ! -x "$VENV/bin/st" ]]; then
    info "installing schemathesis $SCHEMATHESIS_VERSION into the cache ($(basename "$VENV"))"
    python3 -m venv "$VENV" && "$VENV/bin/pip" install -q "schemathesis==$SCHEMATHESIS_VERSION" ||
        { fail "could not install schemathesis $SCHEMATHESIS_VERSION"; exit 1; }
fi
if jar_is_stale "$JAR"; then
    (cd "$ROOT" && ./mvnw -B -q package -DskipTests) || { fail "build of the packaged jar failed"; exit 1; }
fi

read -r FAKE_PORT APP_PORT < <(free_ports 2)
FAKE="$(FAKE_OLLAMA_PIDFILE="$WORK/fake.pid" fake_ollama start "$FAKE_PORT")" ||
    { fail "the fake Ollama did not start"; exit 1; }
(
    cd "$WORK" && exec env -u MCP_SERVERS -u MCP_SERVER_URL -u RATE_LIMIT -u QUARKUS_PROFILE -u PHOENIX_PROJECT_NAME \
        HOST=127.0.0.1 PORT="$APP_PORT" OLLAMA_HOST="$FAKE" CHAT_API_KEYS="contract:$KEY" TELEMETRY_ENABLED=false \
        java -jar "$JAR"
) >"$WORK/app.log" 2>&1 </dev/null &
APP_PID=$!
APP="http://127.0.0.1:$APP_PORT"
for _ in $(seq 1 100); do
    [[ "$(curl -s -o /dev/null -w '%{http_code}' "$APP/q/health/live")" == 200 ]] && break
    sleep 0.3
done
[[ "$(curl -s -o /dev/null -w '%{http_code}' "$APP/q/health/live")" == 200 ]] || { fail "the service did not start"; exit 1; }

PYTHONPATH="$ROOT/scripts" SCHEMATHESIS_HOOKS=contract_hooks "$VENV/bin/st" run "$APP/q/openapi" --checks all --exclude-checks use_after_free \
    --max-examples "${ST_MAX_EXAMPLES:-250}" --seed "${ST_SEED:-1}" --workers 1 \
    -H "Authorization: Bearer $KEY" --no-color >"$WORK/schemathesis.log" 2>&1
st_status=$?
sed -n '/SUMMARY/,$p' "$WORK/schemathesis.log"
cases="$(grep -o '[0-9]* generated' "$WORK/schemathesis.log" | tail -1 | cut -d' ' -f1)"
if [[ $st_status -eq 0 && -n "$cases" && "$cases" -ge 1000 ]]; then
    pass "schemathesis: $cases cases over every operation, all checks but use_after_free, no failure"
else
    fail "schemathesis exited $st_status after ${cases:-no} cases; see $WORK/schemathesis.log"
    grep -A12 '^_\{5,\}' "$WORK/schemathesis.log" | head -60
fi
server_errors="$(grep -c ' ERROR ' "$WORK/app.log" || true)"
if [[ "$server_errors" -eq 0 ]]; then
    pass "the service logged no ERROR line while schemathesis ran"
else
    fail "the service logged $server_errors ERROR line(s); see $WORK/app.log"
    grep ' ERROR ' "$WORK/app.log" | head -5
fi
[[ $FAILED -eq 0 ]]
