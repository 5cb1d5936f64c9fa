#!/usr/bin/env bash
# Builds the service with the JDK 25 AOT cache (Maven profile `aot`), proves that the cached jar serves, and
# measures start-up with and without the cache.
#
# 1. Finds a JDK 25 (AOT_JAVA_HOME, else the first /usr/lib/jvm/*25* with bin/java), copies the tree to
#    target/aot-check/tree (without target/ and .git/, so target/quarkus-app of the normal build stays as it is)
#    and runs there: ./mvnw -B package -Paot -DskipTests. Quarkus records target/quarkus-app/app.aot at build
#    time by starting the packaged app once (quarkus.package.jar.aot.phase=build).
# 2. Starts the fake Ollama (fake_ollama in scripts/lib.sh) on a free loopback port.
# 3. Starts the jar once with -XX:AOTCache=app.aot -XX:AOTMode=on (the JVM refuses to start if it cannot use the
#    cache) and once without, from target/quarkus-app as Quarkus asks; each must answer GET /q/health/live 200
#    and POST /api/chat 200 (the calculator tool round trip against the fake Ollama).
# 4. Measures start-up: the time from process start to the first 200 of /q/health/live, polled every 10 ms,
#    AOT_RUNS times (default 5) with and without the cache, alternating, and VmRSS right after that first 200.
#    Prints each run and the medians (figures only: timing on a shared machine does not fail the check).
#
# Prints PASS/FAIL lines and finally "aot: N passed, M failed"; exits non-zero on any failure. Everything listens
# on 127.0.0.1 only and is stopped by PID. Needs: a JDK 25, java, curl, python3, rsync.
# AOT_CHECK_BUDGET: time budget in seconds (default 480, build included). AOT_REUSE=1 skips the build when
# target/aot-check/tree/target/quarkus-app/app.aot is there.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib.sh
source "$ROOT/scripts/lib.sh"
WORK="$ROOT/target/aot-check"
TREE="$WORK/tree"
APP_DIR="$TREE/target/quarkus-app"
BUDGET_SECONDS="${AOT_CHECK_BUDGET:-480}"
RUNS="${AOT_RUNS:-5}"
START_WAIT_SECONDS=30

MVN_PID=""
MEASURE_PID=""
FAKE_STARTED=""





check_cleanup() {
    stop_pid "$MVN_PID"
    stop_pid "$MEASURE_PID" # the measuring program stops the app it started when it gets TERM
    if [[ -n "$FAKE_STARTED" ]]; then
        FAKE_OLLAMA_PIDFILE="$WORK/fake-ollama.pid" fake_ollama stop >/dev/null 2>&1 || true
    fi
}

check_begin aot "$BUDGET_SECONDS" curl python3 rsync


