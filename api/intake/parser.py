"""Entry points: a CSV file or a list of JSON records in, a ParseResult out.

Row numbers are 1-based data rows: the header is not counted, nor are blank lines
(spreadsheets leave them, and rows of only delimiters, at the end of exports).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from api.intake.columns import ColumnPlan, build_plan
from api.intake.decoding import decode_bytes, read_table
from api.intake.drafts import build_draft
from api.intake.errors import IntakeError
from api.intake.gcpause import paused_gc
from api.intake.result import LeadDraft, ParseResult, Rejection
from api.intake.validate import RowRejected


def parse_leads(data: bytes | str, *, source: str = "upload") -> ParseResult:
    """Parse a CSV file (bytes as uploaded, or text) into lead drafts and row rejections.

    Raises IntakeError when the file as a whole is unusable: empty, no header, no
    company-name column, or broken CSV quoting.
    """
    stream = stream_leads(data, source=source)
    with paused_gc():
        leads = list(stream)
    return stream.result(leads)


def stream_leads(data: bytes | str, *, source: str = "upload") -> LeadStream:
    """The same parse, one draft at a time, so storing can start before parsing ends.

    The header is read (and a file without a usable header refused with IntakeError)
    here; broken quoting further down raises IntakeError from the iteration.
    """
    text = decode_bytes(bytes(data)) if not isinstance(data, str) else data
    header, rows = read_table(text)
    return LeadStream(rows, build_plan(header), source)


class LeadStream:
    """Iterate for the lead drafts; once exhausted, ``rejections`` and ``total_rows`` are
    complete and :meth:`result` wraps the drafts into a ParseResult."""

    def __init__(self, rows: Iterable[list[str]], plan: ColumnPlan, source: str) -> None:
        self._rows = rows
        self.plan = plan
        self.source = source
        self.rejections: list[Rejection] = []
        self.total_rows = 0

    def __iter__(self) -> Iterator[LeadDraft]:
        rejections = self.rejections
        plan = self.plan
        width = plan.width
        split_row = plan.split_row
        index = 0
        for row in self._rows:
            if len(row) != width or not row[0]:
                if not "".join(row).strip():
                    continue  # blank line, or a line of delimiters only
                if len(row) > width:
                    extra = row[width:]
                    if any(cell.strip() for cell in extra):
                        index += 1
                        rejections.append(_ragged(index, len(row), width))
                        continue
                    row = row[:width]  # a trailing delimiter: nothing was shifted
                elif len(row) < width:
                    row = row + [""] * (width - len(row))  # trailing empty cells left out
            index += 1
            self.total_rows = index
            cells, raw = split_row(row)  # (the per-row body of _accept, inlined: hot loop)
            try:
                draft = build_draft(cells, raw, index, plan)
            except RowRejected as rejected:
                rejections.append(Rejection(index, f"row {index}: {rejected.reason}"))
                continue
            yield draft
        self.total_rows = index

    def result(self, leads: list[LeadDraft]) -> ParseResult:
        return ParseResult(
            leads=leads,
            rejections=self.rejections,
            total_rows=self.total_rows,
            format=self.plan.format,
            source=self.source,
            raw_columns=[name for name, _ in self.plan.raw_columns],
        )


def parse_records(records: Sequence[Any], source: str = "json") -> ParseResult:
    """Parse JSON lead objects with the same mapping and rules as CSV rows.

    Keys are column names; row numbers are positions in the list (1-based). Nested
    values are kept as JSON text; lists become comma lists (e.g. ``oems``).
    """
    if isinstance(records, str | bytes) or not isinstance(records, Sequence):
        raise IntakeError("expected a list of lead objects")
    with paused_gc():
        return _parse_objects(records, source)


def _parse_objects(records: Sequence[Any], source: str) -> ParseResult:
    leads: list[LeadDraft] = []
    rejections: list[Rejection] = []
    plans: dict[tuple[str, ...], ColumnPlan | str] = {}
    formats: set[str] = set()
    raw_columns: dict[str, None] = {}
    total = 0
    for position, record in enumerate(records, start=1):
        if isinstance(record, dict) and not record:
            continue
        total += 1
        if not isinstance(record, dict):
            reason = f"row {position}: expected an object with named fields"
            rejections.append(Rejection(position, reason))
            continue
        keys = tuple(str(key) for key in record)
        plan = plans.get(keys)
        if plan is None:
            plan = plans[keys] = _plan_or_reason(keys)
        if isinstance(plan, str):
            rejections.append(Rejection(position, f"row {position}: {plan}"))
            continue
        formats.add(plan.format)
        raw_columns.update((name, None) for name, _ in plan.raw_columns)
        row = [_cell(value) for value in record.values()]
        _accept(row, position, plan, leads, rejections)
    return ParseResult(
        leads=leads,
        rejections=rejections,
        total_rows=total,
        format="dealer" if "dealer" in formats else "generic",
        source=source,
        raw_columns=list(raw_columns),
    )


def _accept(
    row: list[str],
    index: int,
    plan: ColumnPlan,
    leads: list[LeadDraft],
    rejections: list[Rejection],
) -> None:
    cells, raw = plan.split_row(row)
    try:
        leads.append(build_draft(cells, raw, index, plan))
    except RowRejected as rejected:
        rejections.append(Rejection(index, f"row {index}: {rejected.reason}"))


def _ragged(index: int, found: int, width: int) -> Rejection:
    reason = (
        f"row {index}: {found} fields but the header has {width} "
        "(a delimiter inside a value that is not quoted?)"
    )
    return Rejection(index, reason)


def _plan_or_reason(keys: Iterable[str]) -> ColumnPlan | str:
    try:
        return build_plan(list(keys))
    except IntakeError:
        return "missing company name (no company_name or name field)"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ", ".join(_cell(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)
