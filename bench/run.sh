#!/usr/bin/env bash
# Relay benchmark (not a test): the same chats relayed by several systems, one after the other, to the same fast
# fake Ollama, repeated; writes bench/results.md (medians of the repetitions). See bench/README.md.
#
#   bench/run.sh                 the full run: every system, 3 repetitions (about 15 minutes here)
#   bench/run.sh --smoke         under 2 minutes: tiny sizes, direct + service off/on, one repetition, no gateways
#   bench/run.sh --reps 5 --systems "direct off on" --out /tmp/r.md
#   bench/run.sh --warm 40s      a longer warm-up before the phases (default 6 s): the JVM's steady state
#
# Systems: direct (the fake itself, the baseline), off (ollama-chat, telemetry off), on (telemetry on, exporting to
# the counting OTLP receiver), down (telemetry on, receiver not listening), on-flags (telemetry on with the README's
# JVM flags), litellm (LiteLLM proxy from PyPI), portkey (@portkey-ai/gateway from npm). The gateways are installed
# once, at pinned versions, under ${XDG_CACHE_HOME:-$HOME/.cache}/ollama-chat/.
#
# Exits 0 when it ran, whether or not the service beats anything; 1 when the harness broke (a build, the fake, the
# service not starting, the load generator failing, no results).
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JAR="$ROOT/target/quarkus-app/quarkus-run.jar"
MODEL="bench-model"
LITELLM_VERSION="${LITELLM_VERSION:-1.80.17}"
PORTKEY_VERSION="${PORTKEY_VERSION:-1.15.2}"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/ollama-chat"
# The README's run command for a bounded footprint (the on-flags system).
DOCUMENTED_JVM_OPTS="-Xmx192m -XX:+UseSerialGC"

SMOKE=0
REPS=""
SYSTEMS=""
OUT=""
WARM=""
while (($#)); do
    case "$1" in
        --smoke) SMOKE=1 ;;
        --reps) REPS="$2"; shift ;;
        --systems) SYSTEMS="$2"; shift ;;
        --out) OUT="$2"; shift ;;
        --warm) WARM="$2"; shift ;;
        -h | --help) sed -n '2,16p' "$0"; exit 0 ;;
        *) echo "run.sh: unknown option $1 (see --help)"; exit 1 ;;
    esac
    shift
done
if ((SMOKE)); then
    REPS="${REPS:-1}"
    SYSTEMS="${SYSTEMS:-direct off on}"
    OUT="${OUT:-${TMPDIR:-/tmp}/ollama-chat-bench-smoke.md}"
    BENCH_BUDGET_S="${BENCH_BUDGET_S:-115}"
    # tiny sizes: every phase runs, briefly
    RELAY_SIZES=(-warm 2s -ns-warm 1s -ns-measure 1s -ns-max 500 -conc 16 -conc-warm 300ms -conc-measure 1s -st-warm 5
        -st-n 20 -st-measure 1s -mid-streams 20 -mid-tokens 20 -mid-interval 20ms -mid-rounds 1
        -big-streams 100 -big-tokens 20 -big-interval 50ms -big-timeout 20s)
else
    REPS="${REPS:-3}"
    SYSTEMS="${SYSTEMS:-direct off on down on-flags litellm portkey}"
    OUT="${OUT:-$ROOT/bench/results.md}"
    BENCH_BUDGET_S="${BENCH_BUDGET_S:-1140}"
    RELAY_SIZES=()
