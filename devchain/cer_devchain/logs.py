"""Log filters for ``eth_getLogs`` (address and topic matching, bloom pre-check)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from eth_bloom import BloomFilter


@dataclass(frozen=True)
class LogFilter:
    """Address/topic criteria of an ``eth_getLogs`` filter.

    ``addresses`` is ``None`` for "any address"; each entry of ``topics`` is
    ``None`` (wildcard) or the set of accepted 32-byte values at that position
    (an OR-list). A log matches when it has at least as many topics as the
    filter names positions and every named position matches.
    """

    addresses: frozenset[bytes] | None = None
    topics: tuple[frozenset[bytes] | None, ...] = ()

    def matches(self, address: bytes, topics: Sequence[bytes]) -> bool:
        """Whether a log emitted by ``address`` with ``topics`` passes the filter."""
        if self.addresses is not None and address not in self.addresses:
            return False
        if len(topics) < len(self.topics):
            return False
        return all(
            accepted is None or topic in accepted
            for accepted, topic in zip(self.topics, topics, strict=False)
        )

    def may_match_bloom(self, bloom: int) -> bool:
        """Cheap pre-check against a block's logs bloom (false positives allowed)."""
        if bloom == 0:
            return False
        bloom_filter = BloomFilter(bloom)
        if self.addresses is not None and not any(a in bloom_filter for a in self.addresses):
            return False
        return all(
            accepted is None or any(t in bloom_filter for t in accepted)
            for accepted in self.topics
        )


def topics_as_bytes(topics: Sequence[int]) -> list[bytes]:
    """py-evm stores log topics as integers; convert them to 32-byte words."""
    return [int(topic).to_bytes(32, "big") for topic in topics]

