"""Who moved, restored and removed each paragraph's text, in names, for the page and the API."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from crdt import Author, Paragraph


@dataclass(frozen=True)
class Removal:
    """Characters one kind of organisation removed from a paragraph, and by which ones."""

    kind: str
    count: int
    organisations: tuple[tuple[str, int], ...]
    """(organisation name, characters), most first."""


@dataclass(frozen=True)
class Notes:
    """What a paragraph's shares leave out: removals, and who moved or restored its text."""

    removals: tuple[Removal, ...]
    """Kinds that removed anything, most first."""
    moved_by: tuple[str, ...]
    restored_by: tuple[str, ...]


def label(author: Author) -> str:
    """A person with their organisation: "Gita Gov (Cabinet Office)"."""
    if author.person_id is None:  # set-up text: the name already is the organisation's
        return author.person_name
    return f"{author.person_name} ({author.organisation_name})"


def labels(revisions: Iterable[int], who: Mapping[int, Author]) -> tuple[str, ...]:
    """Each person behind ``revisions`` once, in revision order."""
    return tuple(dict.fromkeys(label(who[rev]) for rev in sorted(revisions) if rev in who))


def organisation_names(who: Mapping[int, Author]) -> dict[int | None, str]:
    """Organisation id -> name, for the organisations among ``who``."""
    return {author.organisation_id: author.organisation_name for author in who.values()}


def paragraph_notes(paragraphs: Sequence[Paragraph], who: Mapping[int, Author]) -> list[Notes]:
    """Each paragraph's removals and movers in names, in order."""
    names = organisation_names(who)
    kinds = {author.organisation_id: author.kind for author in who.values()}
    return [notes(paragraph, who, names, kinds) for paragraph in paragraphs]


def notes(
    paragraph: Paragraph,
    who: Mapping[int, Author],
    names: Mapping[int | None, str],
    kinds: Mapping[int | None, str],
) -> Notes:
    """One paragraph's removals and movers in names, given the organisations' names and kinds."""
    removals = []
    for kind, count in sorted(paragraph.removed.items(), key=lambda item: -item[1]):
        if not count:
            continue
        orgs = sorted(
            (
                (names[org], chars)
                for org, chars in paragraph.organisation_removed.items()
                if kinds.get(org) == kind and org in names
            ),
            key=lambda item: (-item[1], item[0]),
        )
        removals.append(Removal(kind, count, tuple(orgs)))
    return Notes(
        tuple(removals), labels(paragraph.moved_by, who), labels(paragraph.restored_by, who)
    )


def whole_percentages(shares: dict[str, float]) -> dict[str, int]:
    """Fractions as whole percentages that add up to 100 (largest remainder first)."""
    if not any(shares.values()):
        return dict.fromkeys(shares, 0)
    raw = {kind: value * 100 for kind, value in shares.items()}
    result = {kind: int(value) for kind, value in raw.items()}
    short = 100 - sum(result.values())
    for kind in sorted(raw, key=lambda k: raw[k] - result[k], reverse=True)[:short]:
        result[kind] += 1
    return result
