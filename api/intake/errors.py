"""The one error intake raises: the input as a whole cannot be read as leads."""

from __future__ import annotations


class IntakeError(ValueError):
    """The file or payload cannot be parsed at all (no header, no name column, broken CSV).

    Problems with single rows never raise; they become per-row rejections.
    """
