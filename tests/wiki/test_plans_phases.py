"""A plan's phases: who moves them, what the public reads, and late commitments after cut-off."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from click.testing import Result
from flask import Flask
from werkzeug.test import TestResponse

from tests.wiki.conftest import Browser
from tests.wiki.history_helpers import json_of
from wiki.documents.service import find_document
from wiki.plans.service import find_plan

AsPerson = Callable[[str], Browser]
GOV, TREASURY, CSO, WATCH, REVIEWER, COORDINATOR, ADMIN = (
    "gov@example.org",
    "treasury@example.org",
    "cso@example.org",
    "watch@example.org",
    "reviewer@example.org",
    "coordinator@example.org",
    "admin@example.org",
)
PLAN = "open-gov-2026"
TEXT = "# Open contracting\n\nThe department publishes every contract within 30 days.\n"
PHASES = "drafting, consultation, cut-off, sign-off, published, implementation"


def run(app: Flask, *args: str, input: str | None = None) -> Result:
    return app.test_cli_runner().invoke(args=list(args), input=input)


def make_plan(
    app: Flask, government: str = "Cabinet Office", civil: str = "Open Data Charity"
) -> Result:
    return run(
        app,
        "create-plan",
        PLAN,
        "--title",
        "Open government plan 2026",
        "--government-lead",
        government,
        "--civil-society-lead",
        civil,
    )


def make_doc(app: Flask, slug: str, *options: str, kind: str = "commitment") -> Result:
    return run(app, "create-doc", slug, "--kind", kind, "--plan", PLAN, *options, input=TEXT)


def post(person: Browser, url: str, data: dict[str, Any], token: bool = True) -> TestResponse:
    """A JSON write as the editor sends it: the session cookie and the page's CSRF token."""
    headers = {"X-CSRFToken": person.token("/")} if token else {}
    return person.client.post(url, json=data, headers=headers)


def move(person: Browser, phase: str, plan: str = PLAN) -> TestResponse:
    return post(person, f"/api/plans/{plan}/phase", {"phase": phase})


def register(reader: Browser) -> dict[str, dict[str, Any]]:
    """Slug -> the commitment as the plan's register lists it for ``reader``."""
    listed = json_of(reader, f"/api/plans/{PLAN}")["commitments"]
    return {c["slug"]: c for c in listed}


def drafted_plan(app: Flask) -> None:
    """The plan in drafting with a network narrative and commitment, and a restricted one."""
    assert make_plan(app).exit_code == 0
    made = [
        make_doc(app, "narrative", "--org", "Cabinet Office", kind="narrative"),
        make_doc(app, "open-contracting", "--org", "Cabinet Office"),
        make_doc(
            app,
            "tax-data",
            "--org",
            "Treasury",
            "--partner",
            "Open Data Charity",
            "--visibility",
            "restricted",
        ),
        make_doc(app, "minutes", "--org", "Cabinet Office", kind="notes"),
    ]
    assert [result.exit_code for result in made] == [0, 0, 0, 0], [r.output for r in made]


def test_only_the_coordinator_moves_a_plan_between_phases(app: Flask, as_person: AsPerson) -> None:
    drafted_plan(app)
    coordinator = as_person(COORDINATOR)
    for email in (GOV, CSO, ADMIN):
        refused = move(as_person(email), "consultation")
        assert refused.status_code == 403, email
        assert "coordinator" in refused.get_json()["error"]
    unknown = move(coordinator, "review")
    assert unknown.status_code == 400 and PHASES in unknown.get_json()["error"]
    assert move(coordinator, "consultation", "no-such-plan").status_code == 404
    forged = post(coordinator, f"/api/plans/{PLAN}/phase", {"phase": "cut-off"}, token=False)
    assert forged.status_code == 400
    assert json_of(coordinator, f"/api/plans/{PLAN}")["phase"] == "drafting"

    moved = move(coordinator, "consultation")
    assert moved.status_code == 200
    assert moved.get_json() == {"slug": PLAN, "phase": "consultation"}
    assert json_of(as_person(GOV), f"/api/plans/{PLAN}")["phase"] == "consultation"


