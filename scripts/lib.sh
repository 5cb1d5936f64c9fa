# Shared by the check scripts: counted PASS/FAIL lines, the frame of a check (traps, time budget, summary),
# stopping a process by PID, free ports, a stale-jar test and the fake Ollama as a process.
PASSED=0
FAILED=0
WATCHDOG_PID=""

pass() {
    PASSED=$((PASSED + 1))
    echo "PASS: $*"
}

fail() {
    FAILED=$((FAILED + 1))
    echo "FAIL: $*"
}

info() {
    echo "  .. $*"
}

stop_pid() { # <pid> [seconds, default 10]: TERM, wait, then KILL
    local pid="$1" rounds=$(( ${2:-10} * 5 )) i
    [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 0
    kill "$pid" 2>/dev/null || true
    for ((i = 0; i < rounds; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.2
    done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null || true
}

jar_is_stale() { # <jar>: true when the packaged jar is missing or older than pom.xml or anything under src/main
    local jar="$1" root
    root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
    [[ -f "$jar" ]] || return 0
    [[ -n "$(find "$root/pom.xml" "$root/src/main" -newer "$jar" -print -quit 2>/dev/null)" ]]
}

# The fake Ollama of the tests as a process of its own: WireMock standalone serving src/test/resources/ollama
# (mappings/ and __files/, the fixture folder that FakeOllama.withDefaultAnswers() serves in the Maven build).
#   fake_ollama start <port>   start on 127.0.0.1:<port>, wait until it answers, print its base URL
#   fake_ollama stop           stop the process whose PID is in the PID file
# FAKE_OLLAMA_PIDFILE (default target/fake-ollama.pid), FAKE_OLLAMA_WAIT seconds (default 30); the log is the PID
# file with .log for .pid. The WireMock jar is fetched into target/tools once.
FAKE_OLLAMA_WIREMOCK_VERSION=3.13.2
fake_ollama() {
    local root pidfile log jar pid base deadline
    root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
    pidfile="${FAKE_OLLAMA_PIDFILE:-$root/target/fake-ollama.pid}"
    log="${pidfile%.pid}.log"
    jar="$root/target/tools/wiremock-standalone-$FAKE_OLLAMA_WIREMOCK_VERSION.jar"
    case "${1:-}" in
        stop)
            pid="$(cat "$pidfile" 2>/dev/null || true)"
            [[ "$pid" =~ ^[0-9]+$ ]] && stop_pid "$pid" 10
            rm -f "$pidfile"
            return 0
            ;;
        start)
            [[ "${2:-}" =~ ^[0-9]+$ ]] || { echo "fake_ollama: start needs a port" >&2; return 2; }
            ;;
        *)
            echo "usage: fake_ollama start <port> | stop" >&2
            return 2
            ;;
    esac
    base="http://127.0.0.1:$2"
    if [[ ! -s "$jar" ]]; then
        (cd "$root" && ./mvnw -B -q dependency:copy -DoutputDirectory="$root/target/tools" \
            -Dartifact="org.wiremock:wiremock-standalone:$FAKE_OLLAMA_WIREMOCK_VERSION") >&2 ||
            { echo "fake_ollama: could not fetch the WireMock jar" >&2; return 1; }
    fi
    mkdir -p "$(dirname "$pidfile")"
    nohup java -jar "$jar" --port "$2" --bind-address 127.0.0.1 --root-dir "$root/src/test/resources/ollama" \
        --disable-banner >"$log" 2>&1 </dev/null &
    pid=$!
    echo "$pid" >"$pidfile"
    deadline=$((SECONDS + ${FAKE_OLLAMA_WAIT:-30}))
    while ((SECONDS < deadline)) && kill -0 "$pid" 2>/dev/null; do
        if [[ "$(curl -s --max-time 2 "$base/" 2>/dev/null)" == "Ollama is running" ]]; then
            echo "$base"
            return 0
        fi
        sleep 0.3
    done
    echo "fake_ollama: not answering on $base; last log lines:" >&2
    tail -n 20 "$log" >&2
    fake_ollama stop
    return 1
}

# check_begin <name> <budget seconds> <tool...>: the frame of a check script. On exit it calls the script's own
# check_cleanup (when defined), stops the time budget's watchdog, counts an unexpected exit as a failure, prints
# "<name>: N passed, M failed" and exits non-zero on any failure. INT and TERM (the watchdog sends TERM) are a
# failure. Each tool must be on the PATH.
check_begin() {
    CHECK_NAME="$1"
    CHECK_BUDGET="$2"
    shift 2
    trap check_end EXIT
    trap 'fail "interrupted or time budget of ${CHECK_BUDGET}s exceeded"; exit 1' INT TERM
    local tool
    for tool in "$@"; do
        command -v "$tool" >/dev/null || { fail "$tool is required but not on PATH"; exit 1; }
    done
}

