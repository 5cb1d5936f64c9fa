#!/usr/bin/env bash
# Streaming benchmark (not a test): how many concurrent SSE chat streams the packaged service carries, and what it
# adds to the time to first token. See bench/README.md.
#
# 1. Builds the load generator (bench/loadgen, Go, no dependencies) into a temporary directory, and the packaged
#    jar only if target/quarkus-app/quarkus-run.jar is missing (./mvnw -B -q package -DskipTests).
# 2. Starts the fake Ollama (loadgen fake): every POST /api/chat streams N_TOKENS tokens, one every
#    TOKEN_INTERVAL_MS, as NDJSON; GET /api/tags lists the one model bench-model.
# 3. Starts the jar on a free loopback port against the fake and waits until /q/health/ready answers 200.
# 4. Runs loadgen bench: warm-up, then light-load and STREAMS-concurrent phases, each straight to the fake
#    (baseline) and through POST /api/chat/stream, and prints the report and the goals.
# 5. Stops everything it started (trap), also when interrupted or over its time budget.
#
# Exits 0 when the benchmark ran, whether or not the goals were met; 1 when it could not run.
# Only loopback addresses are used. Options (environment):
#   STREAMS=1000 N_TOKENS=200 TOKEN_INTERVAL_MS=10   the load
#   WARMUP=50 WARMUP_ROUNDS=4 LIGHT_STREAMS=50       warm-up streams per round, rounds; light-load phase size (0: skip)
#   SERVICE_ROUNDS=2                                 full-size rounds through the service; the last is measured
#   RAMP_MS=0                                        spread the start of the streams over this time (0: all at once)
#   STREAM_TIMEOUT_S=60                              longest time one stream may take
#   JVM_OPTS="-Xmx256m ..."                          the service's JVM flags (set it empty for the JVM's defaults)
#   BENCH_BUDGET_S=170                               hard stop of the run (the one-time builds are not counted)
#   BENCH_WORK=dir                                   where logs go (default: a new temporary directory)
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JAR="$ROOT/target/quarkus-app/quarkus-run.jar"

STREAMS="${STREAMS:-1000}"
N_TOKENS="${N_TOKENS:-200}"
TOKEN_INTERVAL_MS="${TOKEN_INTERVAL_MS:-10}"
WARMUP="${WARMUP:-50}"
WARMUP_ROUNDS="${WARMUP_ROUNDS:-4}"
LIGHT_STREAMS="${LIGHT_STREAMS:-50}"
SERVICE_ROUNDS="${SERVICE_ROUNDS:-2}"
RAMP_MS="${RAMP_MS:-0}"
STREAM_TIMEOUT_S="${STREAM_TIMEOUT_S:-60}"
BENCH_BUDGET_S="${BENCH_BUDGET_S:-170}"
BUILD_TIMEOUT_S="${BUILD_TIMEOUT_S:-900}"
# A bounded heap, so that the resident size stays near the goal; G1 is what the JVM picks itself on 2 cores.
DEFAULT_JVM_OPTS="-Xms64m -Xmx256m -XX:+UseG1GC -XX:+ExitOnOutOfMemoryError"
JVM_OPTS="${JVM_OPTS-$DEFAULT_JVM_OPTS}"
MODEL="bench-model"
START_WAIT_S=60

FAKE_PID=""
APP_PID=""
BENCH_PID=""

say() { echo "streams.sh: $*"; }
die() {
    say "cannot run: $*"
    exit 1
}

for var in STREAMS N_TOKENS TOKEN_INTERVAL_MS WARMUP WARMUP_ROUNDS LIGHT_STREAMS SERVICE_ROUNDS RAMP_MS \
    STREAM_TIMEOUT_S BENCH_BUDGET_S BUILD_TIMEOUT_S; do
    [[ "${!var}" =~ ^[0-9]+$ ]] || die "$var must be a whole number, not '${!var}'"
done
((STREAMS >= 1 && N_TOKENS >= 1 && TOKEN_INTERVAL_MS >= 1 && SERVICE_ROUNDS >= 1)) ||
    die "STREAMS, N_TOKENS, TOKEN_INTERVAL_MS and SERVICE_ROUNDS must be >= 1"

# shellcheck source=scripts/lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/scripts/lib.sh" # bench_begin, start_budget, bench_builds, bench_machine

bench_begin streams.sh "$BENCH_BUDGET_S" BENCH_PID APP_PID FAKE_PID

WORK="${BENCH_WORK:-$(mktemp -d "${TMPDIR:-/tmp}/streams-bench.XXXXXX")}"
mkdir -p "$WORK/app-cwd" || die "cannot create $WORK"

# --- file descriptors: the service holds two sockets per stream, the fake and the load generator one each ---
need_fds=$((2 * STREAMS + 1024))
soft="$(ulimit -Sn)"
if [[ "$soft" != unlimited ]] && ((soft < need_fds)); then
    hard="$(ulimit -Hn)"
    if [[ "$hard" != unlimited ]] && ((hard < need_fds)); then
        ulimit -Hn "$need_fds" 2>/dev/null || true
    fi
    ulimit -Sn "$need_fds" 2>/dev/null || ulimit -Sn "$(ulimit -Hn)" 2>/dev/null || true
fi
soft="$(ulimit -Sn)"
if [[ "$soft" != unlimited ]] && ((soft < need_fds)); then
    die "open-file limit is $soft (ulimit -n) and could not be raised to $need_fds for $STREAMS streams"
fi

# --- builds (not counted in the time budget) ---
say "building the load generator (and the packaged jar when it is stale)"
bench_builds "$WORK" "$BUILD_TIMEOUT_S" || die "the builds failed"
LOADGEN="$WORK/loadgen"

