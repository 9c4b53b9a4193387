"""Who moved, restored and removed each paragraph's text, in names, for the page and the API."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from crdt import Author, Paragraph

if TYPE_CHECKING:
    from wiki.history.service import Segment

KIND_WORDS = {"government": "government", "civil_society": "civil society", "other": "other"}
WORD = re.compile(r"\S+")


class Authorship(Protocol):
    """What names a revision's author: a Revision, or a row of these columns of one."""

    number: int
    person_id: int | None
    organisation_id: int
    organisation_kind: str


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


def word_shares(segments: Iterable[Segment]) -> dict[str, int]:
    """Each organisation kind's share of the words of ``segments``, in whole percent."""
    counts: dict[str, int] = {}
    ended_in_word = False
    for segment in segments:
        words = len(WORD.findall(segment.text))
        if ended_in_word and segment.text[:1] and not segment.text[0].isspace():
            words -= 1  # a word split between two authors counts for the first
        kind = segment.author.kind if segment.author else "other"
        counts[kind] = counts.get(kind, 0) + words
        ended_in_word = bool(segment.text) and not segment.text[-1].isspace()
    total = sum(counts.values())
    return whole_percentages({kind: n / total for kind, n in counts.items()}) if total else {}


def writers(segments: Iterable[Segment]) -> list[str]:
    """The organisations that wrote some of ``segments``' text, with their kind, by name."""
    return sorted(
        {
            f"{s.author.organisation_name} ({KIND_WORDS[s.author.kind]})"
            for s in segments
            if s.author is not None and s.text.strip()
        }
    )