# --- a JDK 25: the AOT cache type needs a build that targets release 25, and the same JDK build to run ---
JDK="${AOT_JAVA_HOME:-}"
if [[ -z "$JDK" ]]; then
    for candidate in /usr/lib/jvm/*25*; do
        if [[ -x "$candidate/bin/java" ]]; then
            JDK="$candidate"
            break
        fi
    done
fi
if [[ -z "$JDK" || ! -x "$JDK/bin/java" ]]; then
    fail "no JDK 25 found (set AOT_JAVA_HOME, or install one under /usr/lib/jvm)"
    exit 1
fi
JAVA="$JDK/bin/java"
JAVA_VERSION="$("$JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.version = //p')"
if [[ "$JAVA_VERSION" == 25* || "$JAVA_VERSION" == 2[6-9]* || "$JAVA_VERSION" == [3-9][0-9]* ]]; then
    info "JDK $JAVA_VERSION at $JDK"
else
    fail "$JDK is Java '$JAVA_VERSION'; the AOT cache needs 25 or newer"
    exit 1
fi

# --- time budget: a watchdog sends TERM to this script; the traps then stop everything ---
start_budget

# --- 1. build the AOT jar in a copy of the tree ---
if [[ "${AOT_REUSE:-}" == 1 && -s "$APP_DIR/app.aot" ]]; then
    info "AOT_REUSE=1: using the previous build in ${APP_DIR#"$ROOT"/}"
else
    build_copy "$TREE" "$WORK/build.log" "AOT build" env JAVA_HOME="$JDK" PATH="$JDK/bin:$PATH" \
        ./mvnw -B package -Paot -DskipTests
fi
if [[ -s "$APP_DIR/app.aot" && -f "$APP_DIR/quarkus-run.jar" ]]; then
    pass "target/quarkus-app/app.aot written ($(($(stat -c %s "$APP_DIR/app.aot") / 1048576)) MiB) beside quarkus-run.jar"
else
    fail "no target/quarkus-app/app.aot beside quarkus-run.jar in ${APP_DIR#"$ROOT"/}"
    exit 1
fi

# --- 2. fake Ollama on a free loopback port ---
read -r FAKE_PORT APP_PORT < <(free_ports 2)
[[ -n "${APP_PORT:-}" ]] || { fail "could not pick free ports"; exit 1; }
FAKE="http://127.0.0.1:$FAKE_PORT"
FAKE_STARTED=1
if FAKE_OLLAMA_PIDFILE="$WORK/fake-ollama.pid" fake_ollama start "$FAKE_PORT" \
    >/dev/null 2>"$WORK/fake-ollama-start.err"; then
    info "fake Ollama at $FAKE"
else
    fail "fake Ollama did not start on $FAKE: $(tail -n 5 "$WORK/fake-ollama-start.err" | tr '\n' ' ')"
    exit 1
fi

# --- 3 and 4. serve and measure; the Python program prints PASS/FAIL/info lines ---
MEASURE_OUT="$WORK/measure.out"
python3 - "$JAVA" "$APP_DIR" "$FAKE" "$APP_PORT" "$RUNS" "$START_WAIT_SECONDS" "$WORK" >"$MEASURE_OUT" 2>&1 <<'PY' &
import http.client, json, os, re, signal, statistics, subprocess, sys, time

java, app_dir, fake, port, runs, start_wait, work = sys.argv[1:8]
port, runs, start_wait = int(port), int(runs), float(start_wait)
CACHE = ["-XX:AOTCache=app.aot", "-XX:AOTMode=on"]
current = None

def say(kind, message):
    print(f"{kind}: {message}", flush=True)

def stop(proc):
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

def on_term(*_):
    if current is not None:
        stop(current)
    sys.exit(1)

signal.signal(signal.SIGTERM, on_term)

env = {k: v for k, v in os.environ.items() if k not in (
    "MCP_SERVER_URL", "MCP_SERVERS", "MCP_SERVER_NAME", "OLLAMA_TIMEOUT", "QUARKUS_PROFILE", "QUARKUS_HTTP_PORT",
    "JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS")}
env.update(OLLAMA_HOST=fake, OLLAMA_MODEL="tiny-test-model", PORT=str(port), HOST="127.0.0.1",
           TELEMETRY_ENABLED="false")

def request(method, path, body=None, timeout=10):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = {"Content-Type": "application/json"} if body is not None else {}
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()

def rss_mib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")

def start(mode, label):
    """Starts the jar; returns (process, ms to first live 200, RSS MiB) or (process, None, None)."""
    global current
    log = open(os.path.join(work, f"app-{label}.log"), "w")
    args = [java] + (CACHE if mode == "cache" else []) + ["-jar", "quarkus-run.jar"]
    t0 = time.monotonic()
    current = subprocess.Popen(args, cwd=app_dir, env=env, stdout=log, stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL)
    while time.monotonic() - t0 < start_wait:
        if current.poll() is not None:
            return current, None, None
        try:
            status, _ = request("GET", "/q/health/live", timeout=1)
            if status == 200:
                elapsed = (time.monotonic() - t0) * 1000
                return current, elapsed, rss_mib(current.pid)
        except OSError:
            pass
        time.sleep(0.01)
    return current, None, None

def quarkus_started(label):
    text = open(os.path.join(work, f"app-{label}.log"), errors="replace").read()
    m = re.search(r"started in ([0-9.]+)s", text)
    return float(m.group(1)) * 1000 if m else None

def log_tail(label):
    lines = open(os.path.join(work, f"app-{label}.log"), errors="replace").read().splitlines()
    return " | ".join(lines[-6:])

names = {"cache": "with the AOT cache", "plain": "without the cache"}

# Serving checks (also warm the file cache for the timed runs).
for mode in ("cache", "plain"):
    label = f"{mode}-serve"
    proc, ms, rss = start(mode, label)
    if ms is None:
        say("FAIL", f"{names[mode]}: not live within {start_wait:.0f}s (exit {proc.poll()}): {log_tail(label)}")
        stop(proc)
        continue
    say("PASS", f"{names[mode]}: GET /q/health/live answered 200 after {ms:.0f} ms")
    try:
        status, body = request("POST", "/api/chat", json.dumps({"message": "Calculate 5 + 3"}).encode(), 30)
        reply = json.loads(body) if status == 200 else {}
        tools = [t.get("name") for t in reply.get("toolCalls") or []]
        ok = status == 200 and "8" in (reply.get("reply") or "") and "add" in tools
        say("PASS" if ok else "FAIL", f"{names[mode]}: POST /api/chat answered {status}, reply "
            f"{reply.get('reply')!r}, tools {tools}" + ("" if ok else f": {body[:300]!r}"))
    except Exception as e:
        say("FAIL", f"{names[mode]}: POST /api/chat failed: {e}")
    stop(proc)
    if mode == "cache":
        refused = re.search(r"(?i)unable to (use|map).*aot|aot cache.*(disabled|mismatch)",
                            open(os.path.join(work, f"app-{label}.log"), errors="replace").read())
        say("FAIL" if refused else "PASS", "the JVM used app.aot (-XX:AOTMode=on" + (
            f"; log says: {refused.group(0)})" if refused else ", no AOT warning in the log)"))
    current = None

# Timed runs, alternating so that drift on the machine hits both alike.
results = {"cache": [], "plain": []}
for i in range(1, runs + 1):
    for mode in ("plain", "cache"):
        label = f"{mode}-{i}"
        proc, ms, rss = start(mode, label)
        stop(proc)
        current = None
        if ms is None:
            say("FAIL", f"run {i} {names[mode]}: not live within {start_wait:.0f}s: {log_tail(label)}")
            continue
        results[mode].append((ms, rss))
        q = quarkus_started(label)
        say("info", f"run {i} {names[mode]:>20}: first 200 after {ms:6.0f} ms, VmRSS {rss:5.0f} MiB"
            + (f" (Quarkus says started in {q:.0f} ms)" if q else ""))

medians = {}
for mode in ("plain", "cache"):
    if len(results[mode]) == runs:
        ms = statistics.median(r[0] for r in results[mode])
        rss = statistics.median(r[1] for r in results[mode])
        medians[mode] = (ms, rss)
        say("PASS", f"{names[mode]}: median of {runs} start-ups {ms:.0f} ms to the first 200, "
            f"median VmRSS {rss:.0f} MiB")
    else:
        say("FAIL", f"{names[mode]}: only {len(results[mode])} of {runs} runs got live")
if len(medians) == 2:
    (plain_ms, plain_rss), (cache_ms, cache_rss) = medians["plain"], medians["cache"]
    # a figure, not a pass/fail: start-up times on a shared 2-core machine are too noisy to gate CI on
    say("info",
        f"start-up with the AOT cache vs without: {cache_ms:.0f} ms vs {plain_ms:.0f} ms "
        f"({(1 - cache_ms / plain_ms) * 100:.0f}% less); VmRSS {cache_rss:.0f} MiB vs {plain_rss:.0f} MiB")
PY
MEASURE_PID=$!
wait "$MEASURE_PID"
measure_status=$?
MEASURE_PID=""
while IFS= read -r line; do
    case "$line" in
        PASS:\ *) pass "${line#PASS: }" ;;
        FAIL:\ *) fail "${line#FAIL: }" ;;
        info:\ *) info "${line#info: }" ;;
        ?*) info "$line" ;;
    esac
done <"$MEASURE_OUT"
((measure_status == 0)) || fail "the start-up measurement program failed (exit $measure_status)"

exit 0
