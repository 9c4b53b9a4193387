"""The notification settings form."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from wtforms import BooleanField, SelectField

from wiki.forms import ServiceForm, choices
from wiki.numbers import parse_number

MAX_IDS = 500


class SettingsForm(ServiceForm):
    immediate = BooleanField("Email me at once when I am mentioned or asked to act")
    digest = BooleanField("Email me a daily digest of everything else")
    digest_hour = SelectField(
        "Send the digest at",
        choices=choices((str(hour), f"{hour:02d}:00 UTC") for hour in range(24)),
        coerce=int,
    )

    def choices(self, kinds: Iterable[str]) -> dict[str, Any]:
        """The service's keyword arguments for what was chosen."""
        return {
            "immediate": bool(self.immediate.data),
            "digest": bool(self.digest.data),
            "hour": int(self.digest_hour.data or 0),
            "kinds": list(kinds),
        }


def parse_ids(values: Iterable[str]) -> list[int]:
    """Notice ids from a form; anything that is not one is left out."""
    ids = [parse_number(value) for value in list(values)[:MAX_IDS]]
    return [number for number in ids if number is not None]
