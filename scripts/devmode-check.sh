#!/usr/bin/env bash
# Proves that dev mode reloads a changed Java source and a changed static file without a restart of the process.
#
# 1. Copies the tree into a temporary directory (without target/, .git/, node_modules/ and .env).
# 2. Starts `./mvnw -B quarkus:dev -Dquarkus.profile=fake-ollama` in the copy, as the README tells a user without an
#    Ollama to do, with PORT=<free port>, HOST=127.0.0.1 and the fake's dev service on another free port, and waits
#    until /q/health/live answers 200.
# 3. Chats once (POST /api/chat) and reads from the fake Ollama's request journal (WireMock /__admin/requests)
#    the system prompt that the service sent: it is SystemPrompts.BUILT_IN. Fetches / (index.html).
# 4. Edits SystemPrompts.BUILT_IN and index.html in the copy, each with a fresh marker, chats again and
#    fetches / again: the new system prompt must reach the fake Ollama and the page must carry the marker, while
#    the Maven process and the dev-mode JVM keep their PIDs.
# 5. Stops the dev-mode JVM and Maven by PID (the fake Ollama goes with dev mode), and removes the copy.
#
# Prints PASS/FAIL lines and finally "devmode: N passed, M failed"; exits non-zero on any failure.
# Loopback only. Needs: java, curl, python3, rsync. DEVMODE_CHECK_BUDGET: time budget in seconds (default 230);
# DEVMODE_START_WAIT: seconds to wait for dev mode to be live (default 150); DEVMODE_KEEP=1 keeps the copy.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib.sh
source "$ROOT/scripts/lib.sh"
WORK="$ROOT/target/devmode-check"
BUDGET_SECONDS="${DEVMODE_CHECK_BUDGET:-230}"
START_WAIT_SECONDS="${DEVMODE_START_WAIT:-150}"
RELOAD_MAX_TIME=90 # the first request after a change recompiles and restarts the application
CURL_MAX_TIME=20
PROMPT_FILE=src/main/java/dev/ollamachat/chat/SystemPrompts.java
PROMPT_ANCHOR="You are a helpful assistant running on a local model."
PAGE_FILE=src/main/resources/META-INF/resources/index.html

MVN_PID=""
DEV_PID=""
TREE=""





dev_jvm_pid() { # the JVM that Maven forked for dev mode (a child of the Maven process)
    local child
    for child in $(ps -o pid= --ppid "$MVN_PID" 2>/dev/null); do
        if tr '\0' ' ' <"/proc/$child/cmdline" 2>/dev/null | grep -q -- '-dev\.jar\|quarkus'; then
            echo "$child"
            return 0
        fi
    done
    return 1
}

check_cleanup() {
    # the dev-mode JVM first (Maven would wait for it), then Maven
    [[ -z "$DEV_PID" && -n "$MVN_PID" ]] && DEV_PID="$(dev_jvm_pid || true)"
    stop_pid "$DEV_PID" 15
    stop_pid "$MVN_PID" 15
    if [[ -n "$TREE" && -d "$TREE" ]]; then
        if [[ "${DEVMODE_KEEP:-}" == 1 ]]; then
            info "kept the copy at $TREE"
        else
            rm -rf "$TREE"
        fi
    fi
}

check_begin devmode "$BUDGET_SECONDS" java curl python3 rsync


# --- time budget: a watchdog sends TERM to this script; the traps then stop everything ---
start_budget

rm -rf "$WORK"
mkdir -p "$WORK"

# --- 1. the copy ---
TREE="$(mktemp -d "${TMPDIR:-/tmp}/ollama-chat-devmode.XXXXXX")" || { fail "mktemp failed"; exit 1; }
rsync -a --exclude /target --exclude /.git --exclude node_modules --exclude .env "$ROOT/" "$TREE/" ||
    { fail "could not copy the tree to $TREE"; exit 1; }
grep -q -F "$PROMPT_ANCHOR" "$TREE/$PROMPT_FILE" || { fail "$PROMPT_FILE does not contain '$PROMPT_ANCHOR'"; exit 1; }
[[ -f "$TREE/$PAGE_FILE" ]] || { fail "no $PAGE_FILE"; exit 1; }
info "tree copied to $TREE"