# --- time budget: a watchdog TERMs this script; the traps stop everything ---
start_budget "$BENCH_BUDGET_S"

bench_machine | sed "s/^/streams.sh: /"
say "load: STREAMS=$STREAMS N_TOKENS=$N_TOKENS TOKEN_INTERVAL_MS=$TOKEN_INTERVAL_MS RAMP_MS=$RAMP_MS" \
    "WARMUP=$WARMUP x $WARMUP_ROUNDS LIGHT_STREAMS=$LIGHT_STREAMS SERVICE_ROUNDS=$SERVICE_ROUNDS" \
    "STREAM_TIMEOUT_S=$STREAM_TIMEOUT_S"

# --- fake Ollama ---
rm -f "$WORK/fake.port" "$WORK/report.txt"
"$LOADGEN" fake -addr 127.0.0.1:0 -port-file "$WORK/fake.port" -tokens "$N_TOKENS" \
    -interval "${TOKEN_INTERVAL_MS}ms" -model "$MODEL" >"$WORK/fake.log" 2>&1 </dev/null &
FAKE_PID=$!
for ((i = 0; i < 50; i++)); do
    [[ -s "$WORK/fake.port" ]] && break
    kill -0 "$FAKE_PID" 2>/dev/null || break
    sleep 0.1
done
[[ -s "$WORK/fake.port" ]] || die "fake Ollama did not start: $(tail -n 3 "$WORK/fake.log")"
FAKE_URL="http://127.0.0.1:$(cat "$WORK/fake.port")"
say "fake Ollama at $FAKE_URL (pid $FAKE_PID)"

# --- the service ---
APP_PORT="$("$LOADGEN" freeport)" || die "no free port"
APP_URL="http://127.0.0.1:$APP_PORT"
# From an empty directory, so that no .env applies, and without inherited settings that would change the run.
# -XX:+PrintCommandLineFlags puts the flags in force (given and chosen by the JVM) first in the log.
# shellcheck disable=SC2086 # JVM_OPTS is a list of flags
(
    cd "$WORK/app-cwd" &&
        exec env -u MCP_SERVER_URL -u MCP_SERVERS -u MCP_SERVER_NAME -u OLLAMA_TIMEOUT -u OLLAMA_TEMPERATURE \
            -u QUARKUS_PROFILE -u QUARKUS_HTTP_PORT -u JAVA_TOOL_OPTIONS -u JDK_JAVA_OPTIONS \
            HOST=127.0.0.1 PORT="$APP_PORT" OLLAMA_HOST="$FAKE_URL" OLLAMA_MODEL="$MODEL" \
            java $JVM_OPTS -XX:+PrintCommandLineFlags -jar "$JAR"
) >"$WORK/app.log" 2>&1 </dev/null &
APP_PID=$!
started=$SECONDS
"$LOADGEN" wait -url "$APP_URL/q/health/ready" -timeout "${START_WAIT_S}s" -pid "$APP_PID" ||
    die "service not ready; last lines of its log:
$(tail -n 15 "$WORK/app.log")"
say "service at $APP_URL (pid $APP_PID) ready in $((SECONDS - started)) s"
effective="$(grep -m 1 -- '-XX:' "$WORK/app.log")"
max_heap="$(grep -o -- '-XX:MaxHeapSize=[0-9]*' <<<"$effective" | cut -d= -f2)"
gc="$(grep -o -- '-XX:+Use[A-Za-z0-9]*GC' <<<"$effective" | head -n 1 | sed 's/-XX:+Use//')"
jvm_desc="${JVM_OPTS:-(JVM defaults)} => max heap $((${max_heap:-0} / 1048576)) MB, ${gc:-?}"
say "JVM flags given: ${JVM_OPTS:-(none)}"
say "JVM flags in force: $effective"

# --- the benchmark; in the background, so that the traps can stop it ---
"$LOADGEN" bench -fake "$FAKE_URL" -service "$APP_URL" -pid "$APP_PID" -fake-pid "$FAKE_PID" \
    -streams "$STREAMS" -tokens "$N_TOKENS" -interval "${TOKEN_INTERVAL_MS}ms" -warmup "$WARMUP" \
    -warmup-rounds "$WARMUP_ROUNDS" -light "$LIGHT_STREAMS" -service-rounds "$SERVICE_ROUNDS" \
    -ramp "${RAMP_MS}ms" -timeout "${STREAM_TIMEOUT_S}s" -model "$MODEL" -jvm "$jvm_desc" \
    </dev/null > >(tee "$WORK/report.txt") &
BENCH_PID=$!
wait "$BENCH_PID"
bench_status=$?
BENCH_PID=""

# --- what the service logged ---
warn_lines="$(grep -cE '^[0-9:.]+ (WARN|WARNING|ERROR|SEVERE) ' "$WORK/app.log")"
echo
say "service log: $warn_lines WARN/ERROR line(s); the most frequent (numbers as #):"
if ((warn_lines > 0)); then
    grep -E '^[0-9:.]+ (WARN|WARNING|ERROR|SEVERE) ' "$WORK/app.log" |
        sed -E 's/^[0-9:.]+ //; s/traceId=[^ ]* spanId=[^ ]* //; s/[0-9]+/#/g' |
        sort | uniq -c | sort -rn | head -n 8 | cut -c1-240
fi
if ! kill -0 "$APP_PID" 2>/dev/null; then
    wait "$APP_PID" 2>/dev/null
    say "the service process ended during the run (exit status $?; 143 = SIGTERM from outside, 137 = SIGKILL)"
    APP_PID=""
fi

((bench_status == 0)) || die "the load generator could not measure (exit $bench_status)"
exit 0
