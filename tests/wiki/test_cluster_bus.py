"""The cluster bus on a real Redis: one deployment's processes hear each other, and only them."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from flask import Flask, current_app

from tests.databases import REDIS_URL
from wiki import create_app
from wiki.documents.content import hub
from wiki.live.cluster import BUS_KEY, Bus, channel_prefix, handles

WAIT_S = 10.0
heard: list[str] = []


@handles("test-ping")
def _ping(payload: dict[str, str]) -> None:
    heard.append(f"{current_app.config['PROCESS']} heard {payload['from']}")


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[dict[str, Flask]]:
    """Three processes on one Redis: two of the live deployment, one of a staging one."""
    made: dict[str, Flask] = {}
    for name, secret in (("live-1", "live key"), ("live-2", "live key"), ("staging", "other")):
        made[name] = create_app(
            {
                "TESTING": True,
                "PROCESS": name,
                "SECRET_KEY": secret,
                "INSTANCE_PATH": str(tmp_path / name),
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / name}.sqlite3",
                "REDIS_URL": REDIS_URL,
            }
        )
    listening = redis.Redis.from_url(REDIS_URL)
    deadline = time.monotonic() + WAIT_S
    for app in made.values():  # each bus subscribes on its own thread
        channel = f"{channel_prefix(app)}:events"
        while dict(listening.pubsub_numsub(channel)).get(channel.encode(), 0) < 1:
            assert time.monotonic() < deadline, f"{channel} has no subscriber"
            time.sleep(0.02)
    listening.close()
    heard.clear()
    yield made
    for app in made.values():
        app.extensions[BUS_KEY].close()
        with app.app_context():
            hub().close()


def test_events_reach_the_other_processes_of_the_deployment_and_no_other(
    processes: dict[str, Flask],
) -> None:
    bus: Bus = processes["live-1"].extensions[BUS_KEY]
    bus.publish_event("test-ping", {"from": "live-1"})
    staging: Bus = processes["staging"].extensions[BUS_KEY]
    staging.publish_event("test-ping", {"from": "staging"})
    deadline = time.monotonic() + WAIT_S
    while len(heard) < 1 and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.3)  # long enough for a message that should not come to have come
    assert heard == ["live-2 heard live-1"]