read -r APP_PORT < <(free_ports 1)
[[ -n "${APP_PORT:-}" ]] || { fail "could not pick free ports"; exit 1; }
APP="http://127.0.0.1:$APP_PORT"
# --- 2. dev mode ---
DEV_LOG="$WORK/devmode.log"
(
    cd "$TREE" &&
        exec env -u MCP_SERVER_URL -u MCP_SERVERS -u MCP_SERVER_NAME -u OLLAMA_TIMEOUT -u QUARKUS_PROFILE \
            -u QUARKUS_HTTP_PORT -u JAVA_TOOL_OPTIONS \
            -u OLLAMA_HOST -u OLLAMA_HOSTS \
            OLLAMA_MODEL=tiny-test-model PORT="$APP_PORT" HOST=127.0.0.1 TELEMETRY_ENABLED=false \
            ./mvnw -B quarkus:dev -Dquarkus.profile=fake-ollama \
            -Dquarkus.console.enabled=false -Ddebug=false -Dquarkus.analytics.disabled=true
) >"$DEV_LOG" 2>&1 </dev/null &
MVN_PID=$!
started=$SECONDS
live=""
while ((SECONDS - started < START_WAIT_SECONDS)); do
    if ! kill -0 "$MVN_PID" 2>/dev/null; then
        fail "quarkus:dev exited during start-up; last lines of ${DEV_LOG#"$ROOT"/}:"
        tail -n 15 "$DEV_LOG" | sed 's/^/      /'
        exit 1
    fi
    if [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$APP/q/health/live" 2>/dev/null)" == 200 ]]; then
        live=1
        break
    fi
    sleep 0.5
done
if [[ -z "$live" ]]; then
    fail "dev mode not live on $APP/q/health/live within ${START_WAIT_SECONDS}s; see ${DEV_LOG#"$ROOT"/}"
    tail -n 15 "$DEV_LOG" | sed 's/^/      /'
    exit 1
