"""Who wrote what, as pages: each paragraph's shares, people, organisations and revisions,
now or at a revision, the text marked by the kind and organisation of who wrote it, and one
paragraph's history with the word diff of each revision that changed it. Documents are
written through the real paths and pages read by their words.
"""

from __future__ import annotations

import re

from flask import Flask

from tests.wiki.history_helpers import (
    CSO_LABEL,
    GOV,
    GOV_LABEL,
    P1,
    SLUG,
    V2,
    V4,
    AsPerson,
    changes,
    diff_html,
    links,
    page,
    words,
    write_story,
)


def test_attribution_page_gives_shares_people_organisations_and_revisions_in_words(
    app: Flask, as_person: AsPerson
) -> None:
    gov = as_person(GOV)
    write_story(app, gov)
    html = page(gov, f"/{SLUG}/attribution")
    items = re.findall(r'<li id="p-([0-9.]+)">(.*?)</li>', html, re.DOTALL)
    # Non-whitespace characters of the last paragraph: 52 by the government (its words
    # left after the deletion), 16 by civil society ("within thirty days"): 52/68 and
    # 16/68, 76.5% and 23.5%, shown as whole percentages that add up to 100.
    assert [(pid, words(body)) for pid, body in items] == [
        (
            "1.0",
            f"{P1.replace('contracts every', 'contracts and tenders every')} 100% government "
            "Written by: Gita Gov. Organisations: Cabinet Office "
            "(government). Last changed in revision 3. History of this paragraph "
            "(The ministry will publish all signed con) Nothing removed.",
        ),
        (
            "1.61",
            "Civil society groups may comment on each published contract within thirty "
            "days. 76% government · 24% civil society "
            "Written by: Gita Gov, Chidi Cso. Organisations: Cabinet Office (government), "
            "Open Data Charity (civil society). Last changed in revision 4. History of "
            "this paragraph (Civil society groups may comment on each) "
            "Removed: 9 characters by civil society (Open Data Charity: 9).",
        ),
    ]
    assert 'aria-label="76% government · 24% civil society"' in html
    assert '<rect class="bar-government" x="0" y="0" width="76" height="14">' in html
    assert '<rect class="bar-civil_society" x="76" y="0" width="24" height="14">' in html
    assert links(html)["History of this paragraph (Civil society groups may comment on each)"] == (
        f"/{SLUG}/attribution/1.61"
    )
    assert links(html)["Mark the text by kind of organisation"] == f"/{SLUG}/attribution?marks=1"

    # At revision 2 the last paragraph still had "signed and": 61 government, 16 civil society.
    at2 = page(gov, f"/{SLUG}/attribution?revision=2")
    assert "As it was after revision 2." in at2
    items = re.findall(r'<li id="p-([0-9.]+)">(.*?)</li>', at2, re.DOTALL)
    assert [pid for pid, _ in items] == ["1.0", "1.61"]
    assert words(items[1][1]).startswith(
        "Civil society groups may comment on each signed and published contract within thirty "
        "days. 79% government · 21% civil society"
    )
    assert "Last changed in revision 2." in words(items[1][1])
    assert words(items[0][1]).startswith(f"{P1} 100% government")


def test_attribution_marks_label_every_stretch_of_text_with_its_kind_and_organisation(
    app: Flask, as_person: AsPerson
) -> None:
    gov = as_person(GOV)
    write_story(app, gov)
    html = page(gov, f"/{SLUG}/attribution?marks=1")
    marked = re.search(r'<div class="marked-text">(.*?)</div>', html, re.DOTALL)
    assert marked
    government, civil = "[government: Cabinet Office]", "[civil society: Open Data Charity]"
    assert re.findall(
        r'<span class="by-([a-z_]+)"><span class="change-label">', marked.group(1)
    ) == ["government", "civil_society", "government"]
    start, end = V4.split(" within thirty days")
    assert words(marked.group(1)) == words(
        f"{government}{start}{civil} within thirty days{government}{end}"
    )
    assert links(html)["Hide the marks in the text"] == f"/{SLUG}/attribution"
    assert "The text, marked by who wrote it" in html
    assert "The text, marked by who wrote it" not in page(gov, f"/{SLUG}/attribution")

    # At revision 2: the CSO's words are there, the later government words are not.
    at2 = page(gov, f"/{SLUG}/attribution?revision=2&marks=1")
    marked = re.search(r'<div class="marked-text">(.*?)</div>', at2, re.DOTALL)
    assert marked
    start, end = V2.split(" within thirty days")
    assert words(marked.group(1)) == words(
        f"{government}{start}{civil} within thirty days{government}{end}"
    )
    assert links(at2)["Hide the marks in the text"] == f"/{SLUG}/attribution?revision=2"


def test_paragraph_history_lists_every_revision_that_changed_it_with_its_word_diff(
    app: Flask, as_person: AsPerson
) -> None:
    gov = as_person(GOV)
    write_story(app, gov)
    html = page(gov, f"/{SLUG}/attribution/1.61")
    items = re.findall(r"<li>\s*<h2>(.*?)</h2>\s*<p>(.*?)</p>(.*?)</li>", html, re.DOTALL)
    assert [(words(h), words(by)) for h, by, _ in items] == [
        ("Revision 1", "By Gita Gov, Cabinet Office Government, TIME."),
        ("Revision 2", "By Chidi Cso, Open Data Charity Civil society, TIME."),
        ("Revision 4", "By Chidi Cso, Open Data Charity Civil society, TIME."),
    ]
    assert [changes(body) for _, _, body in items] == [
        [
            (
                "added",
                GOV_LABEL,
                "Civil society groups may comment on each signed and published contract.\n",
            )
        ],
        [("added", CSO_LABEL, " within thirty days")],
        [("deleted", CSO_LABEL, "signed and ")],
    ]
    assert words(diff_html(items[2][2])) == words(
        f"Civil society groups may comment on each [deleted by {CSO_LABEL}:] signed and "
        "[end of deletion]published contract within thirty days."
    )
    # The other paragraph's history: revision 3 changed it, and the CSO's revisions did not.
    other = page(gov, f"/{SLUG}/attribution/1.0")
    assert re.findall(r"<h2>Revision (\d+)</h2>", other) == ["1", "3"]
    assert gov.get(f"/{SLUG}/attribution/9.9").status_code == 404
