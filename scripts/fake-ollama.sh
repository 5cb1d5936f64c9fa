#!/usr/bin/env bash
# Starts or stops the fake Ollama (WireMock standalone serving fake-ollama/) as a background process.
#
#   scripts/fake-ollama.sh start <port>   start on 127.0.0.1:<port>, wait until it answers, print its base URL
#   scripts/fake-ollama.sh stop           stop the process whose PID is in the PID file
#
# Environment (all optional):
#   FAKE_OLLAMA_PIDFILE   PID file (default: target/fake-ollama.pid)
#   FAKE_OLLAMA_LOG       log file (default: next to the PID file, .log instead of .pid)
#   FAKE_OLLAMA_WAIT      seconds to wait for readiness (default: 30)
#   JAVA                  java executable (default: java)
set -euo pipefail

WIREMOCK_VERSION=3.13.2
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS_DIR="$ROOT/target/tools"
JAR="$TOOLS_DIR/wiremock-standalone-$WIREMOCK_VERSION.jar"
PIDFILE="${FAKE_OLLAMA_PIDFILE:-$ROOT/target/fake-ollama.pid}"
LOGFILE="${FAKE_OLLAMA_LOG:-${PIDFILE%.pid}.log}"
WAIT_SECONDS="${FAKE_OLLAMA_WAIT:-30}"
JAVA="${JAVA:-java}"

die() {
    echo "fake-ollama: $*" >&2
    exit 1
}

usage() {
    echo "usage: $0 start <port> | stop" >&2
    exit 2
}

running_pid() {
    # Prints the PID from the PID file when that process is still alive.
    [[ -f "$PIDFILE" ]] || return 1
    local pid
    pid="$(cat "$PIDFILE" 2>/dev/null || true)"
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    echo "$pid"
}

ensure_jar() {
    [[ -s "$JAR" ]] && return 0
    echo "fake-ollama: fetching org.wiremock:wiremock-standalone:$WIREMOCK_VERSION into target/tools" >&2
    (cd "$ROOT" && ./mvnw -B -q dependency:copy \
        -Dartifact="org.wiremock:wiremock-standalone:$WIREMOCK_VERSION" \
        -DoutputDirectory="$TOOLS_DIR") >&2 || die "could not fetch the WireMock jar"
    [[ -s "$JAR" ]] || die "WireMock jar not found at $JAR after download"
}

start() {
    local port="$1"
    [[ "$port" =~ ^[0-9]+$ ]] && ((10#$port > 0 && 10#$port < 65536)) || die "invalid port: $port"
    command -v curl >/dev/null || die "curl is required"
    if pid="$(running_pid)"; then
        die "already running (PID $pid, PID file $PIDFILE); run '$0 stop' first"
    fi
    local base="http://127.0.0.1:$port"
    if curl -s -o /dev/null --max-time 2 "$base/"; then
        die "something already answers on $base"
    fi
    ensure_jar
    mkdir -p "$(dirname "$PIDFILE")" "$(dirname "$LOGFILE")"

    nohup "$JAVA" -jar "$JAR" \
        --port "$port" \
        --bind-address 127.0.0.1 \
        --root-dir "$ROOT/fake-ollama" \
        --disable-banner \
        >"$LOGFILE" 2>&1 </dev/null &
    local pid=$!
    echo "$pid" >"$PIDFILE"

    local deadline=$((SECONDS + WAIT_SECONDS))
    while ((SECONDS < deadline)); do
        if ! kill -0 "$pid" 2>/dev/null; then
            rm -f "$PIDFILE"
            echo "fake-ollama: process $pid exited during startup; last log lines:" >&2
            tail -n 20 "$LOGFILE" >&2 || true
            exit 1
        fi
        if [[ "$(curl -s --max-time 2 "$base/" 2>/dev/null || true)" == "Ollama is running" ]]; then
            echo "fake-ollama: running at $base (PID $pid, log $LOGFILE)" >&2
            echo "$base"
            return 0
        fi
        sleep 0.3
    done
    echo "fake-ollama: not ready after ${WAIT_SECONDS}s; stopping it. Last log lines:" >&2
    tail -n 20 "$LOGFILE" >&2 || true
    stop
    exit 1
}

stop() {
    local pid
    if ! pid="$(running_pid)"; then
        rm -f "$PIDFILE"
        echo "fake-ollama: not running" >&2
        return 0
    fi
    kill "$pid" 2>/dev/null || true
    local i
    for ((i = 0; i < 50; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
        kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$PIDFILE"
    echo "fake-ollama: stopped (PID $pid)" >&2
}

case "${1:-}" in
    start)
        [[ $# -eq 2 ]] || usage
        start "$2"
        ;;
    stop)
        [[ $# -eq 1 ]] || usage
        stop
        ;;
    *)
        usage
        ;;
esac