def test_from_consultation_the_public_reads_the_narrative_and_commitments(
    app: Flask, as_person: AsPerson, browser: Browser
) -> None:
    drafted_plan(app)
    for url in (f"/api/plans/{PLAN}", "/narrative", "/open-contracting", "/api/docs/narrative"):
        assert browser.get(url).status_code == 404, url
    assert move(as_person(COORDINATOR), "consultation").status_code == 200

    plan = json_of(browser, f"/api/plans/{PLAN}")
    assert (plan["slug"], plan["phase"]) == (PLAN, "consultation")
    assert plan["title"] == "Open government plan 2026"
    assert [c["slug"] for c in plan["commitments"]] == ["open-contracting"]
    for url in ("/narrative", "/open-contracting"):
        response = browser.get(url)
        assert response.status_code == 200, url
        assert "every contract within 30 days" in response.get_data(as_text=True)
    # Only the plan's texts open: the restricted commitment and the notes stay where they were.
    for url in ("/tax-data", "/minutes", "/api/docs/tax-data"):
        assert browser.get(url).status_code == 404, url
    assert set(register(as_person(CSO))) == {"open-contracting", "tax-data"}
    assert set(register(as_person(WATCH))) == {"open-contracting"}

    assert move(as_person(COORDINATOR), "drafting").status_code == 200
    assert browser.get("/narrative").status_code == 404
    assert browser.get(f"/api/plans/{PLAN}").status_code == 404


def test_after_cut_off_a_new_commitment_waits_for_both_leads_consent(
    app: Flask, as_person: AsPerson, browser: Browser
) -> None:
    drafted_plan(app)
    assert run(app, "plan-phase", PLAN, "cut-off").exit_code == 0
    # The Treasury is a government department, but not one of the plan's leads.
    made = make_doc(app, "late-tenders", "--org", "Treasury", "--partner", "Transparency Watch")
    assert made.exit_code == 0, made.output
    assert "late, awaiting both leads' consent" in made.output

    gov, cso, treasury = as_person(GOV), as_person(CSO), as_person(TREASURY)
    for reader in (gov, cso, treasury):
        late = register(reader)["late-tenders"]
        assert late["late"] is True and late["number"] is None and late["consents"] == []
    assert register(gov)["open-contracting"]["late"] is False
    assert register(gov)["open-contracting"]["number"] == 1
    # Not its partner, a reviewer, the coordinator or the public, whatever its grants say.
    outsiders = [as_person(WATCH), as_person(REVIEWER), as_person(COORDINATOR), browser]
    for reader in outsiders:
        assert "late-tenders" not in register(reader)
        assert reader.get("/late-tenders").status_code == 404

    refused = post(treasury, "/api/docs/late-tenders/consent", {})
    assert refused.status_code == 403 and "two leads" in refused.get_json()["error"]
    assert post(outsiders[0], "/api/docs/late-tenders/consent", {}).status_code == 404
    first = post(gov, "/api/docs/late-tenders/consent", {})
    assert first.status_code == 200
    assert first.get_json() == {"slug": "late-tenders", "awaiting_consent": True}
    assert "late-tenders" not in register(outsiders[0])
    assert register(cso)["late-tenders"]["number"] is None
    second = post(cso, "/api/docs/late-tenders/consent", {})
    assert second.get_json() == {"slug": "late-tenders", "awaiting_consent": False}

    for reader in outsiders:
        joined = register(reader)["late-tenders"]
        assert joined["number"] == 3  # after open-contracting and tax-data
        assert [(c["organisation"], c["kind"], c["person"]) for c in joined["consents"]] == [
            ("Cabinet Office", "government", "Gita Gov"),
            ("Open Data Charity", "civil_society", "Chidi Cso"),
        ]
        assert all(datetime.fromisoformat(c["at"]).tzinfo for c in joined["consents"])
        assert joined["lead"] == {"name": "Treasury", "kind": "government"}
        assert reader.get("/late-tenders").status_code == 200
    again = post(gov, "/api/docs/late-tenders/consent", {})
    assert again.status_code == 200 and len(register(gov)["late-tenders"]["consents"]) == 2


def test_a_commitment_made_with_the_new_document_form_after_cut_off_is_late(
    app: Flask, as_person: AsPerson
) -> None:
    drafted_plan(app)
    assert run(app, "plan-phase", PLAN, "cut-off").exit_code == 0
    treasury = as_person(TREASURY)
    form = {"title": "Tender data", "slug": "tender-data", "kind": "commitment"}
    made = treasury.submit("/-/new", {**form, "visibility": "network", "plan": PLAN})
    assert made.status_code == 302, made.get_data(as_text=True)

    late = register(treasury)["tender-data"]
    assert (late["late"], late["number"], late["title"]) == (True, None, "Tender data")
    assert late["lead"] == {"name": "Treasury", "kind": "government"}
    assert "tender-data" in register(as_person(GOV)) and "tender-data" in register(as_person(CSO))
    assert "tender-data" not in register(as_person(WATCH))
    assert as_person(WATCH).get("/tender-data").status_code == 404