fi
# the fake Ollama is the dev service's WireMock, on a port it picks itself: a live reload restarts it, and on a fixed
# port the new one could find the old one still bound; the service names its Ollama in /api/models
fake_url() {
    curl -s --max-time "$CURL_MAX_TIME" "$APP/api/models" | python3 -c 'import json, sys
print(json.load(sys.stdin)["hosts"][0]["url"])' 2>/dev/null
}
FAKE="$(fake_url)"
[[ "$FAKE" == http://* ]] || { fail "GET /api/models names no Ollama host"; exit 1; }
info "fake Ollama (dev service) at $FAKE"
DEV_PID="$(dev_jvm_pid || true)"
if [[ -n "$DEV_PID" ]]; then
    pass "dev mode live on $APP after $((SECONDS - started))s (Maven PID $MVN_PID, dev-mode JVM PID $DEV_PID)"
else
    fail "dev mode is live but no dev-mode JVM was found under Maven PID $MVN_PID"
fi

# chat <name>: resets the journal, chats once, checks the status; leaves the system prompt that the fake Ollama
# got in $WORK/prompt-<name>.txt (empty if none).
chat() {
    local name="$1" status
    curl -s -o /dev/null --max-time "$CURL_MAX_TIME" -X DELETE "$FAKE/__admin/requests"
    status="$(curl -s -o "$WORK/chat-$name.json" -w '%{http_code}' --max-time "$RELOAD_MAX_TIME" \
        -H 'Content-Type: application/json' -X POST "$APP/api/chat" --data '{"message":"Hello"}' || echo 000)"
    if [[ "$status" == 200 ]]; then
        pass "$name: POST /api/chat answered 200"
    else
        fail "$name: POST /api/chat answered $status: $(head -c 300 "$WORK/chat-$name.json" 2>/dev/null)"
    fi
    # a live reload also restarts the dev service, on a new port: ask the service where its Ollama is now
    FAKE="$(fake_url)"
    curl -s -o "$WORK/journal-$name.json" --max-time "$CURL_MAX_TIME" -X POST "$FAKE/__admin/requests/find" \
        -H 'Content-Type: application/json' --data '{"method":"POST","url":"/api/chat"}'
    python3 - "$WORK/journal-$name.json" >"$WORK/prompt-$name.txt" <<'PY'
import base64, json, sys
try:
    requests = json.load(open(sys.argv[1], encoding="utf-8")).get("requests", [])
except Exception:
    requests = []
for request in requests:
    body = request.get("body")
    if not body and request.get("bodyAsBase64"):
        body = base64.b64decode(request["bodyAsBase64"]).decode("utf-8")
    try:
        messages = json.loads(body).get("messages", [])
    except Exception:
        continue
    system = [m.get("content", "") for m in messages if m.get("role") == "system"]
    if system:
        print(" ".join(system[0].split()))
        break
PY
}

page() { # <name>: GET / into $WORK/page-<name>.html, prints the HTTP status
    curl -s -o "$WORK/page-$1.html" -w '%{http_code}' --max-time "$RELOAD_MAX_TIME" "$APP/" || echo 000
}

# --- 3. before the change ---
chat before
prompt_before="$(cat "$WORK/prompt-before.txt")"
if [[ "$prompt_before" == *"$PROMPT_ANCHOR"* ]]; then
    pass "before: the fake Ollama got the system prompt of the source: '${prompt_before:0:70}...'"
else
    fail "before: the system prompt the fake Ollama got is '${prompt_before:0:200}', expected it to contain '$PROMPT_ANCHOR'"
fi
page_status="$(page before)"
if [[ "$page_status" == 200 ]] && grep -q -i '<html' "$WORK/page-before.html"; then
    pass "before: GET / served index.html"
else
    fail "before: GET / answered $page_status"
fi

# --- 4. edit the copy, then ask again ---
MARKER="live-reload-$(date +%s)-$RANDOM"
sleep 1 # a new modification time, whatever the file system's granularity
python3 - "$TREE/$PROMPT_FILE" "$PROMPT_ANCHOR" "$MARKER" "$TREE/$PAGE_FILE" <<'PY' || { fail "could not edit the copy"; exit 1; }
import sys
source, anchor, marker, page = sys.argv[1:5]
text = open(source, encoding="utf-8").read()
assert text.count(anchor) == 1, "anchor not found once"
open(source, "w", encoding="utf-8").write(text.replace(anchor, anchor[:-1] + f" ({marker})."))
html = open(page, encoding="utf-8").read()
assert "</body>" in html, "no </body>"
open(page, "w", encoding="utf-8").write(html.replace("</body>", f"<!-- {marker} -->\n</body>", 1))
PY
info "edited SystemPrompts.BUILT_IN and index.html in the copy (marker $MARKER)"
reload_started=$SECONDS
# Dev mode looks for changes when a request comes; a change made just after its last look may only be picked up by
# the next request, so ask a few times (bounded) before calling the reload missing.
for attempt in 1 2 3 4 5; do
    chat after
    prompt_after="$(cat "$WORK/prompt-after.txt")"
    [[ "$prompt_after" == *"$MARKER"* ]] && break
    info "chat $attempt after the edit still had the old system prompt; asking again"
    sleep 2
done
reload_seconds=$((SECONDS - reload_started))
if [[ "$prompt_after" == *"$MARKER"* ]]; then
    pass "after: the fake Ollama got the edited system prompt (chat $attempt after the edit, ${reload_seconds}s, reload included)"
else
    fail "after: the system prompt is '${prompt_after:0:200}', without the marker $MARKER"
fi
page_status="$(page after)"
if [[ "$page_status" == 200 ]] && grep -q -F "$MARKER" "$WORK/page-after.html"; then
    pass "after: GET / serves the edited index.html"
else
    fail "after: GET / answered $page_status without the marker $MARKER"
fi

tools_status="$(curl -s -o "$WORK/tools-after.json" -w '%{http_code}' --max-time "$CURL_MAX_TIME" "$APP/api/tools" || echo 000)"
if [[ "$tools_status" == 200 ]] && python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["servers"]; sys.exit(0 if s and all(x["available"] for x in s) else 1)' "$WORK/tools-after.json"; then
    pass "after: the reloaded service reaches its own MCP server (GET /api/tools: every server available)"
else
    fail "after: GET /api/tools answered $tools_status: $(head -c 300 "$WORK/tools-after.json")"
fi

# --- the same processes served both ---
dev_pid_after="$(dev_jvm_pid || true)"
if kill -0 "$MVN_PID" 2>/dev/null && [[ -n "$DEV_PID" && "$dev_pid_after" == "$DEV_PID" ]]; then
    pass "no restart of the process: Maven PID $MVN_PID and dev-mode JVM PID $DEV_PID served before and after"
else
    fail "the processes changed: dev-mode JVM PID '$DEV_PID' before, '$dev_pid_after' after (Maven PID $MVN_PID)"
fi
restart_line="$(grep -m1 -E 'Restarting quarkus due to changes in .*SystemPrompts[$A-Za-z]*\.class' "$DEV_LOG" || true)"
reload_time="$(grep -o -m1 'Live reload total time: [0-9.]*s' "$DEV_LOG" || true)"
if [[ -n "$restart_line" ]]; then
    pass "the dev-mode log shows the hot reload of SystemPrompts.class in the same JVM (${reload_time:-no total time logged})"
else
    fail "the dev-mode log has no 'Restarting quarkus due to changes in SystemPrompts.class'; see ${DEV_LOG#"$ROOT"/}"
fi

# --- 5. stop by PID and make sure the port is free again ---
stop_pid "$DEV_PID" 15
stop_pid "$MVN_PID" 15
if [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$APP/q/health/live" 2>/dev/null)" == 000 ]] &&
    ! kill -0 "$MVN_PID" 2>/dev/null && ! { [[ -n "$DEV_PID" ]] && kill -0 "$DEV_PID" 2>/dev/null; }; then
    pass "dev mode stopped (PIDs $DEV_PID and $MVN_PID gone, $APP no longer answers)"
else
    fail "dev mode did not stop cleanly"
fi
DEV_PID=""
MVN_PID=""

exit 0
