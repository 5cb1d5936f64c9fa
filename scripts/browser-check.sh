#!/usr/bin/env bash
# Browser check of the chat page: e2e/browser/chat-page.test.mjs in headless Chromium against the packaged jar
# talking to the fake Ollama.
#
# 1. Installs Debian's chromium if it is missing (apt-get; needs root) and the test's npm packages (npm ci).
# 2. Builds target/quarkus-app/quarkus-run.jar when it is missing or older than the sources (./mvnw -B -q package -DskipTests).
# 3. Starts the fake Ollama (scripts/fake-ollama.sh) and the jar on free loopback ports, the app bound to 127.0.0.1.
# 4. Runs `node --test` with APP_URL set; screenshots land in target/browser/.
#
# Both processes are always stopped. Prints "browser: N passed, M failed" last and exits non-zero on any failure.
# Time-bounded: BROWSER_CHECK_BUDGET seconds (default 240) for everything after the installs and the build.
# CHROMIUM_PATH overrides /usr/bin/chromium. Needs: java, node, npm, curl, python3.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=lib.sh
source "$ROOT/scripts/lib.sh"
JAR="$ROOT/target/quarkus-app/quarkus-run.jar"
TESTS="$ROOT/e2e/browser"
WORK="$ROOT/target/browser-check"
BUDGET_SECONDS="${BROWSER_CHECK_BUDGET:-240}"
START_WAIT_SECONDS=40
export CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"

PASSED=0
FAILED=0
APP_PID=""
FAKE_STARTED=""
WATCHDOG_PID=""
NODE_PID=""

fail() {
    echo "browser-check: $*" >&2
    FAILED=$((FAILED + 1))
}

