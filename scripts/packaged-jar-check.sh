#!/usr/bin/env bash
# Proves that OLLAMA_HOST and OLLAMA_MODEL take effect at run time on the packaged jar, without a rebuild.
#
# 1. Builds target/quarkus-app/quarkus-run.jar when it is missing or older than the sources (./mvnw -B -q package -DskipTests).
# 2. Starts the fake Ollama (fake_ollama in scripts/lib.sh, WireMock serving src/test/resources/ollama) on a free loopback port.
# 3. Starts the jar with OLLAMA_HOST=<fake> OLLAMA_MODEL=tiny-test-model PORT=<free port>, chats once and asks
#    WireMock's request journal which model the chat requests to Ollama carried.
# 4. Starts the same jar with OLLAMA_MODEL=missing-model and expects a 502 problem+json telling to pull it.
#
# Prints PASS/FAIL lines and finally "packaged-jar: N passed, M failed"; exits non-zero on any failure.
# Both processes are always stopped. The checks are bounded in time (the one-time build is not counted).
# Needs: java, curl, python3. PACKAGED_JAR_CHECK_BUDGET overrides the time budget (seconds, default 60).
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib.sh
source "$ROOT/scripts/lib.sh"
JAR="$ROOT/target/quarkus-app/quarkus-run.jar"
WORK="$ROOT/target/packaged-jar-check"
BUDGET_SECONDS="${PACKAGED_JAR_CHECK_BUDGET:-60}" # hard stop after the build; cleanup adds a few seconds at most
START_WAIT_SECONDS=30  # per process start
CURL_MAX_TIME=10

PASSED=0
FAILED=0
APP_PID=""
FAKE_STARTED=""
WATCHDOG_PID=""
FAKE=""




stop_app() {
    [[ -n "$APP_PID" ]] || return 0
    if kill -0 "$APP_PID" 2>/dev/null; then
        kill "$APP_PID" 2>/dev/null || true
        local i
        for ((i = 0; i < 25; i++)); do
            kill -0 "$APP_PID" 2>/dev/null || break
            sleep 0.2
        done
        kill -0 "$APP_PID" 2>/dev/null && kill -9 "$APP_PID" 2>/dev/null
    fi
    wait "$APP_PID" 2>/dev/null || true
    APP_PID=""
}

cleanup() {
    local status=$?
    trap - EXIT INT TERM
    stop_app
    if [[ -n "$FAKE_STARTED" ]]; then
        FAKE_OLLAMA_PIDFILE="$WORK/fake-ollama.pid" fake_ollama stop >/dev/null 2>&1 || true
    fi
    if [[ -n "$WATCHDOG_PID" ]]; then
        kill "$WATCHDOG_PID" 2>/dev/null || true
        wait "$WATCHDOG_PID" 2>/dev/null || true
    fi
    if ((status != 0 && FAILED == 0)); then
        fail "aborted (exit status $status)"
    fi
    echo "packaged-jar: $PASSED passed, $FAILED failed"
    ((FAILED == 0)) && exit 0 || exit 1
}

on_signal() {
    fail "interrupted or time budget of ${BUDGET_SECONDS}s exceeded"
    exit 1
}

trap cleanup EXIT
trap on_signal INT TERM

for tool in java curl python3; do
    command -v "$tool" >/dev/null || { fail "$tool is required but not on PATH"; exit 1; }
done

# JSON helpers (python3, always available here because it also picks the free ports).
json_field() { # <file> <dotted.path> -> prints the value ('' when absent); objects/lists as JSON
    python3 - "$1" "$2" <<'PY'
import json, sys
try:
    value = json.load(open(sys.argv[1], encoding="utf-8"))
    for key in sys.argv[2].split("."):
        value = value[int(key)] if isinstance(value, list) else value.get(key)
except Exception:
    value = None
if value is None:
    print("")
elif isinstance(value, (dict, list)):
    print(json.dumps(value))
else:
    print(value)
PY
}

