"""Turn a model's text into the agent's pydantic output, or say precisely why not."""

from __future__ import annotations

import json
import re
from typing import TypeVar

from pydantic import BaseModel, ValidationError

OutputT = TypeVar("OutputT", bound=BaseModel)
_FENCE = re.compile(r"^```(?:json)?\s*(.*?)\s*```$", re.DOTALL | re.IGNORECASE)


class InvalidOutputError(ValueError):
    """The answer is not one JSON object valid against the schema."""


def parse_output(text: str, schema: type[OutputT]) -> OutputT:
    """The validated output; fenced JSON (```json ... ```) is accepted, prose is not."""
    body = text.strip()
    fenced = _FENCE.match(body)
    if fenced:
        body = fenced.group(1)
    try:
        value = json.loads(body)
    except json.JSONDecodeError as exc:
        raise InvalidOutputError(f"not JSON ({exc.msg} at char {exc.pos})") from exc
    if not isinstance(value, dict):
        raise InvalidOutputError(f"expected a JSON object, got {type(value).__name__}")
    try:
        return schema.model_validate(value)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '<root>'}: {err['msg']}"
            for err in exc.errors(include_url=False, include_input=False)[:5]
        )
        raise InvalidOutputError(f"schema {schema.__name__}: {problems}") from exc
