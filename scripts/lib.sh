# Shared by the check scripts: counted PASS/FAIL lines and stopping a process by PID.
# The sourcing script sets PASSED=0 FAILED=0 and prints its own "<name>: N passed, M failed" summary.

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
