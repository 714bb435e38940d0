"""Lead fields are untrusted data: how they enter a prompt, and what an answer may not do.

Lead data comes from scraped dealer lists and websites; anyone can put "ignore previous
instructions" in a company name. Three defences, none relying on the model's good will:

1. The data travels as one JSON object inside ``<lead_data>`` tags, with every ``<`` and
   ``>`` escaped (``\\u003c``) so no value can close the block; control characters are
   dropped and long strings cut.
2. Fields whose text reads like instructions are named to the model as plain data and
   recorded on the execution (``suspicious_fields``).
3. The answer must be a JSON object valid against the agent's schema (structured.py), and
   no string in it may repeat the system prompt (:func:`leaks_prompt`): otherwise the
   rules engine decides.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pydantic import BaseModel

MAX_FIELD_CHARS = 600
MAX_LIST_ITEMS = 30
# Control characters, zero-width and bidi-override characters (which can hide text from a
# human reviewer while the model still reads it).
_CONTROL = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]"
)
_INSTRUCTION_LIKE = re.compile(
    r"ignore\s+(?:all\s+|any\s+)?(?:the\s+)?(?:previous|prior|above|earlier)"
    r"|disregard\s+(?:all|any|the|previous|prior|your)"
    r"|system\s+prompt|you\s+are\s+now|new\s+instructions?"
    r"|(?:reveal|print|output|repeat|show)\s+(?:me\s+)?(?:your|the)\s+(?:instructions|prompt|rules)"
    r"|</?\s*(?:system|assistant|user|lead_data)\b|\bassistant\s*:|\bsystem\s*:",
    re.IGNORECASE,
)
# A repeated prompt line shorter than this could be a coincidence ("Answer in JSON").
_MIN_LEAK_CHARS = 40


@dataclass(frozen=True)
class GuardedData:
    """The data block for a prompt and the fields that looked like instructions."""

    block: str
    suspicious_fields: tuple[str, ...]


def guard_data(data: Mapping[str, Any]) -> GuardedData:
    """Clean ``data`` and render it as the ``<lead_data>`` block of a user message."""
    suspicious: list[str] = []
    cleaned = _clean(dict(data), "", suspicious)
    rendered = json.dumps(cleaned, ensure_ascii=False, indent=1, sort_keys=True, default=str)
    # Inside JSON strings \u003c is "<": the model reads the same text, the tags stay ours.
    rendered = rendered.replace("<", "\\u003c").replace(">", "\\u003e")
    return GuardedData(f"<lead_data>\n{rendered}\n</lead_data>", tuple(suspicious))


def _clean(value: Any, path: str, suspicious: list[str]) -> Any:
    if isinstance(value, str):
        text = _CONTROL.sub("", value)
        if len(text) > MAX_FIELD_CHARS:
            text = text[:MAX_FIELD_CHARS] + "…"
        if _INSTRUCTION_LIKE.search(text) and path not in suspicious:
            suspicious.append(path or "value")
        return text
    if isinstance(value, Mapping):
        return {
            str(k): _clean(v, f"{path}.{k}" if path else str(k), suspicious)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [_clean(v, f"{path}[]", suspicious) for v in list(value)[:MAX_LIST_ITEMS]]
    if value is None or isinstance(value, bool | int | float):
        return value
    return _clean(str(value), path, suspicious)


@lru_cache(maxsize=256)
def prompt_lines(system_prompt: str) -> frozenset[str]:
    """The system prompt's lines long enough that repeating one is no coincidence,
    normalised (lower case, single spaces) for matching."""
    return frozenset(
        _normalise(line)
        for line in system_prompt.splitlines()
        if len(line.strip()) >= _MIN_LEAK_CHARS
    )


def leaks_prompt(answer: BaseModel, system_prompt: str, canary: str) -> bool:
    """True when any string of the answer carries the canary or repeats a prompt line."""
    lines = prompt_lines(system_prompt)
    for text in _strings(answer.model_dump()):
        flat = _normalise(text)
        if canary.lower() in flat or any(line in flat for line in lines):
            return True
    return False


def _normalise(text: str) -> str:
    return " ".join(text.lower().split())


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)
