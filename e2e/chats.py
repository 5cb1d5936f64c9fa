"""Sends the end-to-end chats to a running ollama-chat and checks its HTTP answers.

    python3 chats.py <scenario> --app http://127.0.0.1:PORT --out expectations.json [--ui URL] [--model NAME]

Scenarios:
  fake           against the fake Ollama: a plain chat, "Calculate 5 + 3" (tool add of the built-in calculator),
                 a streamed chat, a streamed tool chat and a two-message conversation
  missing-model  the app runs with OLLAMA_MODEL=missing-model: a chat and a streamed chat that must fail with 502
  everything     the app's first MCP server is server-everything: its `add` answers the tool chat
  real           against a real Ollama with a tiny model: a plain and a streamed chat (no assertion on tool calls)

Writes what Phoenix must then hold (one entry per trace, plus the sessions) to --out, for check_phoenix.py.
Prints PASS/FAIL lines and "<scenario>: N passed, M failed"; exits non-zero on a failure.
"""

import argparse
import sys
import time

from e2e_common import Checks, request, stream_events, trace_id_of, write_json

CHAT_TIMEOUT = 60
REAL_CHAT_TIMEOUT = 180  # a real model on two CPU cores, first load included

FAKE_PLAIN = "Hello from the fake Ollama."
FAKE_TOOL_ANSWER = "The result of 5 + 3 is 8."
ADD_RESULT = "The sum of 5 and 3 is 8."


