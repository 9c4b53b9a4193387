"""Whole numbers read from addresses and forms: ASCII digits only, within what the database holds.

``str.isdigit`` says yes to "²" and "¹", which ``int`` refuses, and ``int`` takes numbers no
column holds, which SQLite and PostgreSQL fail on rather than find nothing: both were a 500.
"""

from __future__ import annotations

import re
from typing import Any

from werkzeug.routing import IntegerConverter

# Ids, revision numbers and page numbers are 32-bit integers in the database.
MAX_NUMBER = 2**31 - 1
_DIGITS = re.compile(r"[0-9]+", re.ASCII)


def parse_number(value: str | None) -> int | None:
    """``value`` as a whole number from 0 to MAX_NUMBER, or None if it is anything else."""
    if value is None or not _DIGITS.fullmatch(value):
        return None
    number = int(value)
    return number if number <= MAX_NUMBER else None


def whole_number(value: str) -> int:
    """``parse_number`` as a ``type=`` for ``request.args.get``, which drops a ValueError."""
    number = parse_number(value)
    if number is None:
        raise ValueError(f"not a whole number from 0 to {MAX_NUMBER}")
    return number


class NumberConverter(IntegerConverter):
    """``<int:…>`` in routes, up to MAX_NUMBER: a larger number is a 404 like any other."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_NUMBER)
        super().__init__(map, *args, **kwargs)
