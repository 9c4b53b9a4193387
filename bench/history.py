"""History benchmark: how long the history pages take on a document with a long history.

The document's history is the whole automerge-paper trace (259,778 one-character updates),
typed in turns of ``--run`` edits by two people, one government and one civil society, each
edit one Yjs update through the app's own room (verify, apply, commit, acknowledge) on a fresh
SQLite file with the real schema, so its revisions are real: one closes at each change of
typist. Attribution is then brought up to date (``room.history()``), so no page pays for it.

Timed through Flask's test client, signed in as an editor: the document page (the baseline),
the first page of its history, the attribution view, the diff from the first revision to the
last, and the document at its middle revision. For each page: its first request (cold: the
template compiled and nothing cached) and the median of ``--repeats`` warm requests after one
warm-up, each checked for status 200 and content; then the ratio to the document page, whose
target is at most 5. Timings on a shared machine are noisy; the ratios less so.

Then the readers case (bench/readers.py): two writers' acknowledgement p99 while
``--readers`` people load the attribution, history and diff pages in a loop, against the same
writers alone, the two in alternating rounds; the target is at most 1.2 times. The reader
processes start first, as a server starts them (``WIKI_READER_PROCESSES``, 1 unless set; 0
renders in the app's own process).

Run: ``.venv/bin/python bench/history.py`` (``--limit N`` replays only the first N edits).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass

from _trace import (
    SLUG,
    TYPISTS,
    Trace,
    bench_app,
    live_room,
    load_trace,
    middle_revision,
    sign_in,
    typists,
)
from flask import Flask
from flask.testing import FlaskClient
from ingest import median_s, replay
from readers import ReadersResult, measure_readers

from crdt.engine import ENGINE_NAMES, get_engine
from wiki.documents.service import find_document
from wiki.history import service as history
from wiki.readers import EXTENSION_KEY as READERS_KEY

TARGET_RATIO = 5.0  # each history page at most this many times the document page
COLD_TARGET_RATIO = 3.0  # the first attribution view after a change, to the page's after one
READERS_TARGET_RATIO = 1.2  # writers' acknowledgement p99 with readers, to the writers' alone
READERS_START_S = 60.0
MIN_PAGE_BYTES = 1000  # smaller than this is an error page, not a rendered document


@dataclass(frozen=True)
class Page:
    """A page to time: its label, its address, and a string its body must contain."""

    label: str
    url: str
    marker: str


@dataclass(frozen=True)
class Timing:
    """One page's times in seconds: its first request, and the warm median."""

    page: Page
    cold: float
    warm: float
    size: int


def latest_revision(app: Flask) -> int:
    """The number of the benchmark document's newest revision."""
    with app.app_context():
        doc = find_document(SLUG)
        assert doc is not None
        return history.latest_revision(doc)


def known_word(text: str) -> str:
    """A word of ``text`` that its rendered page must show: the last long plain word."""
    for size in (8, 4, 1):
        words = re.findall(rf"(?<![\w\\])[A-Za-z]{{{size},}}(?!\w)", text)
        if words:
            return words[-1]
    raise RuntimeError("the document has no words to look for")


def pages(app: Flask, word: str) -> list[Page]:
    """The pages to time; the document page, the baseline, first."""
    latest = latest_revision(app)
    middle, _seq = middle_revision(app)
    typist = TYPISTS[1][1]
    return [
        Page("document page", f"/{SLUG}", word),
        Page("history, first page", f"/{SLUG}/history", typist),
        Page("attribution", f"/{SLUG}/attribution", typist),
        Page(f"diff 1 -> {latest}", f"/{SLUG}/diff?from=1&to={latest}", f"revision {latest}."),
        Page(f"revision {middle} of {latest}", f"/{SLUG}/revisions/{middle}", f"of {latest}</h1>"),
    ]


def fetch(client: FlaskClient, page: Page) -> int:
    """GET the page and check it rendered; its size in bytes."""
    response = client.get(page.url)
    body = response.get_data(as_text=True)
    if response.status_code != 200 or len(body) < MIN_PAGE_BYTES or page.marker not in body:
        raise RuntimeError(
            f"{page.url}: status {response.status_code}, {len(body):,} bytes, "
            f"{'has' if page.marker in body else 'lacks'} {page.marker!r}"
        )
    return len(body)


def time_page(client: FlaskClient, page: Page, repeats: int) -> Timing:
    """The page's first request, then the median of ``repeats`` after a warm-up."""
    start = time.perf_counter()
    size = fetch(client, page)
    cold = time.perf_counter() - start
    return Timing(page, cold, median_s(lambda: fetch(client, page), repeats), size)


def machine(engine_name: str) -> str:
    """Where the figures come from: platform, CPUs, Python, engine, load."""
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"machine: {platform.platform()}, {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, load average {load}\nengine: {engine_name}"
    )