class Scenario:
    def __init__(self, name, app, ui, model):
        self.checks = Checks(name)
        self.app = app.rstrip("/")
        self.ui = ui.rstrip("/") if ui else None
        self.model = model
        self.traces = []
        self.sessions = []

    # ---- calls

    def chat(self, message, conversation_id=None, timeout=CHAT_TIMEOUT):
        body = {"message": message}
        if conversation_id:
            body["conversationId"] = conversation_id
        started = time.monotonic()
        answer = request("POST", self.app + "/api/chat", body,
                         {"Accept": "application/json, application/problem+json"}, timeout)
        self.checks.info("POST /api/chat %r -> %d in %.2fs" % (message, answer.status, time.monotonic() - started))
        return answer

    def stream(self, message, conversation_id=None, timeout=CHAT_TIMEOUT):
        body = {"message": message}
        if conversation_id:
            body["conversationId"] = conversation_id
        started = time.monotonic()
        result = stream_events(self.app + "/api/chat/stream", body, timeout)
        self.checks.info("POST /api/chat/stream %r -> %d, %d events in %.2fs"
                         % (message, result[0], len(result[2]), time.monotonic() - started))
        return result

    # ---- shared checks

    def check_reply(self, label, answer, reply=None, tool=None, tool_server=None):
        """A 200 ChatReply: its reply, model, tool calls, usage and trace ids. Returns the body (or None)."""
        c = self.checks
        body = answer.json() if answer.status == 200 else None
        if not c.check(body is not None and answer.content_type.startswith("application/json"),
                       "%s: 200 application/json" % label, "%d %s %s" % (answer.status, answer.content_type,
                                                                          answer.text())):
            return None
        if reply is None:
            c.check(isinstance(body.get("reply"), str) and body["reply"].strip() != "",
                    "%s: the reply has text (%r)" % (label, (body.get("reply") or "")[:60]), body)
        else:
            c.check(body.get("reply") == reply, "%s: reply is %r" % (label, reply), body.get("reply"))
        c.check(body.get("model") == self.model, "%s: model is %s" % (label, self.model), body.get("model"))
        usage = body.get("usage") or {}
        c.check(usage.get("inputTokens", 0) > 0 and usage.get("outputTokens", 0) > 0,
                "%s: usage counts tokens (%s in, %s out)" % (label, usage.get("inputTokens"),
                                                             usage.get("outputTokens")), usage)
        calls = body.get("toolCalls") or []
        if tool is not None:
            names = [(call.get("name"), call.get("server")) for call in calls]
            c.check((tool, tool_server) in names and any(call.get("result") == ADD_RESULT for call in calls),
                    "%s: tool %s of MCP server %s answered %r" % (label, tool, tool_server, ADD_RESULT), calls)
        elif reply is not None:
            c.check(calls == [], "%s: no tool call" % label, calls)
        self.check_trace_fields(label, body.get("traceId"), body.get("traceUrl"), answer.headers.get("traceparent"))
        return body

    def check_trace_fields(self, label, trace_id, trace_url, traceparent=None):
        c = self.checks
        c.check(isinstance(trace_id, str) and len(trace_id) == 32 and trace_id != "0" * 32,
                "%s: traceId %s" % (label, trace_id), trace_id)
        if traceparent is not None:
            c.check(trace_id_of(traceparent) == trace_id, "%s: the traceparent header names the same trace" % label,
                    traceparent)
        if self.ui:
            expected = "%s/redirects/traces/%s" % (self.ui, trace_id)
            c.check(trace_url == expected, "%s: traceUrl is %s" % (label, expected), trace_url)

    def check_stream(self, label, result, reply=None, tool=None, spread=True):
        """A streamed turn: tokens (in order), optional tool events, and a done event last. With spread, the tokens
        must arrive over time (not in one piece); the fake's plain stream comes in one write, so it is not spread."""
        c = self.checks
        status, content_type, events, error = result
        if not c.check(status == 200 and error is None, "%s: 200 text/event-stream" % label,
                       "%s %s %s" % (status, content_type, error)):
            return None
        names = [e["event"] for e in events]
        tokens = [e for e in events if e["event"] == "token"]
        c.check(len(tokens) >= 1, "%s: %d token events" % (label, len(tokens)), names)
        text = "".join(str(e["data"].get("text", "")) for e in tokens if isinstance(e["data"], dict))
        if reply is not None:
            c.check(text == reply, "%s: the tokens spell %r" % (label, reply), text)
        else:
            c.check(text.strip() != "", "%s: the tokens spell a reply (%r)" % (label, text[:60]), text)
        if spread and len(tokens) > 1:
            c.check(tokens[-1]["at"] > tokens[0]["at"],
                    "%s: tokens arrive over time (first at %.2fs, last at %.2fs)"
                    % (label, tokens[0]["at"], tokens[-1]["at"]), [e["at"] for e in tokens])
        if tool is not None:
            call_at = names.index("tool_call") if "tool_call" in names else -1
            result_at = names.index("tool_result") if "tool_result" in names else -1
            first_token = names.index("token") if "token" in names else -1
            results = [e["data"] for e in events if e["event"] == "tool_result"]
            c.check(0 <= call_at < result_at < first_token and results and results[0].get("result") == ADD_RESULT,
                    "%s: tool_call %s, then tool_result %r, then the tokens" % (label, tool, ADD_RESULT), names)
        c.check("error" not in names, "%s: no error event" % label, [e for e in events if e["event"] == "error"])
        done = events[-1]["data"] if events and events[-1]["event"] == "done" else None
        if not c.check(isinstance(done, dict), "%s: the last event is done" % label, names[-3:]):
            return None
        c.check(done.get("model") == self.model, "%s: done names model %s" % (label, self.model), done)
        usage = done.get("usage") or {}
        c.check(usage.get("inputTokens", 0) > 0 and usage.get("outputTokens", 0) > 0,
                "%s: done counts tokens (%s in, %s out)" % (label, usage.get("inputTokens"),
                                                            usage.get("outputTokens")), done)
        c.check(isinstance(done.get("conversationId"), str) and done["conversationId"] != "",
                "%s: done names the conversation" % label, done)
        self.check_trace_fields(label, done.get("traceId"), done.get("traceUrl"))
        return done

    def expect_trace(self, label, body, root, llm_name, llm_count, tools=(), error=False):
        if not body or not body.get("traceId"):
            return
        self.traces.append({
            "label": label,
            "traceId": body["traceId"],
            "traceUrl": body.get("traceUrl"),
            "conversationId": body.get("conversationId"),
            "root": root,
            "llmName": llm_name,
            "llmCount": llm_count,
            "model": self.model,
            "tools": [{"name": name, "server": server} for name, server in tools],
            "error": error,
            "usage": body.get("usage"),
        })

    def expect_failure(self, label, answer_status, content_type, body_text, traceparent, root, llm_name):
        c = self.checks
        c.check(answer_status == 502 and content_type.startswith("application/problem+json"),
                "%s: 502 application/problem+json" % label, "%s %s %s" % (answer_status, content_type, body_text))
        c.check("ollama pull " + self.model in body_text, "%s: the problem says 'ollama pull %s'" % (label, self.model),
                body_text)
        trace_id = trace_id_of(traceparent)
        c.check(trace_id is not None, "%s: traceparent header names the trace (%s)" % (label, trace_id), traceparent)
        if trace_id:
            self.traces.append({"label": label, "traceId": trace_id, "conversationId": None, "root": root,
                                "llmName": llm_name, "llmCount": 1, "model": self.model, "tools": [],
                                "error": True, "usage": None})

    # ---- scenarios

    def fake(self):
        plain = self.check_reply("plain chat", self.chat("Hello there"), reply=FAKE_PLAIN)
        self.expect_trace("plain chat", plain, "POST /api/chat", "ollama.chat_with_tools", 1)

        calc = self.check_reply("tool chat", self.chat("Calculate 5 + 3"), reply=FAKE_TOOL_ANSWER, tool="add",
                                tool_server="calculator")
        self.expect_trace("tool chat", calc, "POST /api/chat", "ollama.chat_with_tools", 2,
                          tools=[("add", "calculator")])

        done = self.check_stream("streamed chat", self.stream("Hello, stream please"), reply=FAKE_PLAIN,
                                 spread=False)
        self.expect_trace("streamed chat", done, "POST /api/chat/stream", "ollama.chat_streaming", 1)

        done = self.check_stream("streamed tool chat", self.stream("Calculate 5 + 3"), reply=FAKE_TOOL_ANSWER,
                                 tool="add")
        self.expect_trace("streamed tool chat", done, "POST /api/chat/stream", "ollama.chat_streaming", 2,
                          tools=[("add", "calculator")])

        first = self.check_reply("conversation 1/2", self.chat("My name is Ada."), reply=FAKE_PLAIN)
        self.expect_trace("conversation 1/2", first, "POST /api/chat", "ollama.chat_with_tools", 1)
        if first:
            conversation = first["conversationId"]
            second = self.check_reply("conversation 2/2", self.chat("What is my name?", conversation),
                                      reply=FAKE_PLAIN)
            self.expect_trace("conversation 2/2", second, "POST /api/chat", "ollama.chat_with_tools", 1)
            if second:
                self.checks.check(second.get("conversationId") == conversation,
                                  "conversation 2/2: same conversationId %s" % conversation,
                                  second.get("conversationId"))
                self.checks.check(second.get("traceId") != first.get("traceId"),
                                  "conversation: each message has a trace of its own")
                kept = request("GET", self.app + "/api/conversations/" + conversation).json() or {}
                contents = [m.get("content") for m in kept.get("messages", [])]
                self.checks.check("My name is Ada." in contents and "What is my name?" in contents,
                                  "conversation: the service keeps both user messages", contents)
                self.sessions.append({"conversationId": conversation,
                                      "traceIds": [first["traceId"], second["traceId"]]})

    def missing_model(self):
        answer = self.chat("Hello")
        self.expect_failure("failing chat", answer.status, answer.content_type, answer.body.decode("utf-8", "replace"),
                            answer.headers.get("traceparent"), "POST /api/chat", "ollama.chat_with_tools")
        # The streamed route answers a failure before its first event with problem+json too.
        req_body = {"message": "Hello"}
        answer = request("POST", self.app + "/api/chat/stream", req_body,
                         {"Accept": "text/event-stream, application/problem+json"}, CHAT_TIMEOUT)
        self.expect_failure("failing streamed chat", answer.status, answer.content_type,
                            answer.body.decode("utf-8", "replace"), answer.headers.get("traceparent"),
                            "POST /api/chat/stream", "ollama.chat_streaming")

    def everything(self):
        tools = request("GET", self.app + "/api/tools").json() or {}
        servers = {s.get("name"): s.get("available") for s in tools.get("servers", [])}
        self.checks.check(servers.get("everything") is True, "server-everything is an available MCP server", servers)
        adders = [t.get("server") for t in tools.get("tools", []) if t.get("name") == "add"]
        self.checks.check(adders[:1] == ["everything"], "the model is offered everything's add first", adders)
        calc = self.check_reply("tool chat via server-everything", self.chat("Calculate 5 + 3"),
                                reply=FAKE_TOOL_ANSWER, tool="add", tool_server="everything")
        self.expect_trace("tool chat via server-everything", calc, "POST /api/chat", "ollama.chat_with_tools", 2,
                          tools=[("add", "everything")])

    def real(self):
        plain = self.check_reply("real Ollama chat", self.chat("Say hello in five words.", timeout=REAL_CHAT_TIMEOUT))
        self.expect_trace("real Ollama chat", plain, "POST /api/chat", "ollama.chat_with_tools", None)
        done = self.check_stream("real Ollama streamed chat",
                                 self.stream("Name three colours.", timeout=REAL_CHAT_TIMEOUT))
        self.expect_trace("real Ollama streamed chat", done, "POST /api/chat/stream", "ollama.chat_streaming", None)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("scenario", choices=["fake", "missing-model", "everything", "real"])
    parser.add_argument("--app", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--ui", help="PHOENIX_UI_URL the app was given: traceUrl must start with it")
    parser.add_argument("--model", default="llama3.1:8b", help="OLLAMA_MODEL the app was given")
    args = parser.parse_args()
    scenario = Scenario(args.scenario, args.app, args.ui, args.model)
    getattr(scenario, args.scenario.replace("-", "_"))()
    write_json(args.out, {"scenario": args.scenario, "traces": scenario.traces, "sessions": scenario.sessions})
    return scenario.checks.summary()


if __name__ == "__main__":
    sys.exit(main())
