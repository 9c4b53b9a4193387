"""Health checks: /-/healthz says the process is alive, /-/readyz whether it may take traffic."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import event

from tests.databases import REDIS_URL
from wiki import create_app
from wiki.documents.content import hub
from wiki.extensions import db
from wiki.live.cluster import BUS_KEY

FIRST_REVISION = "8cb0a4ddcb49"
PASSWORD = "Pw9SecretInTheUrl"

AppFactory = Callable[..., Flask]


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def make_app(tmp_path: Path) -> Iterator[AppFactory]:
    """``make_app(migrated=..., **config)``: a fresh app on its own SQLite file."""
    apps: list[Flask] = []

    def make(migrated: bool = True, **config: Any) -> Flask:
        app = create_app(
            {
                "TESTING": True,
                "INSTANCE_PATH": str(tmp_path / f"instance-{len(apps)}"),
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / f'db-{len(apps)}.sqlite3'}",
                **config,
            }
        )
        apps.append(app)
        if migrated:
            with app.app_context():
                upgrade()
        return app

    yield make
    for app in apps:
        bus = app.extensions.get(BUS_KEY)
        if bus is not None:
            bus.close()
        with app.app_context():
            hub().close()
            db.engine.dispose()


def readiness(app: Flask) -> tuple[int, dict[str, str], str]:
    response = app.test_client().get("/-/readyz")
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    return response.status_code, body["checks"], response.get_data(as_text=True)


def test_healthz_answers_without_touching_the_database(make_app: AppFactory) -> None:
    app = make_app()
    checkouts: list[object] = []
    with app.app_context():
        event.listen(db.engine, "checkout", lambda *args: checkouts.append(args))
    response = app.test_client().get("/-/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert len(response.data) < 64
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers
    assert checkouts == []


def test_healthz_is_alive_while_the_database_is_down(make_app: AppFactory) -> None:
    url = f"postgresql+psycopg://jointly@127.0.0.1:{closed_port()}/jointly"
    app = make_app(migrated=False, SQLALCHEMY_DATABASE_URI=url)
    assert app.test_client().get("/-/healthz").status_code == 200


def test_readyz_is_ready_when_migrated_without_redis(make_app: AppFactory) -> None:
    status, checks, _ = readiness(make_app())
    assert status == 200
    assert checks == {"database": "ok", "migrations": "ok", "redis": "not configured"}


def test_readyz_is_ready_with_redis_answering(make_app: AppFactory) -> None:
    status, checks, _ = readiness(make_app(REDIS_URL=REDIS_URL))
    assert status == 200, f"Redis is needed at {REDIS_URL} (JOINTLY_TEST_REDIS): {checks}"
    assert checks["redis"] == "ok"


def test_readyz_is_not_ready_before_migrations(make_app: AppFactory) -> None:
    status, checks, _ = readiness(make_app(migrated=False))
    assert status == 503
    assert checks["database"] == "ok"
    assert checks["migrations"].startswith("not applied")


def test_readyz_is_not_ready_while_migrations_are_behind(make_app: AppFactory) -> None:
    app = make_app(migrated=False)
    with app.app_context():
        upgrade(revision=FIRST_REVISION)
    status, checks, _ = readiness(app)
    assert status == 503
    assert checks["migrations"].startswith(f"at {FIRST_REVISION}, head is ")


def test_readyz_is_not_ready_when_redis_does_not_answer(make_app: AppFactory) -> None:
    status, checks, _ = readiness(make_app(REDIS_URL=f"redis://127.0.0.1:{closed_port()}/0"))
    assert status == 503
    assert checks == {"database": "ok", "migrations": "ok", "redis": "unreachable"}


def test_readyz_names_an_unreachable_database_without_its_url(make_app: AppFactory) -> None:
    port = closed_port()
    url = f"postgresql+psycopg://jointly:{PASSWORD}@127.0.0.1:{port}/jointly"
    status, checks, body = readiness(make_app(migrated=False, SQLALCHEMY_DATABASE_URI=url))
    assert status == 503
    assert checks["database"] == "unreachable"
    for secret in (PASSWORD, "jointly@", "127.0.0.1", str(port), "psycopg"):
        assert secret not in body


def test_probes_need_no_login_and_no_rate_limit(make_app: AppFactory) -> None:
    # A default limit would stay on the shared limiter for every later app, so this test uses
    # the product's own limit: sign-in attempts per address.
    app = make_app(LOGIN_RATE_LIMIT="2 per minute", WTF_CSRF_ENABLED=False)
    anonymous = app.test_client()
    attempt = {"email": "nobody@example.org", "password": "wrong"}
    assert [anonymous.post("/login", data=attempt).status_code for _ in range(3)][-1] == 429
    for _ in range(5):
        assert anonymous.get("/-/healthz").status_code == 200
        assert anonymous.get("/-/readyz").status_code == 200
