"""The gaps inside characters, which no update may cut at.

Yjs counts text in UTF-16 code units, so an update can name the gap between the two
halves of a surrogate pair (an emoji, say): as the origin of an insertion or an end of
a deletion. Yjs then shows U+FFFD; y-py and pycrdt may panic, or keep a live text that
differs from their own encoded state (so a client that syncs sees another document than
the server's). No editor makes such an update, so a room refuses it.
"""

from __future__ import annotations

from collections.abc import Mapping

from crdt.errors import SplitCharacter
from crdt.updates import UpdateInfo

Gap = tuple[int, int]  # (client, clock): the gap just before that clock


class PairGaps:
    """The gaps inside the surrogate pairs a document's updates have inserted."""

    def __init__(self) -> None:
        self._gaps: set[Gap] = set()

    def add(self, info: UpdateInfo) -> None:
        """Remember the pairs an applied update inserted."""
        self._gaps.update(info.pairs)

    def check(self, info: UpdateInfo, known: Mapping[int, int]) -> None:
        """Raise SplitCharacter if ``info`` cuts a character of the document or its own."""
        gaps = self._gaps
        if not gaps and not info.pairs:
            return  # the usual case: no text beyond the Basic Multilingual Plane
        own = frozenset(info.pairs)
        cuts = list(info.cuts)
        for client, ranges in info.structs.items():  # the engine slices off what it has
            reached = known.get(client, 0)
            cuts += [(client, reached) for clock, n in ranges if clock < reached < clock + n]
        for cut in cuts:
            if cut in gaps or cut in own:
                raise SplitCharacter(
                    "update cuts a character in two (between the halves of a UTF-16 "
                    f"surrogate pair, at client {cut[0]} clock {cut[1]})"
                )
