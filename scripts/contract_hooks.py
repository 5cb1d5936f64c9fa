"""Schemathesis hooks of scripts/api-contract-check.sh.

The chat bodies' `model` must be a model Ollama lists, which the API description cannot enumerate: a generated
name that fits the schema is replaced by one the fake Ollama lists, so that positive cases stay positive. Names that
break the schema (wrong type, pattern or length) are left as generated, so negative cases stay negative.
"""
import re

import schemathesis

MODEL_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/+-]*$")
LISTED_MODEL = "tiny-test-model:latest"  # in src/test/resources/ollama/__files/tags.json


@schemathesis.hook
def map_body(context, body):
    model = body.get("model") if isinstance(body, dict) else None
    if isinstance(model, str) and len(model) <= 200 and MODEL_NAME.match(model):
        body["model"] = LISTED_MODEL
    return body
