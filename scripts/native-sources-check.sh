#!/usr/bin/env bash
# Checks the native-image readiness of the service without GraalVM: runs every Quarkus native build step with
#   ./mvnw -B package -Dnative -Dquarkus.native.sources-only=true -DskipTests
# and inspects what it writes to target/native-sources/ (the input that `native-image` would get):
#   - native-image.args and the runner jar are there, and the args name that jar;
#   - the runner jar's META-INF/native-image/reflect-config.json registers each @RegisterForReflection target of
#     the compiled dev.ollamachat.api.NativeImageHints with all its declared constructors, methods and fields (what
#     Jackson needs for records). That the targets are the classes Jackson sees is NativeImageHintsTest's job;
#   - the static web files under src/main/resources/META-INF/resources are in the jar and in resource-config.json.
#
# The build runs in a copy of the tree (target/native-sources-check/tree, without target/ and .git/), so that it
# does not replace target/quarkus-app or target/classes of the normal build.
# -DskipTests, not -DskipITs: `package` never reaches the integration tests, so -DskipITs would skip nothing and the
# whole unit test suite would run before the native build steps.
#
# Prints PASS/FAIL lines and finally "native-sources: N passed, M failed"; exits non-zero on any failure.
# Needs: java (with javap), python3, rsync. NATIVE_SOURCES_CHECK_BUDGET: time budget in seconds (default 600).
# NATIVE_SOURCES_REUSE=1 skips the build and checks the previous run's output again.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib.sh
source "$ROOT/scripts/lib.sh"
WORK="$ROOT/target/native-sources-check"
TREE="$WORK/tree"
OUT="$TREE/target/native-sources"
BUDGET_SECONDS="${NATIVE_SOURCES_CHECK_BUDGET:-600}"

HINTS_CLASS=dev.ollamachat.api.NativeImageHints

MVN_PID=""




check_cleanup() {
    if [[ -n "$MVN_PID" ]] && kill -0 "$MVN_PID" 2>/dev/null; then
        kill "$MVN_PID" 2>/dev/null || true
        wait "$MVN_PID" 2>/dev/null || true
    fi
}

check_begin native-sources "$BUDGET_SECONDS" java javap python3 rsync


# --- time budget: a watchdog sends TERM to this script; the traps then stop the build ---
start_budget

# --- build in a copy of the tree (NATIVE_SOURCES_REUSE=1 checks the output of the previous run again) ---
if [[ "${NATIVE_SOURCES_REUSE:-}" == 1 && -d "$OUT" ]]; then
    info "NATIVE_SOURCES_REUSE=1: checking the previous build's ${OUT#"$ROOT"/} without building"
else
    build_copy "$TREE" "$WORK/build.log" "native sources build" \
        ./mvnw -B package -Dnative -Dquarkus.native.sources-only=true -DskipTests
fi

# --- what the build wrote ---
ARGS_FILE="$OUT/native-image.args"
if [[ -s "$ARGS_FILE" ]]; then
    pass "target/native-sources/native-image.args is there ($(wc -c <"$ARGS_FILE") bytes)"
else
    fail "no target/native-sources/native-image.args"
