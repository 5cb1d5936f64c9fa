#!/usr/bin/env bash
# Telemetry overhead benchmark (not a test): what exporting traces adds to a blocking chat. See bench/README.md.
#
# 1. Builds the load generator (bench/loadgen, Go, no dependencies) into a temporary directory, and the packaged
#    jar only if target/quarkus-app/quarkus-run.jar is missing (./mvnw -B -q package -DskipTests).
# 2. Starts the fast fake Ollama (loadgen fake -whole: every POST /api/chat gets the whole reply at once, as one NDJSON
#    line since the service asks Ollama to stream on both endpoints;
#    GET /api/tags lists bench-model) and a counting OTLP/HTTP receiver (loadgen otlp: POST /v1/traces -> 200).
# 3. Starts the packaged service twice, side by side, with the same JVM flags and settings but one:
#    TELEMETRY_ENABLED=false, and telemetry on with PHOENIX_ENDPOINT at the receiver (default batch settings).
#    The telemetry-off copy is pointed at <receiver>/off/v1/traces, so that any export from it would show.
# 4. Runs loadgen latency: warm-up (WARMUP chats each), then N sequential POST /api/chat {"message":"hi"} per mode
#    from one client on one keep-alive connection, in blocks of BLOCK that alternate off/on/on/off/..., then the
#    same with CONC clients at once (CONC_N chats per mode); prints p50/p90/p99/mean, on - off in ms and %, the
#    spans and exports the receiver got, and the goals (< 0.2 ms and < 1 % added at p50).
# 5. Stops everything it started, by pid (trap), also when interrupted or over its time budget.
#
# Exits 0 when the benchmark ran, whether or not the goals were met; 1 when it could not run.
# Only loopback addresses are used. Options (environment):
#   N=5000 BLOCK=100 WARMUP=2000    measured sequential chats per mode, chats per block, warm-up chats per mode
#   CONC=4 CONC_N=2000              clients and chats per mode of the concurrent phase (CONC=0: none)
#   JVM_OPTS="-Xmx256m ..."         both services' JVM flags (set it empty for the JVM's defaults)
#   APP_ENV="K=V ..."               extra settings for both services; ON_ENV="K=V ..." for the telemetry-on one
#   BENCH_BUDGET_S=170              hard stop of the run (the one-time builds are not counted)
#   BENCH_WORK=dir                  where logs go (default: a new temporary directory)
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JAR="$ROOT/target/quarkus-app/quarkus-run.jar"

N="${N:-5000}"
BLOCK="${BLOCK:-100}"
WARMUP="${WARMUP:-2000}"
CONC="${CONC:-4}"
CONC_N="${CONC_N:-2000}"
BENCH_BUDGET_S="${BENCH_BUDGET_S:-170}"
BUILD_TIMEOUT_S="${BUILD_TIMEOUT_S:-900}"
# The streaming benchmark's flags: a bounded heap, G1 (what the JVM picks itself on 2 cores), stop when out of memory.
DEFAULT_JVM_OPTS="-Xms64m -Xmx256m -XX:+UseG1GC -XX:+ExitOnOutOfMemoryError"
JVM_OPTS="${JVM_OPTS-$DEFAULT_JVM_OPTS}"
APP_ENV="${APP_ENV:-}"
ON_ENV="${ON_ENV:-}"
MODEL="bench-model"
START_WAIT_S=60
# Kept back from the budget for the last export (the exporter's 5 s schedule), the report and stopping.
REPORT_MARGIN_S=20

FAKE_PID=""
OTLP_PID=""
OFF_PID=""
ON_PID=""
BENCH_PID=""

say() { echo "telemetry.sh: $*"; }
die() {
    say "cannot run: $*"
    exit 1
}

for var in N BLOCK WARMUP CONC CONC_N BENCH_BUDGET_S BUILD_TIMEOUT_S; do
    [[ "${!var}" =~ ^[0-9]+$ ]] || die "$var must be a whole number, not '${!var}'"
done
((N >= 1 && BLOCK >= 1)) || die "N and BLOCK must be >= 1"
for word in $APP_ENV $ON_ENV; do
    [[ "$word" =~ ^[A-Za-z_][A-Za-z0-9_]*=.*$ ]] || die "APP_ENV and ON_ENV take NAME=value words, not '$word'"
