"""The timeslider page: each revision's text with its changes marked, steps that work without
JavaScript, links to the diff and to restoring, under the same policy as the history."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask

from tests.wiki.conftest import Browser
from tests.wiki.history_helpers import (
    CSO,
    CSO_LABEL,
    GOV,
    GOV_LABEL,
    SLUG,
    V1,
    changes,
    make_document,
    page,
    write,
    write_story,
)

AsPerson = Callable[[str], Browser]
STEP_LINK = re.compile(r'<a rel="(prev|next)" data-revision="(\d+)" href="([^"]+)"')


def steps(html: str) -> dict[str, tuple[int, str]]:
    """The previous and next links of a step: rel -> (revision, address)."""
    return {rel: (int(number), href) for rel, number, href in STEP_LINK.findall(html)}


def test_timeslider_steps_through_every_revision_with_its_changes_marked(
    app: Flask, as_person: AsPerson
) -> None:
    gov = as_person(GOV)
    write_story(app, gov)
    url = f"/{SLUG}/history/timeslider"
    first = page(gov, f"{url}?revision=1")
    assert "Revision 1 of 4" in first
    assert changes(first) == [("added", GOV_LABEL, V1)]
    assert steps(first) == {"next": (2, f"{url}?revision=2")}
    second = page(gov, steps(first)["next"][1])
    assert "Revision 2 of 4" in second
    assert changes(second) == [("added", CSO_LABEL, " within thirty days")]
    assert steps(second) == {"prev": (1, f"{url}?revision=1"), "next": (3, f"{url}?revision=3")}
    assert changes(page(gov, steps(second)["next"][1])) == [("added", GOV_LABEL, "and tenders ")]
    newest = page(gov, url)  # no revision asked: the newest
    assert "Revision 4 of 4" in newest
    assert changes(newest) == [("deleted", CSO_LABEL, "signed and ")]
    assert "next" not in steps(newest)
    assert f'href="/{SLUG}/diff?from=3&amp;to=4"' in newest
    # Numbers out of range are kept within the revisions there are.
    assert "Revision 4 of 4" in page(gov, f"{url}?revision=99")
    assert "Revision 1 of 4" in page(gov, f"{url}?revision=0")


def test_timeslider_offers_restore_to_editors_only(app: Flask, as_person: AsPerson) -> None:
    gov = as_person(GOV)
    write_story(app, gov)
    restore = f'action="/{SLUG}/revisions/2/restore"'
    assert restore in page(gov, f"/{SLUG}/history/timeslider?revision=2")
    assert "/restore" not in page(gov, f"/{SLUG}/history/timeslider?revision=4")
    reviewer = as_person("reviewer@example.org")
    assert restore not in page(reviewer, f"/{SLUG}/history/timeslider?revision=2")
    history = page(gov, f"/{SLUG}/history")
    assert f'href="/{SLUG}/history/timeslider?revision=3"' in history


def test_timeslider_of_an_empty_or_hidden_document(app: Flask, as_person: AsPerson) -> None:
    make_document(app, "empty", "Cabinet Office")
    assert "no revisions yet" in page(as_person(CSO), "/empty/history/timeslider")
    make_document(app, "secret", "Cabinet Office", "private")
    write(app, "secret", GOV, "Only the department reads this.\n")
    assert "Revision 1 of 1" in page(as_person(GOV), "/secret/history/timeslider")
    hidden = as_person(CSO).get("/secret/history/timeslider?revision=1")
    missing = as_person(CSO).get("/no-such-doc/history/timeslider?revision=1")
    assert hidden.status_code == missing.status_code == 404
    assert "Secret" not in hidden.get_data(as_text=True)