stop_pid() { # <pid>: TERM, wait up to 5 s, then KILL
    local pid="$1" i
    [[ -n "$pid" ]] || return 0
    kill "$pid" 2>/dev/null || return 0
    for ((i = 0; i < 25; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.2
    done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null || true
}

stop_group() { # <pid of a process group leader>: the whole group, TERM then KILL
    local pid="$1" i
    [[ -n "$pid" ]] || return 0
    kill -TERM -- "-$pid" 2>/dev/null || return 0
    for ((i = 0; i < 25; i++)); do
        kill -0 -- "-$pid" 2>/dev/null || break
        sleep 0.2
    done
    kill -KILL -- "-$pid" 2>/dev/null
    wait "$pid" 2>/dev/null || true
}

cleanup() {
    local status=$?
    trap - EXIT INT TERM
    if [[ -n "$NODE_PID" ]]; then # interrupted while the tests ran: show how far they got
        stop_group "$NODE_PID"
        cat "$WORK/node-test.log" 2>/dev/null
    fi
    stop_pid "$APP_PID"
    if [[ -n "$FAKE_STARTED" ]]; then
        FAKE_OLLAMA_PIDFILE="$WORK/fake-ollama.pid" "$ROOT/scripts/fake-ollama.sh" stop >/dev/null 2>&1 || true
    fi
    if [[ -n "$WATCHDOG_PID" ]]; then
        kill "$WATCHDOG_PID" 2>/dev/null || true
        wait "$WATCHDOG_PID" 2>/dev/null || true
    fi
    if ((status != 0 && FAILED == 0)); then
        FAILED=1
    fi
    echo "browser: $PASSED passed, $FAILED failed"
    ((FAILED == 0)) && exit 0 || exit 1
}

on_signal() {
    fail "interrupted or time budget of ${BUDGET_SECONDS}s exceeded"
    exit 1
}

trap cleanup EXIT
trap on_signal INT TERM

# --- what the check needs ---
if [[ ! -x "$CHROMIUM_PATH" ]]; then
    if [[ "$CHROMIUM_PATH" == /usr/bin/chromium ]] && command -v apt-get >/dev/null; then
        echo "browser-check: installing Debian's chromium"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq || true
        # A second try after repairing a half-done earlier install.
        apt-get install -y -qq chromium >/dev/null ||
            { apt-get -f install -y -qq >/dev/null && apt-get install -y -qq chromium >/dev/null; } ||
            { fail "could not install chromium"; exit 1; }
    fi
    [[ -x "$CHROMIUM_PATH" ]] || { fail "no Chromium at $CHROMIUM_PATH"; exit 1; }
fi
for tool in java node npm curl python3; do
    command -v "$tool" >/dev/null || { fail "$tool is required but not on PATH"; exit 1; }
done

if [[ -f "$TESTS/package-lock.json" ]]; then
    (cd "$TESTS" && npm ci --no-audit --no-fund --loglevel=error) || { fail "npm ci failed in e2e/browser"; exit 1; }
else
    (cd "$TESTS" && npm install --no-audit --no-fund --loglevel=error) || { fail "npm install failed"; exit 1; }
fi

if jar_is_stale "$JAR"; then
    echo "browser-check: packaged jar missing or older than the sources; building it (./mvnw -B -q package -DskipTests)"
    (cd "$ROOT" && ./mvnw -B -q package -DskipTests) || { fail "build of the packaged jar failed"; exit 1; }
fi

# --- time budget from here on: a watchdog sends TERM to this script; the traps then stop everything ---
(
    trap 'kill "$sleeper" 2>/dev/null; exit 0' TERM
    sleep "$BUDGET_SECONDS" &
    sleeper=$!
    wait "$sleeper" && kill -TERM $$ 2>/dev/null
) >/dev/null 2>&1 &
WATCHDOG_PID=$!

rm -rf "$WORK" "$ROOT/target/browser"
mkdir -p "$WORK" "$ROOT/target/browser"

read -r FAKE_PORT APP_PORT < <(python3 - <<'PY'
import socket
sockets = []
for _ in range(2):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    sockets.append(s)
print(" ".join(str(s.getsockname()[1]) for s in sockets))
for s in sockets:
    s.close()
PY
)
[[ -n "${APP_PORT:-}" ]] || { fail "could not pick free ports"; exit 1; }
FAKE="http://127.0.0.1:$FAKE_PORT"
APP="http://127.0.0.1:$APP_PORT"

FAKE_STARTED=1
FAKE_OLLAMA_PIDFILE="$WORK/fake-ollama.pid" FAKE_OLLAMA_WAIT="$START_WAIT_SECONDS" \
    "$ROOT/scripts/fake-ollama.sh" start "$FAKE_PORT" >/dev/null 2>"$WORK/fake-ollama-start.err" ||
    { fail "fake Ollama did not start: $(tail -n 5 "$WORK/fake-ollama-start.err" | tr '\n' ' ')"; exit 1; }
echo "browser-check: fake Ollama at $FAKE"

# The app runs from an empty directory (no developer .env) with only the settings this check needs.
(
    cd "$WORK" &&
        exec env -u MCP_SERVER_URL -u MCP_SERVERS -u MCP_SERVER_NAME -u OLLAMA_MODEL -u OLLAMA_TIMEOUT \
            -u QUARKUS_PROFILE -u QUARKUS_HTTP_PORT \
            HOST=127.0.0.1 PORT="$APP_PORT" OLLAMA_HOST="$FAKE" java -jar "$JAR"
) >"$WORK/app.log" 2>&1 </dev/null &
APP_PID=$!
started=$SECONDS
until [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$APP/q/health/ready" 2>/dev/null)" == 200 ]]; do
    if ! kill -0 "$APP_PID" 2>/dev/null; then
        fail "the app exited during startup; see target/browser-check/app.log"
        tail -n 15 "$WORK/app.log" >&2
        APP_PID=""
        exit 1
    fi
    if ((SECONDS - started >= START_WAIT_SECONDS)); then
        fail "the app was not ready on $APP within ${START_WAIT_SECONDS}s; see target/browser-check/app.log"
        exit 1
    fi
    sleep 0.3
done
echo "browser-check: app at $APP (ready in $((SECONDS - started))s)"

# --- the tests; node's own summary gives the counts ---
# In a process group of its own (setsid), so that stopping it also stops the test process and its Chromium.
(cd "$TESTS" && exec setsid env APP_URL="$APP/" SCREENSHOT_DIR="$ROOT/target/browser" \
    node --test --test-reporter=spec chat-page.test.mjs) >"$WORK/node-test.log" 2>&1 &
NODE_PID=$!
wait "$NODE_PID"
node_status=$?
NODE_PID=""
cat "$WORK/node-test.log"

PASSED="$(sed -nE 's/^(ℹ|#) pass ([0-9]+)$/\2/p' "$WORK/node-test.log" | tail -n 1)"
FAILED="$(sed -nE 's/^(ℹ|#) fail ([0-9]+)$/\2/p' "$WORK/node-test.log" | tail -n 1)"
PASSED="${PASSED:-0}"
FAILED="${FAILED:-0}"
if ((node_status != 0 && FAILED == 0)); then
    fail "node --test exited with status $node_status"
elif ((PASSED == 0 && FAILED == 0)); then
    fail "node --test ran no test"
fi
if ! kill -0 "$APP_PID" 2>/dev/null; then
    echo "browser-check: the app stopped while the tests ran (see target/browser-check/app.log)" >&2
    ((FAILED > 0)) || FAILED=1
fi
echo "browser-check: screenshots in target/browser/: $(cd "$ROOT/target/browser" && ls *.png 2>/dev/null | tr '\n' ' ')"