journal_models() { # <file with WireMock /__admin/requests/find answer> -> one model name per line
    python3 - "$1" <<'PY'
import base64, json, sys
for request in json.load(open(sys.argv[1], encoding="utf-8")).get("requests", []):
    body = request.get("body")
    if not body and request.get("bodyAsBase64"):
        body = base64.b64decode(request["bodyAsBase64"]).decode("utf-8")
    try:
        print(json.loads(body).get("model"))
    except Exception:
        print("<unparseable body>")
PY
}

ollama_check_model() { # <health answer file> -> data.model of the "ollama" check ('' when absent)
    python3 - "$1" <<'PY'
import json, sys
try:
    checks = json.load(open(sys.argv[1], encoding="utf-8")).get("checks", [])
    print(next((c.get("data", {}).get("model", "") for c in checks if c.get("name") == "ollama"), ""))
except Exception:
    print("")
PY
}

compact() { # <file> -> its first 600 characters on one line
    head -c 600 "$1" | tr -s '\n\t ' ' '
}

free_ports() { # <count> -> that many distinct free loopback ports, space separated
    python3 - "$1" <<'PY'
import socket, sys
sockets = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    sockets.append(s)
print(" ".join(str(s.getsockname()[1]) for s in sockets))
for s in sockets:
    s.close()
PY
}

# --- build only when the packaged jar is missing (not counted in the time budget) ---
if jar_is_stale "$JAR"; then
    echo "packaged jar missing or older than the sources; building it (./mvnw -B -q package -DskipTests)"
    (cd "$ROOT" && ./mvnw -B -q package -DskipTests) || { fail "build of the packaged jar failed"; exit 1; }
fi
[[ -f "$JAR" ]] || { fail "no packaged jar at target/quarkus-app/quarkus-run.jar"; exit 1; }

# --- time budget: a watchdog sends TERM to this script; the traps then stop everything ---
(
    trap 'kill "$sleeper" 2>/dev/null; exit 0' TERM
    sleep "$BUDGET_SECONDS" &
    sleeper=$!
    wait "$sleeper" && kill -TERM $$ 2>/dev/null
) >/dev/null 2>&1 &
WATCHDOG_PID=$!

rm -rf "$WORK"
mkdir -p "$WORK"

read -r FAKE_PORT APP_PORT < <(free_ports 2)
[[ -n "${APP_PORT:-}" ]] || { fail "could not pick free ports"; exit 1; }
FAKE="http://127.0.0.1:$FAKE_PORT"
APP="http://127.0.0.1:$APP_PORT"

# --- fake Ollama ---
FAKE_STARTED=1
if FAKE_OLLAMA_PIDFILE="$WORK/fake-ollama.pid" FAKE_OLLAMA_WAIT="$START_WAIT_SECONDS" \
    fake_ollama start "$FAKE_PORT" >/dev/null 2>"$WORK/fake-ollama-start.err"; then
    info "fake Ollama at $FAKE"
else
    fail "fake Ollama did not start on $FAKE: $(tail -n 5 "$WORK/fake-ollama-start.err" | tr '\n' ' ')"
    exit 1
fi

