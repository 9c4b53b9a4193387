"""Export benchmark: assembling the demo plan, scaled up, into one file in each format.

The demo is seeded on a fresh SQLite file with the real schema, then its plan gets more
commitments (late, past its cut-off, so both leads consent to each) until it holds
``--commitments`` (default 40), and every commitment's text is
made about ``--words`` words long (default 2,000): sections of prose with emphasis and links
and a list each, and a table, written through the edit pipeline as its lead. Then,
as the plan's government lead (who reads every part), for each format (HTML, DOCX, ODT,
PDF): the median of ``--repeats`` runs of the whole export (read the parts, word shares and
sign-offs, build the document, write the file). Printed: each time, the file's size, and
each format's time as a multiple of HTML's. The goal is under 5 s per format.

Run: ``.venv/bin/python bench/export.py [--commitments N] [--words W] [--repeats R]``.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from flask_migrate import upgrade

from wiki import create_app
from wiki.demo import seed
from wiki.documents import content
from wiki.documents.service import Grant, create_document
from wiki.extensions import db
from wiki.people.directory import find_organisation, find_person
from wiki.plans import service as plans
from wiki.plans import signoff
from wiki.publish.assemble import assemble, plan_book
from wiki.publish.formats import FORMATS
from wiki.storage.models import Level

PLAN = "nap-2026-28"
LEAD = "alex@cabinet.example.gov"
NETWORK_LEAD = "maria@civilsociety.example.org"
GOAL_S = 5.0
PROSE = (
    "The department will publish **{n} datasets** each quarter, *in open formats*, on the "
    "[national portal](https://data.example.gov.uk/{n}). Civil society partners review each "
    "release and report gaps within thirty days, and the department answers every report in "
    "public, with the reasons for any data it holds back and the date it will follow. "
)
SECTION = """\
## {heading}

{prose}

{prose}

{prose}

- a public register of the data held, kept up to date every month
- an open licence for every release, with no fee and no sign-in
- a named officer answerable for each dataset and its quality

"""
TABLE = """\
| Quarter | Datasets | Reviewed by |
|---|---|---|
| Q1 | 12 | Civil Society Network |
| Q2 | 14 | Open Ownership Network |
| Q3 | 15 | Publish What You Pay Coalition |
"""


@contextmanager
def demo_app() -> Iterator[Flask]:
    with tempfile.TemporaryDirectory(prefix="jointly-bench-") as folder:
        app = create_app(
            {
                "INSTANCE_PATH": f"{folder}/instance",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite3",
                "ARGON2_TIME_COST": 1,
                "ARGON2_MEMORY_KIB": 1024,
                "SERVER_NAME": "jointly.example",
            }
        )
        with app.app_context():
            upgrade()
            seed(if_empty=False)
        try:
            yield app
        finally:
            with app.app_context():
                content.hub().close()
                db.engine.dispose()


def commitment_text(title: str, words: int) -> str:
    """About ``words`` words of a commitment: sections of prose with emphasis and links and a
    list each, until long enough, then a table, as a commitment of the template reads."""
    parts = [f"# {title}\n\n"]
    n = 0
    while sum(len(part.split()) for part in parts) < words:
        n += 1
        prose = PROSE.format(n=n * 3)
        parts.append(SECTION.format(heading=f"Section {n}", prose=prose))
    return "".join(parts) + TABLE


def scale(app: Flask, count: int, words: int) -> int:
    """Give the demo plan ``count`` commitments of about ``words`` words; the words in all."""
    with app.app_context():
        plan = plans.find_plan(PLAN)
        lead, partner = find_person(LEAD), find_organisation("Civil Society Network")
        network_lead = find_person(NETWORK_LEAD)
        assert plan is not None and lead is not None and partner is not None
        assert network_lead is not None
        docs = [
            d
            for d in plans.plan_documents(plan, lead)
            if d.kind.value == "commitment" and not d.awaiting_consent
        ]
        for n in range(len(docs), count):
            doc = create_document(
                f"scaled-{n}",
                f"Scaled commitment {n}",
                "commitment",
                lead.organisation,
                "network",
                [Grant(partner, None, Level.EDIT)],
                max_chars=10**7,
            )
            plans.join_plan(doc, plan, lead, [partner])
            for person in (lead, network_lead):  # late, past the cut-off: both leads consent
                signoff.consent(doc, person)
            docs.append(doc)
        db.session.commit()
        total = 0
        for doc in docs[:count]:
            text = commitment_text(doc.title, words)
            _old, seq = content.read_text(doc)
            if doc.signed_off_at is None:
                content.edit_text(doc, lead, lead.organisation, seq, text)
            total += len(content.read_text(doc)[0].split())
        return total


def time_formats(app: Flask, repeats: int) -> dict[str, tuple[float, int]]:
    """Format -> (median seconds of a whole export, bytes), as the plan's government lead."""
    found = {}
    with app.test_request_context("/"):
        lead = find_person(LEAD)
        plan = plans.find_plan(PLAN)
        assert lead is not None and plan is not None
        for ext, chosen in FORMATS.items():
            times, size = [], 0
            for _ in range(repeats):
                start = time.perf_counter()
                assembly = assemble(plan, lead)
                book = plan_book(
                    assembly, "Exported for the benchmark", "https://jointly.example/", "now"
                )
                size = len(chosen.write(book))
                times.append(time.perf_counter() - start)
            found[ext] = (statistics.median(times), size)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commitments", type=int, default=40)
    parser.add_argument("--words", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(f"Python {platform.python_version()} on {platform.machine()}, {platform.system()}")
    with demo_app() as app:
        total = scale(app, args.commitments, args.words)
        print(f"{args.commitments} commitments, {total:,} words in their texts")
        timings = time_formats(app, args.repeats)
    html_s = timings["html"][0]
    for ext, (seconds, size) in timings.items():
        verdict = "ok" if seconds < GOAL_S else f"over the {GOAL_S:.0f} s goal"
        print(
            f"{ext:>5}: {seconds:6.2f} s  {size / 1024:8.0f} KiB  "
            f"{seconds / html_s:5.1f}x HTML  ({verdict})"
        )


if __name__ == "__main__":
    main()
