"""``flask --app wiki`` commands for scripted set-ups; each fails with a one-line error."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import NoReturn

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from flask_migrate import upgrade

from wiki.access import audit
from wiki.documents import content, housekeeping
from wiki.documents.service import Grant, create_document
from wiki.errors import InvalidInput
from wiki.extensions import db
from wiki.people.directory import create_organisation, create_person, find_organisation
from wiki.plans import rolling
from wiki.plans import service as plans
from wiki.readers import start_readers
from wiki.storage.models import DocumentKind, Level, Organisation, Phase, Plan, Role, Visibility


class OneLineCommand(click.Command):
    """A command whose usage errors are one line, for scripts that read stderr."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as error:
            raise click.ClickException(error.format_message()) from error


def fail_on_invalid(error: InvalidInput) -> click.ClickException:
    """One line naming every field at fault."""
    return click.ClickException("; ".join(f"{k}: {v}" for k, v in error.errors.items()))


@click.command("init-db", cls=OneLineCommand)
def init_db() -> None:
    """Create the database or bring it up to the newest migration."""
    upgrade()
    click.echo("Database is up to date.")


@click.command("create-org", cls=OneLineCommand)
@click.argument("name")
@click.option("--kind", required=True, metavar="government|civil_society|other")
def create_org(name: str, kind: str) -> None:
    """Add an organisation."""
    try:
        org = create_organisation(name, kind)
    except InvalidInput as error:
        raise fail_on_invalid(error) from error
    db.session.commit()
    click.echo(f"Created organisation {org.name} ({org.kind.value}).")


@click.command("create-user", cls=OneLineCommand)
@click.argument("email")
@click.option("--name", required=True)
@click.option("--org", "org_name", required=True)
@click.option("--role", required=True, metavar="|".join(r.value for r in Role))
def create_user(email: str, name: str, org_name: str, role: str) -> None:
    """Add a person; the password is read from standard input."""
    password = sys.stdin.readline().rstrip("\r\n")
    try:
        person = create_person(email, name, org_name, role, password)
    except InvalidInput as error:
        raise fail_on_invalid(error) from error
    db.session.commit()
    click.echo(f"Created {person.role.value} {person.email} in {person.organisation.name}.")


@click.command("create-doc", cls=OneLineCommand)
@click.argument("slug")
@click.option("--title", help="Default: the address in words.")
@click.option("--kind", required=True, metavar="|".join(k.value for k in DocumentKind))
@click.option("--org", "org_name", required=True, help="The owner; of a commitment, its lead.")
@click.option(
    "--visibility",
    default="network",
    show_default=True,
    metavar="|".join(v.value for v in Visibility),
)
@click.option("--share", "shares", multiple=True, metavar="ORG_NAME:view|comment|edit")
@click.option("--plan", "plan_slug", help="The plan the document belongs to.")
@click.option(
    "--partner", "partners", multiple=True, metavar="ORG_NAME", help="A commitment's partner."
)
def create_doc(
    slug: str,
    title: str | None,
    kind: str,
    org_name: str,
    visibility: str,
    shares: tuple[str, ...],
    plan_slug: str | None,
    partners: tuple[str, ...],
) -> None:
    """Add a document; its Markdown is read from standard input."""
    owner = existing_organisation("org", org_name)
    plan = existing_plan(plan_slug) if plan_slug else None
    if partners and (plan is None or kind != DocumentKind.COMMITMENT.value):
        raise click.ClickException("partner: only a commitment of a plan (--plan) has partners")
    text = sys.stdin.read()
    limit = current_app.config["MAX_DOCUMENT_CHARS"]
    if len(text) > limit:
        raise click.ClickException(f"text: {len(text):,} characters; the limit is {limit:,}")
    title = title or slug.replace("-", " ").capitalize()
    try:
        grants = [parse_share(share) for share in shares]
        doc = create_document(slug, title, kind, owner, visibility, grants, max_chars=limit)
        if plan is not None:
            partnering = [existing_organisation("partner", name) for name in partners]
            plans.join_plan(doc, plan, None, partnering)
    except InvalidInput as error:
        raise fail_on_invalid(error) from error
    db.session.commit()
    if text:
        content.edit_text(doc, None, owner, 0, text)
    late = " late, awaiting both leads' consent;" if doc.awaiting_consent else ""
    click.echo(f"Created document {doc.slug} ({doc.kind.value},{late} {doc.visibility.value}).")


@click.command("create-plan", cls=OneLineCommand)
@click.argument("slug")
@click.option("--title", required=True)
@click.option("--government-lead", "government", metavar="ORG_NAME")
@click.option("--civil-society-lead", "civil_society", metavar="ORG_NAME")
@click.option("--from", "previous", metavar="PLAN", help="Start from this plan (rolling plan).")
def create_plan(
    slug: str, title: str, government: str | None, civil_society: str | None, previous: str | None
) -> None:
    """Add a plan in drafting with its two leads, or the next plan from an earlier one."""
    gov = existing_organisation("government_lead", government) if government else None
    cso = existing_organisation("civil_society_lead", civil_society) if civil_society else None
    try:
        if previous:
            plan, carried = rolling.start_next(existing_plan(previous), slug, title, gov, cso)
        elif gov is None or cso is None:
            raise click.ClickException("leads: give --government-lead and --civil-society-lead")
        else:
            plan, carried = plans.create_plan(slug, title, gov, cso), []
    except InvalidInput as error:
        raise fail_on_invalid(error) from error
    db.session.commit()
    rolling.write_texts(carried)
    click.echo(f"Created plan {plan.slug} ({plan.phase.value}).")


