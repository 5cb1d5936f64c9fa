"""Checks what Phoenix stored for the end-to-end chats, through Phoenix's REST API only.

    python3 check_phoenix.py --phoenix http://127.0.0.1:PORT --project calculator-frontend \
        [--wait 90] [--out spans.json] expectations.json [...]

The expectation files come from chats.py. Phoenix answers OTLP before it stores the spans, so this polls
GET /v1/projects/{project}/spans (paging with the cursor) until every expected trace is complete, within --wait
seconds, and then asserts:
  - the project exists, and no span of ours landed in `default`
  - each trace: one root (the HTTP server span), every parent_id present in the trace, the `chat` span (CHAIN,
    session.id = conversationId) under the root, the LLM spans (LLM, llm.model_name, token counts) and the tool
    spans (TOOL, tool.name, mcp.server.name) under `chat`
  - failed chats: `chat` and the LLM span have status ERROR; other traces have no ERROR span
  - the LLM spans' token counts add up to the usage the reply reported
  - both messages of a conversation share session.id, and GET /v1/projects/{project}/sessions groups their traces
  - GET .../spans?trace_id=<traceId of the reply> finds the trace
Prints PASS/FAIL lines and "phoenix: N passed, M failed"; exits non-zero on a failure.
"""

import argparse
import sys
import time
import urllib.parse

from e2e_common import Checks, get_json, read_json, write_json

PAGE_SIZE = 50  # small on purpose: the suite's spans take more than one page, so the cursor is exercised


def fetch_spans(base, project, **filters):
    """Every span of a project (newest first), following next_cursor. Returns (spans, pages) or raises."""
    spans, pages, cursor = [], 0, None
    while True:
        query = dict(filters, limit=PAGE_SIZE)
        if cursor:
            query["cursor"] = cursor
        status, body = get_json("%s/v1/projects/%s/spans?%s" % (base, urllib.parse.quote(project),
                                                                 urllib.parse.urlencode(query, doseq=True)))
        if status != 200 or not isinstance(body, dict):
            raise RuntimeError("GET spans of %s answered %s: %s" % (project, status, body))
        pages += 1
        for span in body.get("data", []):
            spans.append(span)
        cursor = body.get("next_cursor")
        if not cursor or pages > 200:
            break
    unique = {span["context"]["span_id"]: span for span in spans}  # a cursor page may repeat its first span
    return list(unique.values()), pages


def by_trace(spans):
    traces = {}
    for span in spans:
        traces.setdefault(span["context"]["trace_id"], []).append(span)
    return traces


def complete(expected, spans):
    """Whether a trace's spans are all in: the root, chat, every LLM and tool span expected."""
    names = [s["name"] for s in spans]
    roots = [s for s in spans if not s.get("parent_id")]
    if not roots or "chat" not in names:
        return False
    llm = [s for s in spans if s["name"] == expected["llmName"]]
    if len(llm) < (expected["llmCount"] or 1):
        return False
    tools = [s for s in spans if s["name"].startswith("tool ")]
    if len(tools) < len(expected["tools"]):
        return False
    ids = {s["context"]["span_id"] for s in spans}
    return all(not s.get("parent_id") or s["parent_id"] in ids for s in spans)


def ancestors(span, by_id):
    seen = []
    parent = span.get("parent_id")
    while parent and parent in by_id and parent not in seen:
        seen.append(parent)
        parent = by_id[parent].get("parent_id")
    return seen


def attr(span, key):
    """An attribute by its dotted OTel name, whether Phoenix returns it flat or nested (lists for the indices)."""
    attributes = span.get("attributes") or {}
    if key in attributes:
        return attributes[key]
    node = attributes
    for part in key.split("."):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node


