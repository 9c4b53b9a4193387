"""Exports and print: a restricted copy names who it was made for, when, and at which revision."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from tests.wiki.audit_helpers import (
    CSO,
    GOV,
    RESTRICTED,
    SLUG,
    TITLE,
    TREASURY,
    V1,
    V2,
    SignIn,
    audit_rows,
    download,
    restricted_draft,
)
from tests.wiki.conftest import Browser
from tests.wiki.history_helpers import ids, make_document, page, text_only, write
from tests.wiki.test_policy import without_token
from wiki.extensions import db
from wiki.storage.models import AuditEvent

CHIDI = "Chidi Cso <cso@example.org>, Open Data Charity"
STAMP = r"\d{4}-\d\d-\d\d \d\d:\d\d UTC"


def export_time(app: Flask) -> str:
    """The time of the newest "export" row, as the footer states it."""
    with app.app_context():
        at = db.session.scalars(
            select(AuditEvent.at).where(AuditEvent.action == "export").order_by(AuditEvent.id)
        ).all()[-1]
        return at.strftime("%Y-%m-%d %H:%M UTC")


def footer_of(html: str) -> str:
    """The text of an HTML export's footer, as read out."""
    match = re.search(r'<footer class="export-footer">(.*?)</footer>', html, re.DOTALL)
    assert match, "no footer in the HTML export"
    return " ".join(text_only(match.group(1)).split())


def test_markdown_export_of_a_restricted_draft_names_its_recipient(
    app: Flask, as_person: SignIn
) -> None:
    restricted_draft(app)
    response = download(as_person(CSO), f"/{SLUG}/export.md")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/markdown; charset=utf-8"
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=budget-draft-revision-2.md"
    )
    footer = f"Exported for {CHIDI}, on {export_time(app)}, revision 2. {RESTRICTED}"
    assert response.get_data(as_text=True) == f"{V2.rstrip()}\n\n---\n\n{footer}\n"
    who = ids(app)
    export_rows = [row for row in audit_rows(app) if row[0] == "export"]
    assert export_rows == [("export", who[CSO], who["Open Data Charity"], 2, "markdown")]


def test_html_export_names_its_recipient_and_loads_nothing(app: Flask, as_person: SignIn) -> None:
    restricted_draft(app)
    response = download(as_person(CSO), f"/{SLUG}/export.html")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=budget-draft-revision-2.html"
    )
    html = response.get_data(as_text=True)
    assert html.startswith("<!doctype html>")
    assert f"<h1>{TITLE}</h1>" in html
    assert "<h2>Budget</h2>" in html and "for thirty days.</p>" in html
    assert footer_of(html) == (
        f"Exported for {CHIDI}, on {export_time(app)}, revision 2. {RESTRICTED}"
    )
    assert "<script" not in html.lower()
    assert re.findall(r"https?://", html) == []
    assert re.findall(r"<link\b|\bsrc=|@import|url\(", html) == []
    assert "default-src 'none'" in html  # opened from disk, it still may load nothing
    who = ids(app)
    export_rows = [row for row in audit_rows(app) if row[0] == "export"]
    assert export_rows == [("export", who[CSO], who["Open Data Charity"], 2, "html")]


def test_export_of_an_old_revision_has_that_revision_text_and_number(
    app: Flask, as_person: SignIn
) -> None:
    restricted_draft(app)
    cso = as_person(CSO)
    markdown = download(cso, f"/{SLUG}/export.md?revision=1")
    assert markdown.status_code == 200
    assert markdown.headers["Content-Disposition"] == (
        "attachment; filename=budget-draft-revision-1.md"
    )
    footer = f"Exported for {CHIDI}, on {export_time(app)}, revision 1. {RESTRICTED}"
    assert markdown.get_data(as_text=True) == f"{V1.rstrip()}\n\n---\n\n{footer}\n"
    html = download(cso, f"/{SLUG}/export.html?revision=1").get_data(as_text=True)
    assert "every quarter.</p>" in html and "thirty days" not in html
    assert footer_of(html).endswith(f"revision 1. {RESTRICTED}")
    exports = [(row[3], row[4]) for row in audit_rows(app) if row[0] == "export"]
    assert exports == [(1, "markdown"), (1, "html")]


def test_export_of_a_revision_that_does_not_exist_is_404(app: Flask, as_person: SignIn) -> None:
    restricted_draft(app)
    cso = as_person(CSO)
    for query in ("revision=3", "revision=0", "revision=-1", "revision=two"):
        for ext in ("md", "html"):
            assert download(cso, f"/{SLUG}/export.{ext}?{query}").status_code == 404, (query, ext)
    assert [row for row in audit_rows(app) if row[0] == "export"] == []


def test_export_answers_people_not_shared_with_as_for_a_missing_document(
    app: Flask,
    as_person: SignIn,
) -> None:
    restricted_draft(app)
    for person in (as_person(TREASURY), Browser(app.test_client())):
        for ext in ("md", "html"):
            for query in ("", "?revision=1"):
                refused = download(person, f"/{SLUG}/export.{ext}{query}")
                missing = download(person, f"/no-such-doc/export.{ext}{query}")
                assert refused.status_code == missing.status_code == 404
                assert without_token(refused.get_data(as_text=True)) == without_token(
                    missing.get_data(as_text=True).replace("no-such-doc", SLUG)
                )
                assert "Content-Disposition" not in refused.headers
    assert audit_rows(app) == []


