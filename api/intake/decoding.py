"""Bytes to text to rows: encoding, delimiter, and the csv reader.

Files come from spreadsheets on every platform, so the text may be UTF-8 with or without a
byte-order mark, UTF-16 ("Unicode text" from Excel), or Windows-1252; the delimiter may
be ``,``, ``;`` (European Excel), tab or ``|``. The delimiter is judged from the header
line alone: ``csv.Sniffer`` over a whole file is slow and guesses wrong on free text.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator

from api.intake.errors import IntakeError

DELIMITERS = (",", ";", "\t", "|")


def decode_bytes(data: bytes) -> str:
    """Text of an uploaded file: UTF-8 (BOM or not), UTF-16 with BOM, else cp1252/latin-1."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        # cp1252 leaves five bytes undefined; latin-1 maps every byte, so this never fails.
        return data.decode("latin-1")


def sniff_delimiter(header_line: str) -> str:
    """The candidate delimiter that occurs most often outside quotes in the header line."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in header_line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])  # ties keep the earlier, i.e. ","
    return best if counts[best] else ","


def read_table(text: str) -> tuple[list[str], Iterator[list[str]]]:
    """(header, data rows) of CSV text; rows keep quoted commas and newlines intact.

    An Excel ``sep=;`` first line is honoured and skipped. Raises IntakeError when
    there is no header line at all.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\x00" in text:
        text = text.replace("\x00", "")
    stream = io.StringIO(text, newline="")
    first = _next_content_line(stream)
    if first is None:
        raise IntakeError("the file is empty: expected a header row naming the columns")
    hint = first.strip()
    if hint.lower().startswith("sep=") and len(hint) == 5:
        delimiter = hint[4]
        first = _next_content_line(stream)
        if first is None:
            raise IntakeError("the file has no header row after its 'sep=' line")
    else:
        delimiter = sniff_delimiter(first)
    # The header line may itself hold a quoted newline: let the csv reader read it whole.
    reader = csv.reader(_chain_first(first, stream), delimiter=delimiter)
    try:
        header = next(reader)
    except csv.Error as exc:
        raise IntakeError(f"the header row cannot be read as CSV: {exc}") from exc
    return header, _rows(reader)


def _next_content_line(stream: io.StringIO) -> str | None:
    for line in stream:
        if line.strip():
            return line
    return None


def _chain_first(first: str, rest: Iterator[str]) -> Iterator[str]:
    yield first
    yield from rest


def _rows(reader: Iterator[list[str]]) -> Iterator[list[str]]:
    try:
        yield from reader
    except csv.Error as exc:
        line = getattr(reader, "line_num", "?")
        raise IntakeError(f"the file stops being valid CSV near line {line}: {exc}") from exc
