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
import itertools
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
    lines = _lines(text)
    first = _next_content_line(lines)
    if first is None:
        raise IntakeError("the file is empty: expected a header row naming the columns")
    hint = first.strip()
    if hint.lower().startswith("sep=") and len(hint) == 5:
        delimiter = hint[4]
        first = _next_content_line(lines)
        if first is None:
            raise IntakeError("the file has no header row after its 'sep=' line")
    else:
        delimiter = sniff_delimiter(first)
    # The header line goes back in front: it may itself hold a quoted newline.
    reader = csv.reader(itertools.chain((first,), lines), delimiter=delimiter)
    try:
        header = next(reader)
    except csv.Error as exc:
        raise IntakeError(f"the header row cannot be read as CSV: {exc}") from exc
    return header, _rows(reader)


# Characters str.splitlines() breaks on besides \r and \n; CSV treats them as data.
_OTHER_LINE_BREAKS = "\v\f\x1c\x1d\x1e\x85\u2028\u2029"


def _lines(text: str) -> Iterator[str]:
    """The lines of the text with their endings, as the csv reader wants them.

    ``splitlines`` is the fast way, but it also breaks at form feeds and Unicode line
    separators that a CSV cell may contain; such rare files go through StringIO, which
    breaks at \r, \n and \r\n only.
    """
    if any(char in text for char in _OTHER_LINE_BREAKS):
        return iter(io.StringIO(text, newline=""))
    return iter(text.splitlines(keepends=True))


def _next_content_line(lines: Iterator[str]) -> str | None:
    for line in lines:
        if line.strip():
            return line
    return None


def _rows(reader: Iterator[list[str]]) -> Iterator[list[str]]:
    try:
        yield from reader
    except csv.Error as exc:
        line = getattr(reader, "line_num", "?")
        raise IntakeError(f"the file stops being valid CSV near line {line}: {exc}") from exc
