"""The protocol tests talk to the same live server as the browser tests, or to sites of their own.

``open_site``: one process whose joins are all but unlimited, for races that open a document
hundreds of times. ``fast_site``: one process with no update limit in the way, for bursts of
frames. ``gather_site``: the same, with long windows for long-polling sockets.
``limits_site``: two processes sharing Redis, with a small document size, update burst and
join burst, for the limits that must hold across processes.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from tests.browser.conftest import live_server, public_doc
from tests.databases import fresh_database
from tests.harness.client import CollabClient
from tests.protocol.instances import (
    FAST_SETTINGS,
    GATHER_SETTINGS,
    LIMITS_SETTINGS,
    OPEN_SETTINGS,
    Instance,
    Site,
    close_at_once,
    require_redis,
    wait_for_bus,
)

__all__ = [
    "fast_site",
    "gather_site",
    "limits_site",
    "live_server",
    "open_site",
    "public_doc",
    "sockets",
]


def one_process_site(
    tmp_path_factory: pytest.TempPathFactory, name: str, settings: dict[str, str]
) -> Iterator[Site]:
    """A demo instance of its own, served by one process with ``settings``."""
    base = tmp_path_factory.mktemp(name)
    with fresh_database(base, "jointly") as url:
        instance = Instance(base, url, settings=settings)
        try:
            yield Site(instance, [instance.server()])
        finally:
            instance.close()


@pytest.fixture(scope="session")
def open_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    yield from one_process_site(tmp_path_factory, "open-site", OPEN_SETTINGS)


@pytest.fixture(scope="session")
def fast_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    yield from one_process_site(tmp_path_factory, "fast-site", FAST_SETTINGS)


@pytest.fixture(scope="session")
def gather_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    yield from one_process_site(tmp_path_factory, "gather-site", GATHER_SETTINGS)


@pytest.fixture(scope="session")
def limits_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    require_redis()
    base = tmp_path_factory.mktemp("limits-site")
    with fresh_database(base, "jointly") as url:
        instance = Instance(base, url, settings=LIMITS_SETTINGS)
        try:
            servers = [instance.server(redis=True), instance.server(redis=True)]
            wait_for_bus(servers, instance)
            yield Site(instance, servers)
        finally:
            instance.close()


class ClosedByServer(logging.Filter):
    """Drop python-engineio's report of a socket the server closed, which is no fault.

    ``tests.harness.client.in_order`` handles a socket's messages on its reading thread; when the
    server closes the socket, the client's disconnect tries to join that very thread and
    logs the RuntimeError. The revocation tests have the server close hundreds of sockets.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return not (isinstance(error, RuntimeError) and "join current thread" in str(error))


@pytest.fixture
def sockets() -> Iterator[list[CollabClient]]:
    """The sockets a test opens, closed at once when it ends."""
    made: list[CollabClient] = []
    quiet, logger = ClosedByServer(), logging.getLogger("engineio.client")
    logger.addFilter(quiet)
    yield made
    for client in made:
        close_at_once(client)
    logger.removeFilter(quiet)