def print_table(timings: Sequence[Timing]) -> None:
    """One row per page: cold and warm milliseconds, size, and the warm ratio to the baseline."""
    base = timings[0]
    print(f"{'page':28}{'cold ms':>10}{'warm ms':>10}{'KB':>8}{'warm x':>8}{'cold x':>8}  x<=5")
    for t in timings:
        ratio, cold_ratio = t.warm / base.warm, t.cold / base.cold
        verdict = "yes" if ratio <= TARGET_RATIO else "NO"
        print(
            f"{t.page.label:28}{t.cold * 1000:10.1f}{t.warm * 1000:10.1f}{t.size / 1024:8.0f}"
            f"{ratio:8.2f}{cold_ratio:8.2f}  {verdict}"
        )


def measure(
    engine_name: str, trace: Trace, run: int, repeats: int, readers: int, seconds: float
) -> None:
    """Build the document from the trace, then time and print every page."""
    with bench_app(engine_name) as app:
        start = time.perf_counter()
        ingested, _state = replay(app, trace, run, window=256)
        built = time.perf_counter() - start
        text, _head = live_room(app).text().result()
        latest = latest_revision(app)
        print(
            f"document: {ingested.updates:,} updates in turns of {run}, {latest:,} revisions, "
            f"{len(text):,} characters; stored at {ingested.ack:,.0f} updates/s, attributed "
            f"at {ingested.attributed:,.0f} updates/s (set-up {built:.0f} s)"
        )
        client = sign_in(app, TYPISTS[0][0])
        timings = [time_page(client, page, repeats) for page in pages(app, known_word(text))]
        after_change = first_views_after_a_change(app, client, known_word(text))
        urls = [page.url for page in pages(app, known_word(text))[1:4]]
        room = live_room(app)
        reader_processes = start_readers_now(app)
        reading = measure_readers(
            room,
            get_engine(engine_name),
            typists(app, room),
            [sign_in(app, TYPISTS[0][0]) for _ in range(readers)],
            urls,
            seconds,
        )
    print(
        f"cold: each page's first request, after attribution was brought up to date; "
        f"warm: median of {repeats} after one warm-up"
    )
    print_table(timings)
    page_s, attribution_s = after_change
    ratio = attribution_s / page_s
    print(
        f"first view after a change: document page {page_s * 1000:.1f} ms, attribution "
        f"{attribution_s * 1000:.1f} ms, ratio {ratio:.2f} "
        f"(target <= {COLD_TARGET_RATIO:g}: {'yes' if ratio <= COLD_TARGET_RATIO else 'NO'})"
    )
    print_readers(reading, readers, reader_processes)


def start_readers_now(app: Flask) -> int:
    """Start the app's reader processes, as a server does, and wait for them; how many."""
    readers = app.extensions.get(READERS_KEY)
    if readers is None:
        return 0
    readers.start()
    if not readers.wait_ready(READERS_START_S):
        raise RuntimeError(f"the reader processes did not start in {READERS_START_S:g} s")
    return int(app.config["READER_PROCESSES"])


def print_readers(result: ReadersResult, readers: int, processes: int) -> None:
    """The writers' acknowledgement p99 alone and with readers, and their ratio."""
    ratio = result.read_p99_s / result.alone_p99_s
    verdict = "yes" if ratio <= READERS_TARGET_RATIO else "NO"
    rendered = f"{processes} reader processes" if processes else "the app's own process"
    print(
        f"readers: 2 writers' acknowledgement p99 {result.alone_p99_s * 1000:.1f} ms alone, "
        f"{result.read_p99_s * 1000:.1f} ms while {readers} readers loaded "
        f"{result.pages / result.seconds:.1f} pages/s rendered by {rendered} "
        f"({result.edits:,} edits); "
        f"ratio {ratio:.2f} (target <= {READERS_TARGET_RATIO:g}: {verdict})"
    )


def change(app: Flask, word: str) -> None:
    """One small edit by the first typist, through the room, acknowledged."""
    room = live_room(app)
    typist = typists(app, room)[0]
    text, head = room.text().result()
    at = text.index(word)
    new = f"{text[:at]}{word} edited{text[at + len(word) :]}"
    client_id, update = room.form_update(typist.sender.person_id, head, new).result()
    room.submit(typist.sender, client_id, update).result()


def first_views_after_a_change(app: Flask, client: FlaskClient, word: str) -> tuple[float, float]:
    """The document page's first request after a change, and the attribution view's after one."""
    seconds = []
    for url, marker in ((f"/{SLUG}", word), (f"/{SLUG}/attribution", TYPISTS[1][1])):
        change(app, word)
        start = time.perf_counter()
        fetch(client, Page("after a change", url, marker))
        seconds.append(time.perf_counter() - start)
    return seconds[0], seconds[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=ENGINE_NAMES, default=get_engine().name)
    parser.add_argument("--limit", type=int, help="replay only the first N edits")
    parser.add_argument("--run", type=int, default=100, help="edits per turn at the keyboard")
    parser.add_argument("--repeats", type=int, default=3, help="warm requests per page")
    parser.add_argument("--readers", type=int, default=5, help="readers in the readers case")
    parser.add_argument(
        "--readers-seconds",
        type=float,
        default=10.0,
        help="writing time alone, and as long with readers, in alternating rounds",
    )
    args = parser.parse_args()
    start = time.perf_counter()
    print(machine(args.engine))
    measure(
        args.engine,
        load_trace(args.limit),
        args.run,
        args.repeats,
        args.readers,
        args.readers_seconds,
    )
    print(f"whole run: {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
