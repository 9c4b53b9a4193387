"""Access taken away ends live delivery: no frame reaches a socket whose grant no longer holds.

Issue 19, item 1: a socket still inside ``join`` when a share was withdrawn missed the sweep,
entered the room and received every later broadcast. Here the outsider's sockets loop join,
sync and leave on their own threads (``race.py``) while access is taken away through the real
routes (a share withdrawn, restricted made private, a new embargo, a sign-out, a disabled
account, and a withdrawal on another process).
Once the route has answered, the owner keeps typing and moving their cursor; nothing written
after that may reach any of the outsider's sockets, none of their events may be answered as
a member's, and a socket that was in the document is closed.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.harness.client import CollabClient
from tests.protocol.instances import Site, Visitor
from tests.protocol.race import Pace, Scenario, run_trials, writer_on

SLUG = "final-draft"  # restricted, owned by the Cabinet Office Transparency Team
NETWORK_SLUG = "anti-corruption-plan"  # network, owned by the Cabinet Office Transparency Team
OWNER = "alex@cabinet.example.gov"  # of the owner organisation: may edit whatever happens
# A second socket of the owner proves each frame went out: whatever the outsider loses,
# even a document turned private, the owner organisation keeps.
WATCHER = OWNER
ADMIN = "coordinator@jointly.example"  # runs the instance: disables and enables accounts
OUTSIDER = "jo@integrity.example.org"  # a reviewer of Integrity Watch: views, never edits
OUTSIDER_ORG = "Integrity Watch"
TRIALS = 50
SHORT_TRIALS = 8  # for the other ways of losing access, whose window is the same


def test_no_frame_reaches_an_outsider_after_their_share_is_withdrawn(
    open_site: Site, sockets: list[CollabClient]
) -> None:
    instance, server = open_site.instance, open_site.server
    owner = Visitor.sign_in(server, instance, OWNER)
    organisation = instance.organisation_id(OUTSIDER_ORG)
    outsider = Visitor.sign_in(server, instance, OUTSIDER)

    def restore() -> Visitor:
        owner.share(SLUG, organisation)
        return outsider

    def revoke(_outsider: Visitor) -> None:
        owner.withdraw(SLUG, instance.share_id(SLUG, OUTSIDER_ORG))

    writer = writer_on(open_site, SLUG, sockets, (OWNER, WATCHER))
    run_trials(open_site, writer, Scenario("withdrawn", SLUG, restore, revoke), Pace(TRIALS))


def test_no_frame_reaches_an_outsider_once_a_restricted_document_turns_private(
    open_site: Site, sockets: list[CollabClient]
) -> None:
    instance, server = open_site.instance, open_site.server
    owner = Visitor.sign_in(server, instance, OWNER)
    organisation = instance.organisation_id(OUTSIDER_ORG)
    outsider = Visitor.sign_in(server, instance, OUTSIDER)

    def restore() -> Visitor:
        owner.share(SLUG, organisation)
        owner.set_visibility(SLUG, "restricted")
        return outsider

    writer = writer_on(open_site, SLUG, sockets, (OWNER, WATCHER))
    scenario = Scenario("private", SLUG, restore, lambda _: owner.set_visibility(SLUG, "private"))
    try:
        run_trials(open_site, writer, scenario, Pace(SHORT_TRIALS))
    finally:
        owner.set_visibility(SLUG, "restricted")
        owner.withdraw(SLUG, instance.share_id(SLUG, OUTSIDER_ORG))


def test_no_frame_reaches_a_member_of_the_network_once_an_embargo_is_set(
    open_site: Site, sockets: list[CollabClient]
) -> None:
    instance, server = open_site.instance, open_site.server
    owner = Visitor.sign_in(server, instance, OWNER)
    outsider = Visitor.sign_in(server, instance, OUTSIDER)

    def restore() -> Visitor:
        owner.set_visibility(NETWORK_SLUG, "network")  # which ends the embargo
        return outsider

    def revoke(_outsider: Visitor) -> None:
        owner.set_embargo(NETWORK_SLUG, datetime.now(UTC) + timedelta(days=2), "network")

    writer = writer_on(open_site, NETWORK_SLUG, sockets, (OWNER, WATCHER))
    scenario = Scenario("embargo", NETWORK_SLUG, restore, revoke)
    try:
        run_trials(open_site, writer, scenario, Pace(SHORT_TRIALS))
    finally:
        owner.set_visibility(NETWORK_SLUG, "network")


def test_no_frame_reaches_the_sockets_of_a_session_that_signed_out(
    open_site: Site, sockets: list[CollabClient]
) -> None:
    instance, server = open_site.instance, open_site.server
    owner = Visitor.sign_in(server, instance, OWNER)
    owner.share(SLUG, instance.organisation_id(OUTSIDER_ORG))

    def restore() -> Visitor:
        return Visitor.sign_in(server, instance, OUTSIDER)  # a new session each time

    writer = writer_on(open_site, SLUG, sockets, (OWNER, WATCHER))
    scenario = Scenario("signed-out", SLUG, restore, lambda outsider: outsider.sign_out())
    try:
        run_trials(open_site, writer, scenario, Pace(SHORT_TRIALS))
    finally:
        owner.withdraw(SLUG, instance.share_id(SLUG, OUTSIDER_ORG))


def test_no_frame_reaches_the_sockets_of_an_account_disabled_meanwhile(
    open_site: Site, sockets: list[CollabClient]
) -> None:
    instance, server = open_site.instance, open_site.server
    owner = Visitor.sign_in(server, instance, OWNER)
    admin = Visitor.sign_in(server, instance, ADMIN)
    owner.share(SLUG, instance.organisation_id(OUTSIDER_ORG))
    person = instance.person_id(OUTSIDER)
    disabled = [False]

    def restore() -> Visitor:
        if disabled[0]:
            admin.toggle_active(person)
            disabled[0] = False
        return Visitor.sign_in(server, instance, OUTSIDER)

    def revoke(_outsider: Visitor) -> None:
        admin.toggle_active(person)
        disabled[0] = True

    writer = writer_on(open_site, SLUG, sockets, (OWNER, WATCHER))
    try:
        run_trials(
            open_site, writer, Scenario("disabled", SLUG, restore, revoke), Pace(SHORT_TRIALS)
        )
    finally:
        if disabled[0]:
            admin.toggle_active(person)
        owner.withdraw(SLUG, instance.share_id(SLUG, OUTSIDER_ORG))


def test_no_frame_reaches_an_outsider_on_another_process_after_the_withdrawal(
    limits_site: Site, sockets: list[CollabClient]
) -> None:
    """The owner withdraws on one process; the outsider's sockets are on the other."""
    instance, here, there = limits_site.instance, *limits_site.servers
    owner = Visitor.sign_in(here, instance, OWNER)
    organisation = instance.organisation_id(OUTSIDER_ORG)
    outsider = Visitor.sign_in(there, instance, OUTSIDER)

    def restore() -> Visitor:
        owner.share(SLUG, organisation)
        return outsider

    def revoke(_outsider: Visitor) -> None:
        owner.withdraw(SLUG, instance.share_id(SLUG, OUTSIDER_ORG))

    writer = writer_on(
        limits_site, SLUG, sockets, (OWNER, WATCHER), watcher_on=1
    )  # sent once the other sent it
    scenario = Scenario("elsewhere", SLUG, restore, revoke)
    # The cluster allows a person 20 joins and 1 edit a second: fewer loops, one edit a trial.
    pace = Pace(SHORT_TRIALS, loops=3, writes=1, on=1, checked=("join",))
    run_trials(limits_site, writer, scenario, pace)