def test_a_reviewer_of_a_lead_organisation_sees_a_late_commitment_but_may_not_consent(
    app: Flask, as_person: AsPerson
) -> None:
    assert make_plan(app, civil="Transparency Watch").exit_code == 0
    assert run(app, "plan-phase", PLAN, "published").exit_code == 0
    assert make_doc(app, "late-audit", "--org", "Treasury").exit_code == 0
    reviewer = as_person(REVIEWER)
    assert register(reviewer)["late-audit"]["number"] is None
    refused = post(reviewer, "/api/docs/late-audit/consent", {})
    assert refused.status_code == 403
    assert post(as_person(GOV), "/api/docs/late-audit/consent", {}).status_code == 200
    assert "late-audit" not in register(as_person(CSO))
    assert post(as_person(WATCH), "/api/docs/late-audit/consent", {}).status_code == 200
    assert register(as_person(CSO))["late-audit"]["number"] == 1


def test_a_commitment_made_before_the_cut_off_needs_no_consent(
    app: Flask, as_person: AsPerson
) -> None:
    drafted_plan(app)
    assert run(app, "plan-phase", PLAN, "sign-off").exit_code == 0
    refused = post(as_person(GOV), "/api/docs/open-contracting/consent", {})
    assert refused.status_code == 409
    assert register(as_person(WATCH))["open-contracting"]["consents"] == []


def test_plan_phase_moves_a_plan_and_rejects_an_unknown_phase_in_one_line(app: Flask) -> None:
    assert make_plan(app).exit_code == 0
    moved = run(app, "plan-phase", PLAN, "consultation")
    assert moved.exit_code == 0 and moved.output == f"Plan {PLAN} is now in consultation.\n"
    for args, message in (
        ((PLAN, "review"), f"Error: phase: Choose one of: {PHASES}.\n"),
        (("no-such-plan", "cut-off"), "Error: plan: there is no plan “no-such-plan”\n"),
        ((PLAN,), "Error: Missing argument"),
    ):
        result = run(app, "plan-phase", *args)
        assert result.exit_code != 0, args
        assert result.output.startswith(message) and result.output.count("\n") == 1, args
    with app.app_context():
        plan = find_plan(PLAN)
        assert plan is not None and plan.phase.value == "consultation"


def test_create_plan_refuses_leads_of_the_wrong_kind(app: Flask) -> None:
    swapped = make_plan(app, "Open Data Charity", "Treasury")
    assert swapped.exit_code == 1
    assert swapped.output == (
        "Error: government_lead: Open Data Charity is not a government organisation.; "
        "civil_society_lead: Treasury is not a civil-society organisation.\n"
    )
    unknown = make_plan(app, "Home Office")
    assert unknown.exit_code == 1
    assert (
        unknown.output == "Error: government_lead: there is no organisation called “Home Office”\n"
    )
    with app.app_context():
        assert find_plan(PLAN) is None
    made = make_plan(app)
    assert made.exit_code == 0 and made.output == f"Created plan {PLAN} (drafting).\n"
    again = make_plan(app)
    assert again.exit_code == 1 and "already exists" in again.output


def test_create_doc_in_an_unknown_plan_fails_and_makes_nothing(app: Flask) -> None:
    unknown = make_doc(app, "orphan", "--org", "Cabinet Office")
    assert unknown.exit_code == 1
    assert unknown.output == f"Error: plan: there is no plan “{PLAN}”\n"
    with app.app_context():
        assert find_document("orphan") is None


def test_create_doc_refuses_a_partner_that_is_not_civil_society(
    app: Flask, as_person: AsPerson
) -> None:
    assert make_plan(app).exit_code == 0
    refused = make_doc(app, "joint", "--org", "Cabinet Office", "--partner", "Treasury")
    assert refused.exit_code == 1
    assert refused.output == "Error: partners: Partners are civil-society organisations.\n"
    missing = make_doc(app, "joint", "--org", "Cabinet Office", "--partner", "Nobody")
    assert missing.exit_code == 1
    assert missing.output == "Error: partner: there is no organisation called “Nobody”\n"
    with app.app_context():
        assert find_document("joint") is None
    assert register(as_person(GOV)) == {}