fi
shopt -s nullglob
runners=("$OUT"/*-runner.jar)
shopt -u nullglob
if ((${#runners[@]} != 1)); then
    fail "expected one *-runner.jar in target/native-sources, found ${#runners[@]}"
    exit 1
fi
RUNNER="${runners[0]}"
RUNNER_NAME="$(basename "$RUNNER")"
lib_jars="$(find "$OUT/lib" -name '*.jar' 2>/dev/null | wc -l)"
if [[ -s "$ARGS_FILE" ]] && grep -q -- "-jar $RUNNER_NAME" "$ARGS_FILE" && ((lib_jars > 0)); then
    pass "native-image.args builds $RUNNER_NAME (-jar), with $lib_jars jars in target/native-sources/lib"
else
    fail "native-image.args does not name '-jar $RUNNER_NAME', or lib/ has no jars ($lib_jars)"
fi

# --- the hints and the native-image metadata, read by one Python program; it prints PASS/FAIL lines ---
META="$WORK/metadata"
rm -rf "$META"
mkdir -p "$META"
HINTS_JAVAP="$META/NativeImageHints.javap"
if ! javap -v -cp "$RUNNER" "$HINTS_CLASS" >"$HINTS_JAVAP" 2>&1; then
    fail "$HINTS_CLASS is not in $RUNNER_NAME: $(head -c 300 "$HINTS_JAVAP")"
    : >"$HINTS_JAVAP"
fi

results="$(python3 - "$RUNNER" "$HINTS_JAVAP" "$ROOT/src/main/resources/META-INF/resources" 2>"$META/reader.err" <<'PY'
import json, os, re, sys, zipfile

runner, hints_javap, static_dir = sys.argv[1], sys.argv[2], sys.argv[3]
out = []

def result(ok, message):
    out.append(("PASS: " if ok else "FAIL: ") + message)

jar = zipfile.ZipFile(runner)
names = jar.namelist()

# 1. The @RegisterForReflection targets of the compiled hints class (javap decodes the annotation).
text = open(hints_javap, encoding="utf-8", errors="replace").read()
match = re.search(r"RegisterForReflection\(\s*targets=\[(.*?)\]", text, re.S)
targets = set()
if match:
    targets = {t.replace("/", ".") for t in re.findall(r"class L([^;]+);", match.group(1))}
result(bool(targets), f"NativeImageHints in the runner jar has @RegisterForReflection with {len(targets)} targets")
expected = sorted(targets)

# 2. reflect-config.json (Quarkus 3.34 writes the GraalVM *-config.json files, not reachability-metadata.json).
config_names = [n for n in names if re.fullmatch(r"META-INF/native-image/(.+/)?reflect-config\.json", n)]
reachability = [n for n in names if re.fullmatch(r"META-INF/native-image/(.+/)?reachability-metadata\.json", n)]
entries = {}
for n in config_names:
    for e in json.loads(jar.read(n)):
        entries.setdefault(e.get("name") or e.get("type"), []).append(e)
for n in reachability:
    for e in json.loads(jar.read(n)).get("reflection", []):
        t = e.get("type")
        if isinstance(t, str):
            entries.setdefault(t, []).append(e)
result(bool(entries), "the runner jar has native-image reflection metadata: "
       + (", ".join(config_names + reachability) or "none") + f" ({len(entries)} classes)")
flags = ("allDeclaredConstructors", "allDeclaredMethods", "allDeclaredFields")
full = []
for c in expected:
    found = entries.get(c, [])
    have = {f for e in found for f in flags if e.get(f)}
    if not found:
        result(False, f"{c} is not registered for reflection in the native-image metadata")
    elif have != set(flags):
        result(False, f"{c} is registered without " + ", ".join(sorted(set(flags) - have)))
    else:
        full.append(c)
if len(full) == len(expected):
    result(True, f"all {len(expected)} NativeImageHints targets are registered with all declared constructors, methods and fields")

# 3. Static web files: in the jar and in resource-config.json, so the native executable serves them.
static = sorted(os.path.relpath(os.path.join(d, f), static_dir).replace(os.sep, "/")
                for d, _, fs in os.walk(static_dir) for f in fs) if os.path.isdir(static_dir) else []
patterns = []
for n in names:
    if re.fullmatch(r"META-INF/native-image/(.+/)?resource-config\.json", n):
        resources = json.loads(jar.read(n)).get("resources", {})
        includes = resources.get("includes", []) if isinstance(resources, dict) else resources
        patterns += [i.get("pattern", "") for i in includes if isinstance(i, dict)]
def java_regex(pattern):
    # GraalVM resource patterns are Java regexes; turn their \Q...\E quoting into Python's escaping.
    parts = re.split(r"\\Q(.*?)(?:\\E|$)", pattern, flags=re.S)
    translated = "".join(re.escape(p) if i % 2 else p for i, p in enumerate(parts))
    try:
        return re.compile(translated, re.S)
    except re.error:
        return re.compile(re.escape(pattern))
regexes = [java_regex(p) for p in patterns]
for f in static:
    path = "META-INF/resources/" + f
    in_jar = path in names
    registered = any(r.fullmatch(path) for r in regexes)
    result(in_jar and registered, f"static file {path}: in the runner jar {'yes' if in_jar else 'NO'}, "
           f"in resource-config.json {'yes' if registered else 'NO'}")
if not static:
    result(False, f"no static files found under {static_dir}")

print("\n".join(out))
PY
)"
py_status=$?
[[ -s "$META/reader.err" ]] && sed 's/^/      /' "$META/reader.err" | tail -n 10
while IFS= read -r line; do
    case "$line" in
        PASS:\ *) pass "${line#PASS: }" ;;
        FAIL:\ *) fail "${line#FAIL: }" ;;
        ?*) info "$line" ;;
    esac
done <<<"$results"
((py_status == 0)) || fail "the metadata reader failed (exit $py_status)"

exit 0