# start_app <model> [ollama-host]: starts the packaged jar against the fake Ollama; returns non-zero if it is not
# live in time.
start_app() {
    local model="$1"
    local host="${2:-$FAKE}"
    local log="$WORK/app-$model.log"
    # Run from an empty directory so that no .env of the developer leaks in, and drop inherited settings
    # that would change what is checked here; only OLLAMA_HOST, OLLAMA_MODEL and PORT are set.
    (
        cd "$WORK" &&
            exec env -u MCP_SERVER_URL -u MCP_SERVERS -u MCP_SERVER_NAME -u OLLAMA_TIMEOUT -u HOST \
                -u QUARKUS_PROFILE -u QUARKUS_HTTP_PORT \
                OLLAMA_HOST="$host" OLLAMA_MODEL="$model" PORT="$APP_PORT" HOST=127.0.0.1 \
                java -jar "$JAR"
    ) >"$log" 2>&1 </dev/null &
    APP_PID=$!
    local started=$SECONDS
    while ((SECONDS - started < START_WAIT_SECONDS)); do
        if ! kill -0 "$APP_PID" 2>/dev/null; then
            fail "app ($model) exited during startup; see ${log#"$ROOT"/}"
            tail -n 15 "$log" | sed 's/^/      /'
            APP_PID=""
            return 1
        fi
        if [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$APP/q/health/live" 2>/dev/null)" == "200" ]]; then
            info "app started with OLLAMA_MODEL=$model on $APP in $((SECONDS - started))s"
            return 0
        fi
        sleep 0.3
    done
    fail "app ($model) not live on $APP/q/health/live within ${START_WAIT_SECONDS}s; see ${log#"$ROOT"/}"
    stop_app
    return 1
}

reset_journal() {
    curl -s -o /dev/null --max-time "$CURL_MAX_TIME" -X DELETE "$FAKE/__admin/requests"
}

# chat <message> <out-prefix>: POSTs a chat turn; leaves <prefix>.body and prints "<status> <content type>".
chat() {
    local payload
    payload="$(python3 -c 'import json, sys; print(json.dumps({"message": sys.argv[1]}))' "$1")"
    curl -s -o "$2.body" -w '%{http_code} %{content_type}' --max-time "$CURL_MAX_TIME" \
        -H 'Content-Type: application/json' -H 'Accept: application/json, application/problem+json' \
        -X POST "$APP/api/chat" --data "$payload" || echo "000 -"
}

# check_journal <expected model>: all chat requests that reached the fake Ollama carried that model.
check_journal() {
    local expected="$1" file="$WORK/journal-$1.json"
    curl -s -o "$file" --max-time "$CURL_MAX_TIME" -X POST "$FAKE/__admin/requests/find" \
        -H 'Content-Type: application/json' --data '{"method":"POST","url":"/api/chat"}'
    local models
    models="$(journal_models "$file" 2>/dev/null)"
    local count others
    count="$(grep -c . <<<"$models")"
    others="$(grep -v -x -F "$expected" <<<"$models" | sort -u | paste -s -d, -)"
    if ((count > 0)) && [[ -z "$others" ]]; then
        pass "fake Ollama got $count POST /api/chat request(s), all with \"model\":\"$expected\""
    elif ((count == 0)); then
        fail "fake Ollama got no POST /api/chat request (expected model $expected)"
    else
        fail "fake Ollama got chat requests for model(s) '$others' instead of only '$expected'"
    fi
}

# --- run 1: OLLAMA_MODEL=tiny-test-model ---
if start_app tiny-test-model; then
    ready_status="$(curl -s -o "$WORK/ready-tiny.json" -w '%{http_code}' --max-time "$CURL_MAX_TIME" "$APP/q/health/ready")"
    ready_model="$(ollama_check_model "$WORK/ready-tiny.json")"
    if [[ "$ready_status" == "200" && "$ready_model" == "tiny-test-model" ]]; then
        pass "readiness is UP: the fake Ollama at OLLAMA_HOST lists the configured model tiny-test-model"
    else
        fail "readiness answered $ready_status for model '$ready_model', expected 200 for tiny-test-model: $(compact "$WORK/ready-tiny.json")"
    fi

    reset_journal
    read -r status ctype < <(chat "Calculate 5 + 3" "$WORK/chat-tiny")
    body="$WORK/chat-tiny.body"
    if [[ "$status" == "200" ]]; then
        pass "POST /api/chat answered 200 ($ctype)"
    else
        fail "POST /api/chat answered $status ($ctype), expected 200: $(compact "$body")"
    fi
    model="$(json_field "$body" model)"
    if [[ "$model" == "tiny-test-model" ]]; then
        pass "reply says \"model\":\"tiny-test-model\""
    else
        fail "reply model is '$model', expected tiny-test-model"
    fi
    reply="$(json_field "$body" reply)"
    tools="$(json_field "$body" toolCalls)"
    if [[ "$reply" == "The result of 5 + 3 is 8." && "$tools" == *'"add"'* ]]; then
        pass "tool round trip through the packaged jar's MCP server: reply '$reply', tool add called"
    else
        fail "expected the add tool round trip; reply '$reply', toolCalls $tools"
    fi
    check_journal tiny-test-model
    stop_app
