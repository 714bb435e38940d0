"""Cells written to CSV files that people open in spreadsheets (OWASP "CSV injection").

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula
(``=HYPERLINK(...)`` leaks data, ``+cmd|' /C calc'!A0`` runs a program through DDE), and
tab or carriage return let such a cell hide behind whitespace. Lead fields come from
scraped files and API callers, so every text cell of every CSV the project writes goes
through :func:`safe_cell`: such a cell gets a leading ``'``, which spreadsheets read as
"this is text". Numbers (score, counts) are written as numbers; only text is prefixed,
so a negative number that arrived as text in a name or city is prefixed like any formula.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

FORMULA_CHARS = frozenset("=+-@")
_HIDING_CHARS = frozenset("\t\r")

K = TypeVar("K")


def is_formula_like(text: str) -> bool:
    """True when a spreadsheet could read ``text`` as a formula.

    Leading whitespace is looked through (``"  =1+2"``, ``"\\n@SUM(A1)"``); a cell that
    itself starts with a tab or carriage return counts whatever follows.
    """
    if not text:
        return False
    if text[0] in _HIDING_CHARS:
        return True
    first = text.lstrip()[:1]
    return first in FORMULA_CHARS


def safe_cell(value: Any) -> Any:
    """``value`` with a leading ``'`` when it is text a spreadsheet would run; else as is."""
    if isinstance(value, str) and is_formula_like(value):
        return "'" + value
    return value


def safe_row(row: Iterable[Any]) -> list[Any]:
    """Every cell of a ``csv.writer`` row through :func:`safe_cell`."""
    return [safe_cell(value) for value in row]


def safe_record(record: Mapping[K, Any]) -> dict[K, Any]:
    """Every value of a ``csv.DictWriter`` row through :func:`safe_cell`."""
    return {key: safe_cell(value) for key, value in record.items()}