fi
[[ "$REPS" =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --reps must be a whole number >= 1"; exit 1; }
if [[ -n "$WARM" ]]; then
    [[ "$WARM" =~ ^[1-9][0-9]*s$ ]] || { echo "run.sh: --warm takes whole seconds, such as 40s"; exit 1; }
    RELAY_SIZES+=(-warm "$WARM") # after the sizes' own: the last -warm counts
    BENCH_BUDGET_S=$((BENCH_BUDGET_S + ${WARM%s} * 12))
fi

FAKE_PID=""
OTLP_PID=""
SYS_PID=""
RELAY_PID=""

# shellcheck source=scripts/lib.sh
source "$ROOT/scripts/lib.sh" # bench_begin, start_budget, bench_builds, bench_machine, stop_pid

say() { echo "run.sh: $*"; }
die() {
    say "cannot run: $*"
    exit 1
}

bench_begin run.sh "$BENCH_BUDGET_S" RELAY_PID SYS_PID OTLP_PID FAKE_PID
WORK="${BENCH_WORK:-$(mktemp -d "${TMPDIR:-/tmp}/relay-bench.XXXXXX")}"
mkdir -p "$WORK" || die "cannot create $WORK"
RESULTS="$WORK/results.jsonl"
# the code measured: as it is when the run starts (the load generator and the jar are built from it)
CODE="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet HEAD 2>/dev/null || echo ' (with local changes)')"
: >"$RESULTS"
run_started=$SECONDS

# --- builds and installs (not counted in the time budget) ---
say "building the load generator (and the packaged jar when it is stale)"
bench_builds "$WORK" 900 || die "the builds failed"
LOADGEN="$WORK/loadgen"

declare -A LEFT_OUT=()
want() { [[ " $SYSTEMS " == *" $1 "* ]]; }

install_litellm() { # a venv with litellm[proxy] at the pinned version, once
    local venv="$CACHE/litellm-$LITELLM_VERSION"
    [[ -x "$venv/bin/litellm" && -f "$venv/.installed" ]] && return 0
    command -v python3 >/dev/null || { LEFT_OUT[litellm]="python3 is not on the PATH"; return 1; }
    say "installing litellm[proxy]==$LITELLM_VERSION into $venv (once)"
    rm -rf "$venv"
    python3 -m venv "$venv" >"$WORK/litellm-install.log" 2>&1 &&
        "$venv/bin/pip" install -q "litellm[proxy]==$LITELLM_VERSION" >>"$WORK/litellm-install.log" 2>&1 &&
        touch "$venv/.installed" ||
        { LEFT_OUT[litellm]="pip install failed: $(tail -n 2 "$WORK/litellm-install.log" | tr '\n' ' ')"; return 1; }
}

install_portkey() { # @portkey-ai/gateway at the pinned version, once
    local dir="$CACHE/portkey-$PORTKEY_VERSION"
    [[ -f "$dir/node_modules/@portkey-ai/gateway/build/start-server.js" && -f "$dir/.installed" ]] && return 0
    command -v npm >/dev/null || { LEFT_OUT[portkey]="npm is not on the PATH"; return 1; }
    say "installing @portkey-ai/gateway@$PORTKEY_VERSION into $dir (once)"
    rm -rf "$dir" && mkdir -p "$dir"
    # @hono/node-server from 1.14.2 on breaks its streamed answers ("TypeError: immutable", Portkey-AI/gateway#1389;
    # 1.14.2 fails here too): pinned to 1.14.1 with an npm override.
    (cd "$dir" && echo '{"private":true,"overrides":{"@hono/node-server":"1.14.1"}}' >package.json &&
        npm install --no-audit --no-fund --silent "@portkey-ai/gateway@$PORTKEY_VERSION") >"$WORK/portkey-install.log" 2>&1 &&
        touch "$dir/.installed" ||
        { LEFT_OUT[portkey]="npm install failed: $(tail -n 2 "$WORK/portkey-install.log" | tr '\n' ' ')"; return 1; }
}

want litellm && install_litellm
want portkey && install_portkey

# --- the budget starts now ---
start_budget "$BENCH_BUDGET_S"
budget_started=$SECONDS
bench_machine | sed "s/^/run.sh: /" | tee "$WORK/machine.txt"

# Many streams at once: the load generator and the systems need two descriptors a stream.
ulimit -n 65536 2>/dev/null || ulimit -n 8192 2>/dev/null || true

start_helper() { # <pid variable> <port file> <log> <args...>: starts a loadgen server, waits for its port file
    local pid_var="$1" port_file="$2" log="$3" i
    shift 3
    rm -f "$port_file"
    "$LOADGEN" "$@" -port-file "$port_file" >"$log" 2>&1 </dev/null &
    printf -v "$pid_var" '%s' "$!"
    for ((i = 0; i < 50; i++)); do
        [[ -s "$port_file" ]] && break
        kill -0 "${!pid_var}" 2>/dev/null || break
        sleep 0.1
    done
}
start_helper FAKE_PID "$WORK/fake.port" "$WORK/fake.log" fake -addr 127.0.0.1:0 -model "$MODEL" -whole
[[ -s "$WORK/fake.port" ]] || die "fake Ollama did not start: $(tail -n 3 "$WORK/fake.log")"
FAKE_URL="http://127.0.0.1:$(cat "$WORK/fake.port")"
start_helper OTLP_PID "$WORK/otlp.port" "$WORK/otlp.log" otlp -addr 127.0.0.1:0
[[ -s "$WORK/otlp.port" ]] || die "OTLP receiver did not start: $(tail -n 3 "$WORK/otlp.log")"
OTLP_URL="http://127.0.0.1:$(cat "$WORK/otlp.port")"
DOWN_PORT="$("$LOADGEN" freeport)" || die "no free port"
say "fake Ollama at $FAKE_URL, OTLP receiver at $OTLP_URL, receiver-down port $DOWN_PORT"

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# start_system <name> <log>: starts one system on a free port; sets SYS_PID, SYS_URL, SYS_KIND, SYS_HEADERS,
# SYS_NOTE, STARTUP_MS and STARTUP_RSS_KB. Returns 1 when it did not become ready.
start_system() {
    local name="$1" log="$2" port t0 ready_url jvm="" telemetry endpoint
    SYS_PID="" SYS_KIND="service" SYS_HEADERS="" SYS_NOTE="" STARTUP_MS=-1 STARTUP_RSS_KB=-1
    port="$("$LOADGEN" freeport)" || return 1
    SYS_URL="http://127.0.0.1:$port"
    mkdir -p "$WORK/cwd-$name"
    t0="$(now_ms)"
    case "$name" in
        off | on | down | on-flags)
            case "$name" in
                off) telemetry=false endpoint="$OTLP_URL/off/v1/traces" ;;
                on) telemetry=true endpoint="$OTLP_URL/v1/traces" ;;
                down) telemetry=true endpoint="http://127.0.0.1:$DOWN_PORT/v1/traces" ;;
                on-flags) telemetry=true endpoint="$OTLP_URL/v1/traces" jvm="$DOCUMENTED_JVM_OPTS" ;;
            esac
            SYS_NOTE="java ${jvm:+$jvm }-jar, TELEMETRY_ENABLED=$telemetry"
            [[ "$name" == down ]] && SYS_NOTE+=", receiver not listening"
            # shellcheck disable=SC2086 # jvm is a list of flags
            (
                cd "$WORK/cwd-$name" &&
                    exec env -i PATH="$PATH" HOME="${HOME:-/tmp}" LANG="${LANG:-C.UTF-8}" HOST=127.0.0.1 \
                        PORT="$port" OLLAMA_HOST="$FAKE_URL" OLLAMA_MODEL="$MODEL" TELEMETRY_ENABLED="$telemetry" \
                        PHOENIX_ENDPOINT="$endpoint" java $jvm -jar "$JAR"
            ) >"$log" 2>&1 </dev/null &
            SYS_PID=$!
            ready_url="$SYS_URL/q/health/ready"
            ;;
        litellm)
            local venv="$CACHE/litellm-$LITELLM_VERSION"
            cat >"$WORK/litellm.yaml" <<EOF
