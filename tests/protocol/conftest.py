"""The protocol tests talk to the same live server as the browser tests."""

from __future__ import annotations

from tests.browser.conftest import live_server

__all__ = ["live_server"]