@click.command("plan-phase", cls=OneLineCommand)
@click.argument("plan_slug", metavar="PLAN")
@click.argument("phase", metavar="|".join(p.value for p in Phase))
def plan_phase(plan_slug: str, phase: str) -> None:
    """Move a plan to a phase."""
    plan = existing_plan(plan_slug)
    try:
        plans.set_phase(plan, phase)
    except InvalidInput as error:
        raise fail_on_invalid(error) from error
    db.session.commit()
    click.echo(f"Plan {plan.slug} is now in {plan.phase.value}.")


def existing_organisation(field: str, name: str) -> Organisation:
    org = find_organisation(name)
    if org is None:
        raise click.ClickException(f"{field}: there is no organisation called “{name}”")
    return org


def existing_plan(slug: str) -> Plan:
    plan = plans.find_plan(slug)
    if plan is None:
        raise click.ClickException(f"plan: there is no plan “{slug}”")
    return plan


def parse_share(value: str) -> Grant:
    """``ORG_NAME:view``, ``ORG_NAME:comment`` or ``ORG_NAME:edit`` as a grant."""
    name, sep, access = value.rpartition(":")
    if not sep or access not in {held.value for held in Level}:
        raise InvalidInput({"share": f"“{value}” is not ORG_NAME:view, :comment or :edit"})
    org = find_organisation(name)
    if org is None:
        raise InvalidInput({"share": f"there is no organisation called “{name}”"})
    return Grant(organisation=org, person=None, level=Level(access))


@click.command("seed-demo", cls=OneLineCommand)
@click.option("--if-empty", is_flag=True, help="Do nothing when organisations already exist.")
def seed_demo(if_empty: bool) -> None:
    """Fill the database with the demo instance and print its accounts."""
    from wiki.demo import demo_accounts_text, seed

    seed(if_empty=if_empty)
    click.echo(demo_accounts_text())


SERVERS = ("gevent", "threading")
GUNICORN_CONFIG = Path(__file__).resolve().parents[1] / "deploy" / "gunicorn.conf.py"


@click.command("serve", cls=OneLineCommand)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option(
    "--server",
    type=click.Choice(SERVERS),
    help="Default: the SERVER setting (WIKI_SERVER), gevent unless set.",
)
def serve(host: str, port: int, server: str | None) -> None:
    """Serve the site and live editing from this one machine (see deploy/ for more)."""
    choice = server or current_app.config["SERVER"]
    if choice not in SERVERS:
        raise click.ClickException(
            f"SERVER (WIKI_SERVER) is {choice!r}; choose {' or '.join(SERVERS)}"
        )
    if choice == "gevent":
        serve_gevent(host, port)
    from werkzeug.serving import run_simple

    click.echo(f"Jointly is serving on http://{host}:{port}/ with threads (press Ctrl+C to stop)")
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    start_readers(app)
    # Flask refuses app.run() inside its own CLI, so start Werkzeug's threaded server
    # directly; Socket.IO (threading mode) serves WebSocket and long-polling through it.
    run_simple(host, port, app, threaded=True, use_reloader=False, use_debugger=False)


def serve_gevent(host: str, port: int) -> NoReturn:
    """Become gunicorn with one gevent worker, as each process of the cluster runs."""
    gunicorn = Path(sys.executable).parent / "gunicorn"
    if not GUNICORN_CONFIG.exists() or not gunicorn.exists():
        raise click.ClickException(
            f"gunicorn or {GUNICORN_CONFIG} is missing; install gunicorn and gevent in this "
            "environment, or set WIKI_SERVER=threading"
        )
    click.echo(
        f"Jointly is serving on http://{host}:{port}/ with gunicorn and one gevent worker "
        "(press Ctrl+C to stop)"
    )
    sys.stdout.flush()
    env = {**os.environ, "WIKI_INSTANCE_PATH": current_app.instance_path}
    command = [str(gunicorn), f"--config={GUNICORN_CONFIG}", f"--bind={host}:{port}"]
    # The app is built anew in gunicorn's worker, after gevent has patched the standard
    # library; nothing of this process is kept.
    root = str(GUNICORN_CONFIG.parents[1])
    os.execve(gunicorn, [*command, f"--chdir={root}", "wsgi:app"], env)


@click.command("purge-deleted", cls=OneLineCommand)
@click.option(
    "--days",
    type=click.IntRange(min=0),
    default=None,
    help="Keep what was deleted within this many days (default: DELETED_RETENTION_DAYS).",
)
def purge_deleted(days: int | None) -> None:
    """Remove the update log and content of documents deleted longer ago than the audit period."""
    kept_days = current_app.config["DELETED_RETENTION_DAYS"] if days is None else days
    purged = housekeeping.purge_deleted(int(kept_days))
    db.session.commit()
    ids = ", ".join(str(doc_id) for doc_id in purged)
    said = f" (ids {ids})" if purged else ""
    click.echo(f"Purged {len(purged)} document(s) deleted over {kept_days} days ago{said}.")


audit_cli = AppGroup("audit", help="The audit log of restricted and private documents.")


@audit_cli.command("verify", cls=OneLineCommand)
def audit_verify() -> None:
    """Check every audit row against its hash and the row before it; exit 1 if one fails."""
    count, broken = audit.verify()
    click.echo(audit.summary(count, broken), err=broken is not None)
    if broken is not None:
        sys.exit(1)


def register_commands(app: Flask) -> None:
    """Attach the commands to the app's CLI."""
    commands = (
        init_db,
        create_org,
        create_user,
        create_doc,
        create_plan,
        plan_phase,
        seed_demo,
        serve,
        purge_deleted,
    )
    for command in commands:
        assert command.callback is not None
        command.callback = with_appcontext(command.callback)
        app.cli.add_command(command)
    app.cli.add_command(audit_cli)  # an AppGroup: its commands get the app context already