model_list:
  - model_name: $MODEL
    litellm_params:
      model: ollama_chat/$MODEL
      api_base: $FAKE_URL
litellm_settings:
  telemetry: false
EOF
            (
                cd "$WORK/cwd-$name" &&
                    exec env -i PATH="$PATH" HOME="${HOME:-/tmp}" LANG="${LANG:-C.UTF-8}" \
                        LITELLM_LOCAL_MODEL_COST_MAP=True LITELLM_LOG=ERROR \
                        "$venv/bin/litellm" --config "$WORK/litellm.yaml" --host 127.0.0.1 --port "$port" \
                        --num_workers 1
            ) >"$log" 2>&1 </dev/null &
            SYS_PID=$!
            SYS_KIND="openai"
            SYS_NOTE="litellm[proxy]==$LITELLM_VERSION, 1 worker, model ollama_chat/$MODEL, api_base the fake"
            ready_url="$SYS_URL/health/liveliness"
            ;;
        portkey)
            local dir="$CACHE/portkey-$PORTKEY_VERSION"
            (
                cd "$WORK/cwd-$name" &&
                    exec env -i PATH="$PATH" HOME="${HOME:-/tmp}" LANG="${LANG:-C.UTF-8}" \
                        node "$dir/node_modules/@portkey-ai/gateway/build/start-server.js" --port="$port" --headless
            ) >"$log" 2>&1 </dev/null &
            SYS_PID=$!
            SYS_KIND="openai"
            SYS_HEADERS="x-portkey-provider:ollama|x-portkey-custom-host:$FAKE_URL"
            SYS_NOTE="@portkey-ai/gateway@$PORTKEY_VERSION (@hono/node-server pinned to 1.14.1, see Portkey-AI/gateway#1389), node $(node --version 2>/dev/null), provider ollama, custom host the fake"
            ready_url="$SYS_URL/"
            ;;
        *) return 1 ;;
    esac
    "$LOADGEN" wait -url "$ready_url" -timeout 90s -pid "$SYS_PID" -every 20ms >>"$WORK/wait.log" 2>&1 || return 1
    STARTUP_MS=$(($(now_ms) - t0))
    STARTUP_RSS_KB="$(awk '/^VmRSS/ {print $2}' "/proc/$SYS_PID/status" 2>/dev/null || echo -1)"
    return 0
}

