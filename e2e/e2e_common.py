"""Shared helpers of the end-to-end checks: PASS/FAIL counting, HTTP with JSON, and a small SSE client.

Standard library only, so any python3 (3.8+) runs the checks.
"""

import json
import sys
import time
import urllib.error
import urllib.request


class Checks:
    """Counts and prints checks. Each check prints one PASS or FAIL line; summary() prints the closing count."""

    def __init__(self, label):
        self.label = label
        self.passed = 0
        self.failed = 0

    def check(self, condition, message, detail=None):
        if condition:
            self.passed += 1
            print("PASS: " + message, flush=True)
        else:
            self.failed += 1
            print("FAIL: " + message + ("" if detail is None else " -- " + _short(detail)), flush=True)
        return bool(condition)

    def fail(self, message, detail=None):
        return self.check(False, message, detail)

    def info(self, message):
        print("  .. " + message, flush=True)

    def summary(self):
        print("%s: %d passed, %d failed" % (self.label, self.passed, self.failed), flush=True)
        return 0 if self.failed == 0 else 1


def _short(value, limit=600):
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "..."


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def content_type(self):
        return self.headers.get("Content-Type", "")

    def json(self):
        try:
            return json.loads(self.body.decode("utf-8"))
        except ValueError:
            return None

    def text(self, limit=600):
        return _short(self.body.decode("utf-8", "replace"), limit)


def request(method, url, body=None, headers=None, timeout=30):
    """One HTTP request; never raises for an HTTP status. Status 0 means no answer (the reason is the body)."""
    data = None
    all_headers = dict(headers or {})
    if body is not None:
        data = json.dumps(body).encode("utf-8")
        all_headers.setdefault("Content-Type", "application/json")
    req = urllib.request.Request(url, data=data, method=method, headers=all_headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as answer:
            return Response(answer.status, answer.headers, answer.read())
    except urllib.error.HTTPError as error:
        return Response(error.code, error.headers, error.read())
    except (urllib.error.URLError, OSError) as error:
        return Response(0, {}, str(error).encode("utf-8"))


def get_json(url, timeout=15):
    answer = request("GET", url, headers={"Accept": "application/json"}, timeout=timeout)
    return answer.status, answer.json()


def stream_events(url, body, timeout=60):
    """POSTs a JSON body and reads a text/event-stream answer.

    Returns (status, content type, events, error) where events is a list of dicts {event, data, at} (data parsed as
    JSON when it is JSON; at = seconds since the request was sent). A non-SSE answer's body is returned as error.
    """
    req = urllib.request.Request(url, data=json.dumps(body).encode("utf-8"), method="POST",
                                 headers={"Content-Type": "application/json", "Accept": "text/event-stream"})
    started = time.monotonic()
    events = []
    try:
        answer = urllib.request.urlopen(req, timeout=timeout)
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), events, error.read().decode("utf-8", "replace")
    except (urllib.error.URLError, OSError) as error:
        return 0, "", events, str(error)
    with answer:
        content_type = answer.headers.get("Content-Type", "")
        if not content_type.startswith("text/event-stream"):
            return answer.status, content_type, events, answer.read().decode("utf-8", "replace")
        name, data = None, []
        deadline = started + timeout
        for raw in answer:  # the socket timeout bounds each read; the deadline bounds the whole stream
            if time.monotonic() > deadline:
                return answer.status, content_type, events, "stream still open after %ss" % timeout
            line = raw.decode("utf-8").rstrip("\r\n")
            if line.startswith(":"):
                continue  # keep-alive comment
            if line.startswith("event:"):
                name = line[len("event:"):].strip()
            elif line.startswith("data:"):
                data.append(line[len("data:"):].lstrip())
            elif line == "" and (name or data):
                text = "\n".join(data)
                try:
                    parsed = json.loads(text)
                except ValueError:
                    parsed = text
                events.append({"event": name or "message", "data": parsed,
                               "at": round(time.monotonic() - started, 3)})
                name, data = None, []
        return answer.status, content_type, events, None


def trace_id_of(traceparent):
    """The trace id of a W3C traceparent header value, or None."""
    parts = (traceparent or "").split("-")
    return parts[1] if len(parts) == 4 and len(parts[1]) == 32 else None


def write_json(path, value):
    with open(path, "w", encoding="utf-8") as out:
        json.dump(value, out, indent=2)
        out.write("\n")


def read_json(path):
    with open(path, encoding="utf-8") as source:
        return json.load(source)


def die(message):
    print("FAIL: " + message, flush=True)
    sys.exit(1)
