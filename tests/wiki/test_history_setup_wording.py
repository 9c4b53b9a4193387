"""Text written with no person behind it (``flask create-doc``), credited in the product's words."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask

from tests.wiki.conftest import Browser
from tests.wiki.history_helpers import history_rows, page, words, write

AsPerson = Callable[[str], Browser]
GOV = "gov@example.org"
CREATED = "Cabinet Office when the document was created"


def test_every_history_page_credits_text_written_at_creation_in_the_products_words(
    app: Flask, as_person: AsPerson
) -> None:
    runner = app.test_cli_runner()
    made = ["create-doc", "budget", "--kind", "page", "--org", "Cabinet Office"]
    result = runner.invoke(args=made, input="Publish the spending data every month.\n")
    assert result.exit_code == 0, result.output
    write(app, "budget", GOV, "Publish the spending data every week.\n")
    gov = as_person(GOV)
    rows = dict(history_rows(page(gov, "/budget/history")))
    assert rows[1].startswith(f"Revision 1 by {CREATED} Government · TIME")
    assert rows[2].startswith("Revision 2 by Gita Gov, Cabinet Office Government · TIME")
    shown = {
        "revision": "/budget/revisions/1",
        "timeslider": "/budget/history/timeslider?revision=1",
        "diff": "/budget/diff?from=0&to=1",
        "paragraph": "/budget/attribution/1.0",
    }
    for name, url in shown.items():
        text = words(page(gov, url))
        assert CREATED in text, name
        assert "set-up" not in text, name