def check_trace(c, expected, spans):
    label = expected["label"]
    by_id = {s["context"]["span_id"]: s for s in spans}
    roots = [s for s in spans if not s.get("parent_id")]
    c.check(len(roots) == 1 and roots[0]["name"] == expected["root"],
            "%s: one root span %r" % (label, expected["root"]), [s["name"] for s in roots])
    orphans = [s["name"] for s in spans if s.get("parent_id") and s["parent_id"] not in by_id]
    c.check(not orphans, "%s: every parent_id of its %d spans is in the trace" % (label, len(spans)), orphans)

    chats = [s for s in spans if s["name"] == "chat"]
    chat = chats[0] if len(chats) == 1 else None
    if not c.check(chat is not None, "%s: one chat span" % label, [s["name"] for s in spans]):
        return
    c.check(roots and chat.get("parent_id") == roots[0]["context"]["span_id"],
            "%s: chat is a child of the root span" % label, chat.get("parent_id"))
    c.check(chat.get("span_kind") == "CHAIN", "%s: chat span_kind CHAIN" % label, chat.get("span_kind"))
    if expected.get("conversationId"):
        c.check(attr(chat, "session.id") == expected["conversationId"],
                "%s: chat session.id = conversationId" % label, attr(chat, "session.id"))
    chat_id = chat["context"]["span_id"]
    quarkus_spans = [s["name"] for s in spans if s["name"].startswith("langchain4j.")]
    c.check(not quarkus_spans, "%s: no langchain4j.* (AI-service) spans, one engine writes them all" % label,
            quarkus_spans)

    llms = [s for s in spans if s["name"] == expected["llmName"]]
    count = expected.get("llmCount")
    c.check(len(llms) == count if count else len(llms) >= 1,
            "%s: %s %s span(s)" % (label, count if count else ">= 1", expected["llmName"]), len(llms))
    for i, llm in enumerate(llms):
        which = "%s: %s #%d" % (label, expected["llmName"], i + 1)
        c.check(llm.get("span_kind") == "LLM", which + " span_kind LLM", llm.get("span_kind"))
        c.check(chat_id in ancestors(llm, by_id), which + " is under chat")
        model = attr(llm, "llm.model_name")
        c.check(isinstance(model, str) and model.split(":")[0] == expected["model"].split(":")[0],
                which + " llm.model_name %s" % model, model)
        c.check(attr(llm, "gen_ai.request.temperature") is None and attr(llm, "gen_ai.request.top_p") is None,
                which + " has no gen_ai.request.temperature/top_p: none was configured or sent",
                {k: attr(llm, k) for k in ("gen_ai.request.temperature", "gen_ai.request.top_p")})
        if not expected["error"]:
            prompt, completion, total = (attr(llm, "llm.token_count." + k) for k in ("prompt", "completion", "total"))
            c.check(isinstance(prompt, int) and isinstance(completion, int) and prompt > 0 and completion > 0
                    and total == prompt + completion,
                    which + " token counts prompt %s + completion %s = total %s" % (prompt, completion, total))

    for tool in expected["tools"]:
        found = [s for s in spans if s["name"] == "tool " + tool["name"]]
        span = found[0] if found else None
        if not c.check(span is not None, "%s: span 'tool %s'" % (label, tool["name"]), [s["name"] for s in spans]):
            continue
        c.check(span.get("span_kind") == "TOOL", "%s: tool %s span_kind TOOL" % (label, tool["name"]),
                span.get("span_kind"))
        c.check(attr(span, "tool.name") == tool["name"] and attr(span, "mcp.server.name") == tool["server"],
                "%s: tool.name %s, mcp.server.name %s" % (label, tool["name"], tool["server"]),
                {k: attr(span, k) for k in ("tool.name", "mcp.server.name", "mcp.server.url")})
        c.check(chat_id in ancestors(span, by_id), "%s: tool %s is under chat" % (label, tool["name"]))
        tool_id = attr(span, "tool.id")
        asked = [attr(s, "llm.output_messages.0.message.tool_calls.0.tool_call.id") for s in llms]
        c.check(isinstance(tool_id, str) and tool_id != "" and tool_id in asked,
                "%s: tool %s span's tool.id %s is the tool_call.id on the LLM span that asked for it"
                % (label, tool["name"], tool_id), asked)

    errors = sorted(s["name"] for s in spans if s.get("status_code") == "ERROR")
    if expected["error"]:
        c.check(chat.get("status_code") == "ERROR", "%s: chat status ERROR (%s)" % (label, chat.get("status_message")),
                chat.get("status_code"))
        c.check(llms and all(s.get("status_code") == "ERROR" for s in llms),
                "%s: %s status ERROR" % (label, expected["llmName"]), [s.get("status_code") for s in llms])
        c.check(roots and roots[0].get("status_code") == "ERROR",
                "%s: root span status ERROR (HTTP 502)" % label, roots[0].get("status_code") if roots else None)
    else:
        c.check(not errors, "%s: no span has status ERROR" % label, errors)
        usage = expected.get("usage") or {}
        if usage:
            prompt = sum(attr(s, "llm.token_count.prompt") or 0 for s in llms)
            completion = sum(attr(s, "llm.token_count.completion") or 0 for s in llms)
            c.check((prompt, completion) == (usage.get("inputTokens"), usage.get("outputTokens")),
                    "%s: the LLM spans' tokens (%d in, %d out) add up to the reply's usage" % (label, prompt, completion),
                    usage)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--phoenix", required=True)
    parser.add_argument("--project", required=True)
    parser.add_argument("--wait", type=float, default=90)
    parser.add_argument("--out", help="write the spans Phoenix returned here (JSON)")
    parser.add_argument("expectations", nargs="+")
    args = parser.parse_args()
    base = args.phoenix.rstrip("/")
    c = Checks("phoenix")

    expected, sessions = [], []
    for path in args.expectations:
        content = read_json(path)
        expected += content.get("traces", [])
        sessions += content.get("sessions", [])
    if not c.check(expected, "there are traces to look for (%d)" % len(expected)):
        return c.summary()

    # ---- wait until Phoenix has stored every expected trace, complete
    started = time.monotonic()
    spans, pages, traces, missing, last_error = [], 0, {}, expected, None
    while True:
        try:
            status, projects = get_json(base + "/v1/projects")
            names = [p.get("name") for p in (projects or {}).get("data", [])] if status == 200 else []
            if args.project in names:
                spans, pages = fetch_spans(base, args.project)
                traces = by_trace(spans)
                missing = [e for e in expected if not complete(e, traces.get(e["traceId"], []))]
                if not missing:
                    break
        except (RuntimeError, KeyError, TypeError) as error:
            last_error = str(error)
        if time.monotonic() - started > args.wait:
            break
        time.sleep(0.5)
    waited = time.monotonic() - started
    c.info("Phoenix returned %d spans of %s in %d page(s) of %d after %.1fs"
           % (len(spans), args.project, pages, PAGE_SIZE, waited))
    if args.out:
        write_json(args.out, spans)

    status, projects = get_json(base + "/v1/projects")
    names = [p.get("name") for p in (projects or {}).get("data", [])] if status == 200 else []
    c.check(args.project in names, "GET /v1/projects lists project %s" % args.project, projects)
    c.check(not missing, "Phoenix stored all %d traces, complete, within %.0fs (took %.1fs)"
            % (len(expected), args.wait, waited),
            {"missing": [e["label"] for e in missing], "lastError": last_error})
    c.check(pages > 1, "the span list took more than one page (cursor paging exercised: %d pages)" % pages)

    ours = {e["traceId"] for e in expected}
    try:
        default_spans, _ = fetch_spans(base, "default") if "default" in names else ([], 0)
        strays = sorted({s["name"] for s in default_spans if s["context"]["trace_id"] in ours})
        c.check(not strays, "no span of ours in project default (it holds %d spans)" % len(default_spans), strays)
    except RuntimeError as error:
        c.fail("could not read project default", str(error))
    foreign = sorted({s["context"]["trace_id"] for s in spans} - ours)
    c.info("traces in %s besides the expected ones: %d" % (args.project, len(foreign)))

    for e in expected:
        if traces.get(e["traceId"]):
            check_trace(c, e, traces[e["traceId"]])
        else:
            c.fail("%s: trace %s is in Phoenix" % (e["label"], e["traceId"]))

    # ---- the reply's traceId finds its trace through the trace_id filter
    for e in expected:
        try:
            found, _ = fetch_spans(base, args.project, trace_id=e["traceId"])
        except RuntimeError as error:
            found = []
            c.info(str(error))
        c.check(found and all(s["context"]["trace_id"] == e["traceId"] for s in found)
                and len(found) == len(traces.get(e["traceId"], [])),
                "%s: GET spans?trace_id=%s finds its %d spans" % (e["label"], e["traceId"], len(found)))

    # ---- conversations: one session.id, and Phoenix's sessions endpoint groups the traces
    for session in sessions:
        conversation = session["conversationId"]
        chat_sessions = [attr(s, "session.id") for t in session["traceIds"] for s in traces.get(t, [])
                         if s["name"] == "chat"]
        c.check(len(chat_sessions) == len(session["traceIds"]) and set(chat_sessions) == {conversation},
                "conversation: the chat spans of both messages carry session.id %s" % conversation, chat_sessions)
        status, body = get_json("%s/v1/projects/%s/sessions?limit=100" % (base, urllib.parse.quote(args.project)))
        if status == 404:
            c.info("this Phoenix has no GET /v1/projects/{project}/sessions (404); session grouping not checked")
            continue
        grouped = [s for s in (body or {}).get("data", []) if s.get("session_id") == conversation]
        grouped_traces = sorted(t.get("trace_id") for s in grouped for t in s.get("traces", []))
        c.check(status == 200 and len(grouped) == 1 and grouped_traces == sorted(session["traceIds"]),
                "conversation: GET /v1/projects/%s/sessions groups its %d traces under session %s"
                % (args.project, len(session["traceIds"]), conversation), {"status": status, "grouped": grouped})
        if grouped:
            tokens = (grouped[0].get("token_count_prompt"), grouped[0].get("token_count_completion"))
            c.info("session token counts in Phoenix: prompt %s, completion %s" % tokens)

    return c.summary()


if __name__ == "__main__":
    sys.exit(main())