def test_public_document_export_names_no_recipient_and_is_not_audited(
    app: Flask, as_person: SignIn
) -> None:
    make_document(app, "open-plan", "Cabinet Office", "public", title="Open plan")
    write(app, "open-plan", GOV, V1)
    response = download(Browser(app.test_client()), "/open-plan/export.md")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert re.fullmatch(
        re.escape(f"{V1.rstrip()}\n\n---\n\nExported from Jointly: Open plan, revision 1, on ")
        + STAMP
        + r"\.\n",
        body,
    ), body
    html = download(as_person(CSO), "/open-plan/export.html").get_data(as_text=True)
    assert re.fullmatch(
        r"Exported from Jointly: Open plan, revision 1, on " + STAMP + r"\.", footer_of(html)
    )
    assert "Restricted" not in body + html and "Exported for" not in body + html
    assert audit_rows(app, "open-plan") == []


def test_private_draft_export_says_it_is_for_the_owner_only(app: Flask, as_person: SignIn) -> None:
    restricted_draft(app, visibility="private")
    body = download(as_person(GOV), f"/{SLUG}/export.md").get_data(as_text=True)
    assert body.endswith(
        f"Exported for Gita Gov <gov@example.org>, Cabinet Office, on {export_time(app)}, "
        "revision 2. Private: for Cabinet Office only; do not forward.\n"
    )
    assert download(as_person(CSO), f"/{SLUG}/export.md").status_code == 404


def test_print_footer_is_on_a_restricted_page_and_not_on_a_public_one(
    app: Flask, as_person: SignIn
) -> None:
    restricted_draft(app)
    make_document(app, "open-plan", "Cabinet Office", "public", title="Open plan")
    write(app, "open-plan", GOV, V1)
    cso = as_person(CSO)
    notices = re.findall(
        r'<footer class="recipient-notice print-only"><p>(.*?)</p></footer>',
        page(cso, f"/{SLUG}"),
        re.DOTALL,
    )
    assert len(notices) == 1
    assert re.fullmatch(
        re.escape(f"Copy for {CHIDI}, opened on ")
        + STAMP
        + re.escape(f", revision 2. {RESTRICTED}"),
        text_only(notices[0]),
    ), notices
    assert "recipient-notice" not in page(cso, "/open-plan")
    assert "recipient-notice" not in page(Browser(app.test_client()), "/open-plan")
    css = (Path(app.static_folder or "") / "css" / "jointly.css").read_text()
    screen, _sep, printed = css.rpartition("@media print {")
    assert ".print-only { display: none; }" in screen
    assert ".print-only { display: block; }" in printed


DOWNLOAD_FORM = re.compile(
    r'<form method="post" action="([^"]*/export\.[^"]+)" class="inline">\s*'
    r'<input type="hidden" name="csrf_token" value="([^"]+)">\s*'
    r'<button type="submit" class="link-button">(.*?)</button>',
    re.DOTALL,
)


FORMATS = [("md", "Markdown"), ("html", "HTML"), ("docx", "Word"), ("odt", "ODT"), ("pdf", "PDF")]


def test_document_tabs_offer_every_download_of_what_is_shown(app: Flask, as_person: SignIn) -> None:
    restricted_draft(app)
    cso = as_person(CSO)
    current = page(cso, f"/{SLUG}")
    assert [
        (action, text_only(label)) for action, _token, label in DOWNLOAD_FORM.findall(current)
    ] == [(f"/{SLUG}/export.{ext}", f"Download {label}") for ext, label in FORMATS]
    old = page(cso, f"/{SLUG}/revisions/1")
    assert [(action, text_only(label)) for action, _token, label in DOWNLOAD_FORM.findall(old)] == [
        (f"/{SLUG}/export.{ext}?revision=1", f"Download {label} of revision 1")
        for ext, label in FORMATS
    ]
    assert "export." not in re.sub(DOWNLOAD_FORM, "", current + old)  # no link to follow
    # The button works without JavaScript: its form's own token is all it sends.
    for action, token, _label in DOWNLOAD_FORM.findall(old):
        response = cso.client.post(action, data={"csrf_token": token})
        assert response.status_code == 200, action
        assert response.headers["Content-Disposition"].startswith("attachment;"), action
    assert [(row[0], row[3], row[4]) for row in audit_rows(app) if row[0] == "export"] == [
        ("export", 1, fmt) for fmt in ("markdown", "html", "docx", "odt", "pdf")
    ]


def test_an_export_cannot_be_made_by_an_image_or_a_link(app: Flask, as_person: SignIn) -> None:
    # ![chart](/budget-draft/export.md) in a page would make every reader's browser ask for it.
    restricted_draft(app)
    cso = as_person(CSO)
    for ext in ("md", "html"):
        url = f"/{SLUG}/export.{ext}"
        for dest in ("image", "iframe", "document", None):
            headers = {"Sec-Fetch-Dest": dest} if dest else {}
            response = cso.get(url, headers=headers)
            assert response.status_code == 405, (url, dest)
            assert "Content-Disposition" not in response.headers
        assert "Download buttons" in cso.get(url).get_data(as_text=True)
        # A POST that some other page made carries no token of this person's session.
        assert cso.client.post(url).status_code == 400
        assert cso.client.post(url, data={"csrf_token": "forged"}).status_code == 400
    assert [row for row in audit_rows(app) if row[0] == "export"] == []