done

# shellcheck source=scripts/lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/scripts/lib.sh" # bench_begin, start_budget, bench_builds, bench_machine

bench_begin telemetry.sh "$BENCH_BUDGET_S" BENCH_PID ON_PID OFF_PID OTLP_PID FAKE_PID

WORK="${BENCH_WORK:-$(mktemp -d "${TMPDIR:-/tmp}/telemetry-bench.XXXXXX")}"
mkdir -p "$WORK/off-cwd" "$WORK/on-cwd" || die "cannot create $WORK"

# --- builds (not counted in the time budget) ---
say "building the load generator (and the packaged jar when it is stale)"
bench_builds "$WORK" "$BUILD_TIMEOUT_S" || die "the builds failed"
LOADGEN="$WORK/loadgen"

# --- time budget: a watchdog TERMs this script; the traps stop everything ---
budget_start=$SECONDS
start_budget "$BENCH_BUDGET_S"

bench_machine | sed "s/^/telemetry.sh: /"
say "load: N=$N BLOCK=$BLOCK WARMUP=$WARMUP CONC=$CONC CONC_N=$CONC_N"

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

# --- fake Ollama and OTLP receiver ---
start_helper FAKE_PID "$WORK/fake.port" "$WORK/fake.log" fake -addr 127.0.0.1:0 -model "$MODEL" -whole
[[ -s "$WORK/fake.port" ]] || die "fake Ollama did not start: $(tail -n 3 "$WORK/fake.log")"
FAKE_URL="http://127.0.0.1:$(cat "$WORK/fake.port")"
say "fake Ollama at $FAKE_URL (pid $FAKE_PID)"
start_helper OTLP_PID "$WORK/otlp.port" "$WORK/otlp.log" otlp -addr 127.0.0.1:0
[[ -s "$WORK/otlp.port" ]] || die "OTLP receiver did not start: $(tail -n 3 "$WORK/otlp.log")"
OTLP_URL="http://127.0.0.1:$(cat "$WORK/otlp.port")"
say "OTLP receiver at $OTLP_URL (pid $OTLP_PID)"

# --- the two services ---
# From an empty directory each (no .env applies) and with a clean environment: only what is set here (and APP_ENV,
# ON_ENV) reaches them, so both run with the default telemetry, batch and conversation settings.
start_app() { # <pid variable> <mode> <port> <log> <settings...>: starts the jar
    local pid_var="$1" mode="$2" port="$3" log="$4"
    shift 4
    # shellcheck disable=SC2086 # JVM_OPTS is a list of flags, APP_ENV a list of NAME=value words
    (
        cd "$WORK/$mode-cwd" &&
            exec env -i PATH="$PATH" HOME="${HOME:-/tmp}" LANG="${LANG:-C.UTF-8}" \
                HOST=127.0.0.1 PORT="$port" OLLAMA_HOST="$FAKE_URL" OLLAMA_MODEL="$MODEL" "$@" $APP_ENV \
                java $JVM_OPTS -XX:+PrintCommandLineFlags -jar "$JAR"
    ) >"$log" 2>&1 </dev/null &
    printf -v "$pid_var" '%s' "$!"
}
OFF_PORT="$("$LOADGEN" freeport)" || die "no free port"
ON_PORT="$("$LOADGEN" freeport)" || die "no free port"
[[ "$OFF_PORT" != "$ON_PORT" ]] || ON_PORT="$("$LOADGEN" freeport)"
OFF_URL="http://127.0.0.1:$OFF_PORT"
ON_URL="http://127.0.0.1:$ON_PORT"
started=$SECONDS
start_app OFF_PID off "$OFF_PORT" "$WORK/app-off.log" TELEMETRY_ENABLED=false \
    PHOENIX_ENDPOINT="$OTLP_URL/off/v1/traces"
# shellcheck disable=SC2086 # ON_ENV is a list of NAME=value words
start_app ON_PID on "$ON_PORT" "$WORK/app-on.log" TELEMETRY_ENABLED=true \
    PHOENIX_ENDPOINT="$OTLP_URL/v1/traces" $ON_ENV
