"""Log filters for ``eth_getLogs`` (address and topic matching, bloom pre-check)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from eth_bloom.bloom import get_bloom_bits


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

    @cached_property
    def _bloom_masks(self) -> tuple[tuple[int, ...], ...]:
        """Per criterion, the bloom bit masks of its accepted values (hashed once per filter).

        A value may be in a bloom iff all three of its bits are set, i.e. ``bloom & mask == mask``
        (what :meth:`BloomFilter.__contains__` checks one bit at a time).
        """
        criteria: list[frozenset[bytes]] = []
        if self.addresses is not None:
            criteria.append(self.addresses)
        criteria.extend(accepted for accepted in self.topics if accepted is not None)
        return tuple(tuple(_bloom_mask(value) for value in accepted) for accepted in criteria)

    def may_match_bloom(self, bloom: int) -> bool:
        """Cheap pre-check against a block's logs bloom (false positives allowed)."""
        if bloom == 0:
            return False
        return all(
            any(bloom & mask == mask for mask in masks) for masks in self._bloom_masks
        )


def _bloom_mask(value: bytes) -> int:
    mask = 0
    for bits in get_bloom_bits(value):
        mask |= bits
    return mask


def topics_as_bytes(topics: Sequence[int]) -> list[bytes]:
    """py-evm stores log topics as integers; convert them to 32-byte words."""
    return [int(topic).to_bytes(32, "big") for topic in topics]

