"""GET /api/docs/<slug>/runs: who wrote each stretch of the text now, in the editor's offsets."""

from __future__ import annotations

import zlib
from collections.abc import Callable
from itertools import pairwise
from typing import Any

from flask import Flask

from tests.wiki.conftest import Browser
from tests.wiki.history_helpers import json_of, live_edit, make_document, text_of, write

AsPerson = Callable[[str], Browser]
GOV = "gov@example.org"
CSO = "cso@example.org"
OPENING = "## Why this plan\n\nThe ministry publishes contracts.\n"
ASK = "\nWe ask for tenders too 🙂 every month.\n"


def utf16(text: str) -> list[bytes]:
    """The text as the browser indexes it: one entry per UTF-16 code unit."""
    units = text.encode("utf-16-le")
    return [units[i : i + 2] for i in range(0, len(units), 2)]


def between(units: list[bytes], start: int, end: int) -> str:
    """The text from UTF-16 offset ``start`` to ``end``."""
    return b"".join(units[start:end]).decode("utf-16-le")


def marked(answer: dict[str, Any], text: str, kind: str) -> str:
    """The text of every run written by ``kind``, in order."""
    units = utf16(text)
    kinds = {rev: who["kind"] for rev, who in answer["revisions"].items()}
    return "".join(
        between(units, run["start"], run["end"])
        for run in answer["runs"]
        if kinds[str(run["revision"])] == kind
    )


def story(app: Flask) -> str:
    make_document(app, "nap", "Cabinet Office", grants=[("Open Data Charity", None, "edit")])
    write(app, "nap", GOV, OPENING)
    live_edit(app, "nap", CSO, [(len(OPENING), 0, ASK)])
    return text_of(app, "nap")


def test_runs_cover_the_text_and_credit_each_side(app: Flask, as_person: AsPerson) -> None:
    text = story(app)
    answer = json_of(as_person(GOV), "/api/docs/nap/runs")
    assert answer["length"] == len(utf16(text)) == len(text) + 1  # the emoji is two units
    assert answer["hash"] == zlib.crc32(text.encode("utf-16-le"))
    ends = [(run["start"], run["end"]) for run in answer["runs"]]
    assert ends[0][0] == 0 and ends[-1][1] == answer["length"]
    assert all(a[1] == b[0] for a, b in pairwise(ends)), ends
    assert marked(answer, text, "civil_society") == ASK
    assert marked(answer, text, "government") == OPENING
    people = {(w["person"], w["organisation"]) for w in answer["revisions"].values()}
    assert people == {("Gita Gov", "Cabinet Office"), ("Chidi Cso", "Open Data Charity")}


def test_paragraph_summaries_say_each_sides_share(app: Flask, as_person: AsPerson) -> None:
    text = story(app)
    answer = json_of(as_person(CSO), "/api/docs/nap/runs")
    units = utf16(text)
    paragraphs = [
        (between(units, p["start"], p["end"]).strip(), p["summary"]) for p in answer["paragraphs"]
    ]
    assert paragraphs == [
        ("## Why this plan", "100% government"),
        ("The ministry publishes contracts.", "100% government"),
        (ASK.strip(), "100% civil society"),
    ]


def test_answer_follows_the_next_edit(app: Flask, as_person: AsPerson) -> None:
    story(app)
    gov = as_person(GOV)
    before = json_of(gov, "/api/docs/nap/runs")
    live_edit(app, "nap", CSO, [(0, 0, "Draft. ")])
    after = json_of(gov, "/api/docs/nap/runs")
    assert after["seq"] > before["seq"]
    assert after["length"] == before["length"] + len("Draft. ")
    first = after["runs"][0]
    assert (first["start"], first["end"]) == (0, len("Draft. "))
    assert after["revisions"][str(first["revision"])]["kind"] == "civil_society"


def test_runs_of_a_document_you_may_not_see_answer_as_missing(
    app: Flask, as_person: AsPerson
) -> None:
    make_document(app, "secret", "Cabinet Office", "private")
    write(app, "secret", GOV, "Only the department reads this.\n")
    outsider = as_person(CSO).get("/api/docs/secret/runs")
    missing = as_person(CSO).get("/api/docs/no-such-doc/runs")
    assert (outsider.status_code, outsider.get_json()) == (404, missing.get_json())
    assert json_of(as_person(GOV), "/api/docs/secret/runs")["length"] == 32