fi

# --- run 2: OLLAMA_MODEL=missing-model, same jar, same fake ---
# OLLAMA_HOST as Ollama's own server takes it, host:port without a scheme, works and is said in the log
if start_app missing-model "${FAKE#http://}"; then
    if grep -q -F "OLLAMA_HOST '${FAKE#http://}' has no scheme; calling Ollama at $FAKE" "$WORK/app-missing-model.log"; then
        pass "OLLAMA_HOST=${FAKE#http://} (no scheme): the start-up log says it calls $FAKE"
    else
        fail "OLLAMA_HOST=${FAKE#http://}: no start-up line about the missing scheme; see ${WORK#"$ROOT"/}/app-missing-model.log"
    fi
    ready_status="$(curl -s -o "$WORK/ready-missing.json" -w '%{http_code}' --max-time "$CURL_MAX_TIME" "$APP/q/health/ready")"
    if [[ "$ready_status" == "503" ]] && grep -q 'ollama pull missing-model' "$WORK/ready-missing.json"; then
        pass "missing model: readiness is DOWN (503) with the hint 'ollama pull missing-model'"
    else
        fail "missing model: readiness answered $ready_status, expected 503 with a pull hint: $(compact "$WORK/ready-missing.json")"
    fi
    reset_journal
    read -r status ctype < <(chat "Hello" "$WORK/chat-missing")
    body="$WORK/chat-missing.body"
    if [[ "$status" == "502" && "$ctype" == application/problem+json* ]]; then
        pass "missing model: POST /api/chat answered 502 $ctype"
    else
        fail "missing model: expected 502 application/problem+json, got $status $ctype: $(compact "$body")"
    fi
    detail="$(json_field "$body" detail)"
    if [[ "$detail" == *"ollama pull missing-model"* ]]; then
        pass "missing model: detail says '$detail'"
    else
        fail "missing model: detail '$detail' does not contain 'ollama pull missing-model'"
    fi
    check_journal missing-model
    stop_app
fi

# a setting that would make every chat fail stops the service at start-up, with a line that names it
bad_log="$WORK/app-bad-mcp-servers.log"
(
    cd "$WORK" &&
        exec env -u MCP_SERVER_URL -u MCP_SERVER_NAME -u QUARKUS_PROFILE -u QUARKUS_HTTP_PORT \
            OLLAMA_HOST="$FAKE" MCP_SERVERS="no-equals-sign" PORT="$APP_PORT" HOST=127.0.0.1 java -jar "$JAR"
) >"$bad_log" 2>&1 </dev/null &
bad_pid=$!
waited=$SECONDS
while kill -0 "$bad_pid" 2>/dev/null && ((SECONDS - waited < START_WAIT_SECONDS)); do
    sleep 0.3
done
if kill -0 "$bad_pid" 2>/dev/null; then
    kill "$bad_pid" 2>/dev/null || true
    fail "MCP_SERVERS=no-equals-sign: the service was still running after ${START_WAIT_SECONDS}s"
elif grep -q -F "MCP_SERVERS entry 'no-equals-sign' is not of the form name=http" "$bad_log"; then
    pass "MCP_SERVERS=no-equals-sign stops the service at start-up, and the log names the variable"
else
    fail "MCP_SERVERS=no-equals-sign: the service stopped without naming MCP_SERVERS; see ${bad_log#"$ROOT"/}"
fi

exit 0
