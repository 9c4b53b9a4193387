"""The systemd timer in deploy/ that purges long-deleted documents, as an operator installs it."""

from __future__ import annotations

import configparser
import shlex
from pathlib import Path

from flask import Flask

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
UNITS = DEPLOY / "systemd"


def unit(name: str) -> configparser.ConfigParser:
    """A systemd unit file read as sections of keys (the last value of a repeated key wins)."""
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string((UNITS / name).read_text(encoding="utf-8"))
    return parser


def test_the_purge_timer_runs_purge_deleted_daily_as_the_notify_timer_runs_its_command(
    app: Flask,
) -> None:
    service, timer = unit("jointly-purge.service"), unit("jointly-purge.timer")
    notify = unit("jointly-notify.service")
    command = shlex.split(service["Service"]["ExecStart"])
    assert command[:3] == ["/opt/jointly/.venv/bin/flask", "--app", "wiki"]
    assert command[3:] == ["purge-deleted"]
    # Same user, folder and settings as the other Jointly commands, run once per start.
    for key in ("Type", "User", "Group", "WorkingDirectory", "EnvironmentFile"):
        assert service["Service"][key] == notify["Service"][key], key
    assert timer["Timer"]["OnCalendar"].startswith("*-*-* ")  # every day
    assert timer["Timer"]["Persistent"] == "true"  # a day missed while down runs at boot
    assert timer["Install"]["WantedBy"] == "timers.target"
    # What the unit runs is a command the app has, and it succeeds on an instance.
    result = app.test_cli_runner().invoke(args=command[3:])
    assert result.exit_code == 0, result.output
    assert "Purged 0 document(s)" in result.output


def test_the_deploy_readme_says_how_to_install_the_purge_timer() -> None:
    readme = (DEPLOY / "README.md").read_text(encoding="utf-8")
    assert "| `systemd/jointly-purge.service`, `.timer` | `/etc/systemd/system/` |" in readme
    assert "systemctl daemon-reload && systemctl enable --now jointly-purge.timer" in readme
    assert "flask --app wiki purge-deleted" in readme and "WIKI_DELETED_RETENTION_DAYS" in readme
    settings = (DEPLOY / "jointly.env.example").read_text(encoding="utf-8")
    assert "\nWIKI_DELETED_RETENTION_DAYS=365\n" in settings