broken=""
skipped=()
for ((rep = 1; rep <= REPS; rep++)); do
    for name in $SYSTEMS; do
        if [[ -n "${LEFT_OUT[$name]:-}" ]]; then
            ((rep == 1)) && say "$name left out: ${LEFT_OUT[$name]}"
            continue
        fi
        log="$WORK/$name-$rep.log"
        # No system starts unless its usual time fits in the budget (the rest is left out and said so), so that the
        # results are always written.
        need=$((SMOKE ? 25 : 60))
        [[ -n "$WARM" ]] && need=$((need + ${WARM%s}))
        [[ "$name" == litellm ]] && need=150
        if ((SECONDS - budget_started + need + 15 > BENCH_BUDGET_S)); then
            skipped+=("$name #$rep")
            continue
        fi
        if [[ "$name" == direct ]]; then
            SYS_PID="" SYS_KIND=direct SYS_URL="$FAKE_URL" SYS_HEADERS="" SYS_NOTE="the fake Ollama itself"
            STARTUP_MS=-1 STARTUP_RSS_KB=-1
        elif ! start_system "$name" "$log"; then
            stop_pid "$SYS_PID"
            SYS_PID=""
            case "$name" in
                litellm | portkey)
                    LEFT_OUT[$name]="did not become ready (log: $(tail -n 3 "$log" | tr '\n' ' ' | cut -c1-200))"
                    say "$name left out: ${LEFT_OUT[$name]}"
                    continue
                    ;;
                *)
                    broken="$name did not start"
                    say "$broken; last lines of its log:"
                    tail -n 15 "$log"
                    break 2
                    ;;
            esac
        else
            say "$name #$rep ready in ${STARTUP_MS} ms (pid $SYS_PID, RSS $((STARTUP_RSS_KB / 1024)) MB)"
        fi
        "$LOADGEN" relay -system "$name" -kind "$SYS_KIND" -url "$SYS_URL" -fake "$FAKE_URL" -model "$MODEL" \
            -headers "$SYS_HEADERS" -pid "${SYS_PID:-0}" -fake-pid "$FAKE_PID" -rep "$rep" -note "$SYS_NOTE" \
            -startup-ms "$STARTUP_MS" -startup-rss-kb "$STARTUP_RSS_KB" -out "$RESULTS" "${RELAY_SIZES[@]}" \
            </dev/null &
        RELAY_PID=$!
        wait "$RELAY_PID"
        status=$?
        RELAY_PID=""
        stopping=$SECONDS
        stop_pid "$SYS_PID" 15
        [[ -n "$SYS_PID" ]] && say "$name #$rep stopped in $((SECONDS - stopping)) s"
        SYS_PID=""
        if ((status != 0)); then
            broken="the load generator failed on $name (exit $status)"
            break 2
        fi
    done
