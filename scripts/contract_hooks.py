"""Schemathesis hooks of scripts/api-contract-check.sh.

Two fields of the chat bodies take values known only at run time, which the API description cannot enumerate:
`model` (a model Ollama lists) and `project` (PHOENIX_PROJECT_NAME or one of PHOENIX_PROJECTS). A generated value
that fits the schema is replaced by one the service accepts (a model the fake Ollama lists; the default project), so
that positive cases stay positive. Values that break the schema (wrong type, pattern or length) are left as
generated, so negative cases stay negative.
"""
import re

import schemathesis

MODEL_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/+-]*$")
LISTED_MODEL = "tiny-test-model:latest"  # in src/test/resources/ollama/__files/tags.json
LABEL = re.compile(r"^[^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f][^\x00-\x1f\x7f]*$")
DEFAULT_PROJECT = "default"  # the check leaves PHOENIX_PROJECT_NAME unset


@schemathesis.hook
def before_call(context, case, kwargs):
    # every call, whichever phase made the case (the coverage phase's cases do not pass through map_body)
    case.body = accepted(case.body)


def accepted(body):
    model = body.get("model") if isinstance(body, dict) else None
    if isinstance(model, str) and len(model) <= 200 and MODEL_NAME.match(model):
        body["model"] = LISTED_MODEL
    project = body.get("project") if isinstance(body, dict) else None
    if isinstance(project, str) and 1 <= len(project) <= 128 and LABEL.match(project):
        body["project"] = DEFAULT_PROJECT
    return body