# start_budget [seconds]: from here on, the script has that long (default CHECK_BUDGET); then a watchdog sends it
# TERM. stop_budget ends the watchdog.
start_budget() {
    local seconds="${1:-$CHECK_BUDGET}"
    (
        trap 'kill "$sleeper" 2>/dev/null; exit 0' TERM
        sleep "$seconds" &
        sleeper=$!
        wait "$sleeper" && kill -TERM $$ 2>/dev/null
    ) >/dev/null 2>&1 &
    WATCHDOG_PID=$!
}

stop_budget() {
    if [[ -n "$WATCHDOG_PID" ]]; then
        kill "$WATCHDOG_PID" 2>/dev/null || true
        wait "$WATCHDOG_PID" 2>/dev/null || true
    fi
    WATCHDOG_PID=""
}

check_end() {
    local status=$?
    trap - EXIT INT TERM
    declare -F check_cleanup >/dev/null && check_cleanup
    stop_budget
    ((status != 0 && FAILED == 0)) && fail "aborted (exit status $status)"
    echo "$CHECK_NAME: $PASSED passed, $FAILED failed"
    ((FAILED == 0)) && exit 0 || exit 1
}

free_ports() { # <count>: that many distinct free loopback ports, on one line
    python3 - "$1" <<'PY'
import socket, sys
sockets = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in sockets:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in sockets))
PY
}

# build_copy <tree> <log> <what> <command...>: copies the working tree (without target/, .git/, node_modules/ and
# .env) to <tree>, so that the normal build's target/ stays as it is, and runs the command there in the background
# as MVN_PID (check_cleanup stops it); PASS with the time it took, or FAIL with the build's errors and exit.
build_copy() {
    local tree="$1" log="$2" what="$3" root started=$SECONDS status
    shift 3
    root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
    mkdir -p "$tree"
    rsync -a --delete --exclude /target --exclude /.git --exclude node_modules --exclude .env "$root/" "$tree/" ||
        { fail "could not copy the tree to $tree"; exit 1; }
    info "building in ${tree#"$root"/}: $*"
    (cd "$tree" && exec "$@") >"$log" 2>&1 &
    MVN_PID=$!
    wait "$MVN_PID"
    status=$?
    MVN_PID=""
    if ((status == 0)); then
        pass "$what succeeded in $((SECONDS - started))s (log: ${log#"$root"/})"
    else
        fail "$what failed (exit $status); see ${log#"$root"/}:"
        grep -E '^\[(ERROR|WARNING)\]' "$log" | tail -n 15 | sed 's/^/      /'
        exit 1
    fi
}

# bench_builds <work dir> <seconds>: what a benchmark runs, built first (not counted in its time budget): the Go load
# generator into <work dir>/loadgen, and the packaged jar when it is missing or older than the sources (at most
# <seconds>). Says what failed on stderr and returns non-zero.
bench_builds() {
    local work="$1" seconds="$2" root
    root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
    (cd "$root/bench/loadgen" && GOTOOLCHAIN=local go build -o "$work/loadgen" .) ||
        { echo "go build of bench/loadgen failed" >&2; return 1; }
    if jar_is_stale "$root/target/quarkus-app/quarkus-run.jar"; then
        echo "the packaged jar is missing or older than the sources; building it (at most ${seconds}s)" >&2
        (cd "$root" && timeout "$seconds" ./mvnw -B -q package -DskipTests) ||
            { echo "build of the packaged jar failed" >&2; return 1; }
    fi
}

# bench_begin <name> <budget seconds> <pid variable...>: the frame of a benchmark script. On exit it stops the
# processes whose PIDs those variables hold (in that order), ends the time budget's watchdog and says where the logs
# are (WORK); INT and TERM stop it with a line that says so. The load generator needs go, the service java.
bench_begin() {
    BENCH_NAME="$1"
    BENCH_BUDGET="$2"
    shift 2
    BENCH_PID_VARS=("$@")
    trap bench_end EXIT
    trap 'echo "$BENCH_NAME: interrupted or over the time budget of ${BENCH_BUDGET}s; stopping"; exit 1' INT TERM
    command -v go >/dev/null || { echo "$BENCH_NAME: cannot run: go is not on the PATH (the load generator is Go)"; exit 1; }
    command -v java >/dev/null || { echo "$BENCH_NAME: cannot run: java is not on the PATH"; exit 1; }
}

bench_end() {
    local status=$? var
    trap - EXIT INT TERM
    for var in "${BENCH_PID_VARS[@]}"; do
        stop_pid "${!var:-}"
    done
    stop_budget
    [[ -n "${WORK:-}" ]] && echo "$BENCH_NAME: logs: $WORK"
    exit "$status"
}

# bench_machine: what a benchmark ran on, and how busy the machine was in the second before it (the machine may be
# shared), as lines for its report.
bench_machine() {
    local b0 busy_ticks='/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9}'
    echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)," \
        "$(uname -sr), $(java -version 2>&1 | head -n 1), open-file limit $(ulimit -Sn)"
    b0="$(awk "$busy_ticks" /proc/stat)"
    sleep 1
    echo "machine busy before the run: $(awk -v d="$(($(awk "$busy_ticks" /proc/stat) - b0))" \
        'BEGIN {printf "%.2f", d / 100}') cores (load average $(cut -d' ' -f1-3 /proc/loadavg))"
}