done

# --- results.md ---
{
    echo "# Relay benchmark results"
    echo
    if ((SMOKE)); then
        echo "**Smoke run** (tiny sizes: a check that the harness works, not figures to quote): 16 clients instead of 64," \
            "20 streams × 20 tokens instead of 100 × 200 (one round), 100 streams × 20 tokens instead of 1,000 × 100," \
            "1 s phases."
        echo
    fi
    echo "Written by \`bench/run.sh$( ((SMOKE)) && echo ' --smoke')$([[ -n "$WARM" ]] && echo " --warm $WARM")\` on $(date -u '+%Y-%m-%d %H:%M UTC'), code \`$CODE\` (at the start), $REPS repetition(s), systems one after the other in each."
    echo
    echo "- machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
    echo "- JDK: $(java -version 2>&1 | head -n 1); $(go version | cut -d' ' -f3); python $(python3 --version 2>&1 | cut -d' ' -f2); node $(node --version 2>/dev/null)"
    echo "- $(grep 'busy before' "$WORK/machine.txt" | sed 's/^run.sh: //')"
    echo "- fake Ollama: the load generator's (Go); every system relays to it; the telemetry-on systems export to the load generator's counting OTLP receiver"
    for name in "${!LEFT_OUT[@]}"; do
        echo "- **$name left out**: ${LEFT_OUT[$name]}"
    done
    [[ -n "$broken" ]] && echo "- **the run broke**: $broken"
    ((${#skipped[@]} > 0)) && echo "- **not run, out of time budget (${BENCH_BUDGET_S} s)**: ${skipped[*]}"
    echo
    echo "Phases, per system and repetition (see bench/README.md): non-streaming chats from 1 client on a keep-alive connection; the same from 64 clients; streams of 5 tokens one at a time (time to first token); 100 streams × 200 tokens at 20 ms (CPU per relayed token, peak RSS); 1,000 streams × 100 tokens at 50 ms at once (failures, TTFT, peak RSS). Start-up: launch to the first 200 from the readiness URL, polled every 20 ms."
} >"$WORK/head.md"
if [[ -s "$RESULTS" ]]; then
    "$LOADGEN" summarize -in "$RESULTS" -head "$WORK/head.md" -out "$OUT" || broken="${broken:-summarize failed}"
    cp "$RESULTS" "$WORK/results-copy.jsonl" 2>/dev/null
    echo
    sed -n '/^### Medians/,/^### The baseline/p' "$OUT" | head -n -1
    say "results: $OUT"
else
    broken="${broken:-no results}"
fi
say "took $((SECONDS - run_started)) s ($((SECONDS - budget_started)) s after the builds and installs)"
stop_budget
[[ -z "$broken" ]] || die "$broken"
exit 0
