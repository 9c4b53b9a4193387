"""Search still finds an archived document for those who may see it, and says it is archived."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask

from tests.wiki.conftest import Browser
from tests.wiki.history_helpers import make_document, write

AsPerson = Callable[[str], Browser]
GOV, CSO = "gov@example.org", "cso@example.org"
RESULT = re.compile(r"<li>\s*<h3>.*?</li>", re.DOTALL)


def results(person: Browser, query: str) -> dict[str, str]:
    """Each result's document address -> the result's words, tags stripped."""
    page = person.get(f"/-/search?q={query}").get_data(as_text=True)
    found = {}
    for item in RESULT.findall(page):
        slug = re.search(r'href="/([^"]+)"', item)
        assert slug, item
        found[slug.group(1)] = " ".join(re.sub(r"<[^>]+>", " ", item).split())
    return found


def test_an_archived_document_is_labelled_archived_in_the_search_results(
    app: Flask, as_person: AsPerson
) -> None:
    for slug in ("kept", "old"):
        make_document(app, slug, "Cabinet Office", title=f"Spending {slug}")
        write(app, slug, GOV, "We publish the spending data every month.\n")
    gov = as_person(GOV)
    assert gov.submit("/old/rename", {}, action="/old/archive").status_code == 302
    for person in (gov, as_person(CSO)):
        found = results(person, "spending")
        assert set(found) == {"kept", "old"}
        assert found["old"].endswith("Network · Archived We publish the spending data every month.")
        assert "Archived" not in found["kept"]