"$LOADGEN" wait -url "$OFF_URL/q/health/ready" -timeout "${START_WAIT_S}s" -pid "$OFF_PID" ||
    die "service (telemetry off) not ready; last lines of its log:
$(tail -n 15 "$WORK/app-off.log")"
"$LOADGEN" wait -url "$ON_URL/q/health/ready" -timeout "${START_WAIT_S}s" -pid "$ON_PID" ||
    die "service (telemetry on) not ready; last lines of its log:
$(tail -n 15 "$WORK/app-on.log")"
say "services ready in $((SECONDS - started)) s: telemetry off at $OFF_URL (pid $OFF_PID)," \
    "on at $ON_URL (pid $ON_PID)"
say "JVM flags given (both): ${JVM_OPTS:-(none)}"
effective_off="$(grep -m 1 -- '-XX:' "$WORK/app-off.log")"
effective_on="$(grep -m 1 -- '-XX:' "$WORK/app-on.log")"
say "JVM flags in force (off): $effective_off"
if [[ "$effective_on" == "$effective_off" ]]; then
    say "JVM flags in force (on):  the same"
else
    say "JVM flags in force (on):  $effective_on"
fi
say "settings (both): HOST=127.0.0.1 OLLAMA_HOST=<fake> OLLAMA_MODEL=$MODEL${APP_ENV:+ $APP_ENV}"
say "settings (off):  TELEMETRY_ENABLED=false PHOENIX_ENDPOINT=<receiver>/off/v1/traces"
say "settings (on):   TELEMETRY_ENABLED=true PHOENIX_ENDPOINT=<receiver>/v1/traces${ON_ENV:+ $ON_ENV}"
say "off says: $(grep -m 1 -o 'Telemetry [a-z]*.*' "$WORK/app-off.log" | cut -c1-160)"
say "on says:  $(grep -m 1 -o 'Telemetry [a-z]*.*' "$WORK/app-on.log" | cut -c1-160)"

# --- the benchmark; in the background, so that the traps can stop it ---
deadline_s=$((BENCH_BUDGET_S - (SECONDS - budget_start) - REPORT_MARGIN_S))
((deadline_s > 10)) || die "no time left in the budget of ${BENCH_BUDGET_S}s after start-up"
"$LOADGEN" latency -off "$OFF_URL" -on "$ON_URL" -otlp "$OTLP_URL" -fake "$FAKE_URL" \
    -off-pid "$OFF_PID" -on-pid "$ON_PID" -fake-pid "$FAKE_PID" -otlp-pid "$OTLP_PID" \
    -n "$N" -block "$BLOCK" -warmup "$WARMUP" -conc "$CONC" -conc-n "$CONC_N" -deadline "${deadline_s}s" \
    -jvm "${JVM_OPTS:-(JVM defaults)}" -blocks-csv "$WORK/blocks.csv" </dev/null > >(tee "$WORK/report.txt") &
BENCH_PID=$!
wait "$BENCH_PID"
bench_status=$?
BENCH_PID=""

# --- what the services logged ---
echo
for mode in off on; do
    log="$WORK/app-$mode.log"
    warn_lines="$(grep -cE '^[0-9:.]+ (WARN|WARNING|ERROR|SEVERE) ' "$log")"
    say "service log ($mode): $warn_lines WARN/ERROR line(s)"
    if ((warn_lines > 0)); then
        grep -E '^[0-9:.]+ (WARN|WARNING|ERROR|SEVERE) ' "$log" |
            sed -E 's/^[0-9:.]+ //; s/traceId=[^ ]* spanId=[^ ]* //; s/[0-9]+/#/g' |
            sort | uniq -c | sort -rn | head -n 5 | cut -c1-200
    fi
done
for pid_var in OFF_PID ON_PID; do
    pid="${!pid_var}"
    if ! kill -0 "$pid" 2>/dev/null; then
        wait "$pid" 2>/dev/null
        say "a service process ($pid_var $pid) ended during the run (exit status $?)"
        printf -v "$pid_var" '%s' ""
    fi
done

((bench_status == 0)) || die "the load generator could not measure (exit $bench_status)"
exit 0
