"""Recording what is worth telling: cheap, in the request's transaction (flushed, not committed).

Each function finds who should hear of an event, keeps those the policy lets see the
document now, and adds a notification for each; an immediate one also queues its mail.
Nothing here reads a document's text or sends anything.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import or_, select

from wiki.access.policy import Action, can
from wiki.extensions import db
from wiki.notify.routing import route
from wiki.notify.watching import watch
from wiki.storage.models import (
    Comment,
    Commitment,
    Document,
    Level,
    NoticeKind,
    Notification,
    Organisation,
    Partner,
    Person,
    Plan,
    Reply,
    Role,
    Share,
)

MENTION = re.compile(r"@\[([^\]\n]{1,200})\]")


def add(
    people: Iterable[Person],
    kind: NoticeKind,
    *,
    doc: Document | None = None,
    plan: Plan | None = None,
    comment: Comment | None = None,
    actor: Person | None = None,
    detail: str = "",
    need: Action = Action.VIEW,
) -> list[Notification]:
    """One notification for each of ``people`` who may do ``need`` in ``doc`` (not the actor)."""
    made = []
    for person in dict.fromkeys(people):
        if not person.active or (actor is not None and person.id == actor.id):
            continue
        if doc is not None and not can(person, need, doc):
            continue
        notice = Notification(
            person_id=person.id,
            kind=kind,
            document_id=doc.id if doc else None,
            plan_id=plan.id if plan else None,
            comment_id=comment.id if comment else None,
            actor_id=actor.id if actor else None,
            detail=detail[:300],
        )
        route(person, notice)
        db.session.add(notice)
        made.append(notice)
    db.session.flush()
    return made


def people_of(organisations: Iterable[int]) -> list[Person]:
    """The active people of these organisations."""
    ids = set(organisations)
    if not ids:
        return []
    query = select(Person).where(Person.organisation_id.in_(ids), Person.active)
    return list(db.session.scalars(query.order_by(Person.id)))


def mentioned(text: str) -> tuple[list[Person], list[Organisation]]:
    """The people and organisations ``@[Exact Name]`` names in ``text``."""
    names = set(MENTION.findall(text))
    if not names:
        return [], []
    people = db.session.scalars(select(Person).where(Person.name.in_(names), Person.active))
    orgs = db.session.scalars(select(Organisation).where(Organisation.name.in_(names)))
    return list(people), list(orgs)


def commented(doc: Document, comment: Comment, actor: Person) -> None:
    """A new comment or suggestion: its mentions, and a suggestion to those who may edit."""
    watch(actor, doc)
    reached = mention(doc, comment, comment.body, actor)
    if comment.replacement is not None:
        editors = [p for p in may_edit(doc) if p.id not in reached]
        add(editors, NoticeKind.SUGGESTION, doc=doc, comment=comment, actor=actor, need=Action.EDIT)


def replied(comment: Comment, reply: Reply, actor: Person) -> None:
    """A reply: its mentions, and everyone else who took part in the thread."""
    doc = db.session.get(Document, comment.document_id)
    if doc is None:
        return
    watch(actor, doc)
    reached = mention(doc, comment, reply.body, actor)
    taking_part = [comment.person, *(r.person for r in comment.replies)]
    add(
        [p for p in taking_part if p.id not in reached],
        NoticeKind.REPLY,
        doc=doc,
        comment=comment,
        actor=actor,
    )


def mention(doc: Document, comment: Comment, text: str, actor: Person) -> set[int]:
    """Tell whoever ``text`` mentions, directly or through their organisation; their ids."""
    people, orgs = mentioned(text)
    reached = [*people, *people_of(org.id for org in orgs)]
    made = add(reached, NoticeKind.MENTION, doc=doc, comment=comment, actor=actor)
    return {notice.person_id for notice in made}


def may_edit(doc: Document) -> list[Person]:
    """The active people the policy lets edit ``doc``.

    The candidates are narrowed in SQL to those a grant could reach: the owner's people,
    the organisations and people granted edit, or every member when the owner opened the
    document to them; the policy then decides for each.
    """
    query = select(Person).where(Person.active)
    if not doc.members_edit:
        granted = [s for s in doc.shares if s.level is Level.EDIT]
        orgs = [doc.owner_id, *(s.organisation_id for s in granted if s.organisation_id)]
        people = [s.person_id for s in granted if s.person_id is not None]
        query = query.where(or_(Person.organisation_id.in_(orgs), Person.id.in_(people)))
    found = db.session.scalars(query.order_by(Person.id))
    return [person for person in found if can(person, Action.EDIT, doc)]


def shared(doc: Document, shares: Iterable[Share], actor: Person | None = None) -> None:
    """A document newly shared: everyone its new grants reach hears once (not the actor)."""
    given = list(shares)
    people = [s.person for s in given if s.person is not None]
    orgs = [s.organisation.id for s in given if s.organisation is not None]
    add([*people, *people_of(orgs)], NoticeKind.SHARED, doc=doc, actor=actor)


def owes_sign_off(doc: Document, organisations: Iterable[Organisation], why: str) -> None:
    """The signatories' people (not reviewers) are asked to sign ``doc``."""
    signers = [p for p in people_of(o.id for o in organisations) if p.role is not Role.REVIEWER]
    add(signers, NoticeKind.SIGN_OFF, doc=doc, plan=doc.plan, detail=why)


def owes_consent(doc: Document) -> None:
    """A late commitment waits for the consent of its plan's two leads."""
    plan = doc.plan
    if plan is None:
        return
    leads = [p for p in people_of(plan.lead_ids) if p.role is not Role.REVIEWER]
    add(leads, NoticeKind.CONSENT, doc=doc, plan=plan)


def phase_changed(plan: Plan) -> None:
    """Everyone whose organisation takes part in ``plan`` hears of its new phase."""
    add(
        people_of(plan_organisations(plan)),
        NoticeKind.PHASE,
        plan=plan,
        detail=f"Now in {plan.phase.label.lower()}",
    )


def plan_organisations(plan: Plan) -> set[int]:
    """The leads, the owners of its documents, and its commitments' leads and partners."""
    docs = select(Document.id).where(Document.plan_id == plan.id)
    owners = select(Document.owner_id).where(Document.plan_id == plan.id)
    leads = select(Commitment.lead_id).where(Commitment.document_id.in_(docs))
    partners = select(Partner.organisation_id).where(Partner.document_id.in_(docs))
    found = set(plan.lead_ids)
    for query in (owners, leads, partners):
        found |= {org for org in db.session.scalars(query) if org is not None}
    return found
