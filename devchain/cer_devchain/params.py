"""Parsing of JSON-RPC positional parameters into typed values."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from eth.abc import BlockHeaderAPI
from eth_typing import Address

from .chain import DevChain
from .encoding import ensure_object, parse_address, parse_data, parse_hash, parse_quantity
from .errors import RpcError, invalid_params, server_error
from .execution import ZERO_ADDRESS, CallRequest
from .logs import LogFilter

T = TypeVar("T")
_MISSING: Any = object()

# Tags that all resolve to the latest mined block: with automine there is never
# a pending transaction, and there is no finality on a dev chain.
HEAD_TAGS = frozenset({"latest", "pending", "safe", "finalized"})
MAX_TOPIC_POSITIONS = 4


class Params:
    """Positional parameters of one call, with arity checking."""

    def __init__(self, values: list[Any], max_count: int) -> None:
        if len(values) > max_count:
            raise invalid_params(f"too many arguments, want at most {max_count}")
        self._values = values

    def get(
        self,
        index: int,
        parser: Callable[[Any, str], T],
        name: str,
        default: Any = _MISSING,
    ) -> T:
        """Parse parameter ``index``; missing or ``null`` yields ``default`` if given."""
        value = self._values[index] if index < len(self._values) else None
        if value is None:
            if default is _MISSING:
                raise invalid_params(f"missing value for required argument {name}")
            return default
        return parser(value, name)

    def raw(self, index: int) -> Any:
        """The unparsed value at ``index`` (``None`` when absent)."""
        return self._values[index] if index < len(self._values) else None


# ----------------------------------------------------------------- block parameters


def block_number_or_tag(value: Any, name: str) -> int | str:
    """Parse a block tag (``latest``...) or number; tags are returned as strings."""
    if isinstance(value, str) and value in HEAD_TAGS | {"earliest"}:
        return value
    return parse_quantity(value, name, max_value=2**63 - 1)


def resolve_number(chain: DevChain, value: int | str) -> int:
    """Block number for a parsed tag or number (tags are resolved against the head)."""
    if value == "earliest":
        return 0
    if isinstance(value, str):
        return chain.head.block_number
    return value


def state_header(chain: DevChain, value: Any, name: str = "block") -> BlockHeaderAPI:
    """Header selecting the state for state queries and calls.

    Accepts a tag, a number, or an EIP-1898 object (``blockHash`` with optional
    ``requireCanonical``, or ``blockNumber``). Defaults to ``latest``.
    """
    if value is None:
        return chain.head
    if isinstance(value, dict):
        if "blockHash" in value:
            header = chain.header_by_hash(parse_hash(value["blockHash"], f"{name}.blockHash"))
            if header is None:
                raise server_error("header for hash not found")
            return header
        if "blockNumber" in value:
            value = value["blockNumber"]
        else:
            raise invalid_params(f"{name}: expected blockHash or blockNumber")
    number = resolve_number(chain, block_number_or_tag(value, name))
    header = chain.header_by_number(number)
    if header is None:
        raise server_error("header not found")
    return header


# ----------------------------------------------------------------- transactions


@dataclass(frozen=True)
class TransactionRequest:
    """The fields of an ``eth_call``/``eth_estimateGas``/``eth_sendTransaction`` object."""

    sender: Address | None
    to: Address | None
    gas: int | None
    gas_price: int | None
    max_fee_per_gas: int | None
    max_priority_fee_per_gas: int | None
    value: int
    data: bytes
    nonce: int | None
    chain_id: int | None

    def call_request(self) -> CallRequest:
        """The request as a read-only call (fees are ignored; calls are free)."""
        return CallRequest(
            sender=self.sender or ZERO_ADDRESS,
            to=self.to,
            gas=self.gas,
            value=self.value,
            data=self.data,
        )


def transaction_request(value: Any, name: str) -> TransactionRequest:
    """Parse a transaction call object."""
    obj = ensure_object(value, name)

    def field(key: str, parser: Callable[[Any, str], T]) -> T | None:
        item = obj.get(key)
        return None if item is None else parser(item, f"{name}.{key}")

    payload = field("input", parse_data)
    legacy_payload = field("data", parse_data)
    if payload is not None and legacy_payload is not None and payload != legacy_payload:
        raise invalid_params(f"{name}: both input and data given and they differ")
    return TransactionRequest(
        sender=field("from", parse_address),
        to=field("to", parse_address),
        gas=field("gas", lambda v, n: parse_quantity(v, n, max_value=2**64 - 1)),
        gas_price=field("gasPrice", parse_quantity),
        max_fee_per_gas=field("maxFeePerGas", parse_quantity),
        max_priority_fee_per_gas=field("maxPriorityFeePerGas", parse_quantity),
        value=field("value", parse_quantity) or 0,
        data=payload if payload is not None else (legacy_payload or b""),
        nonce=field("nonce", lambda v, n: parse_quantity(v, n, max_value=2**64 - 1)),
        chain_id=field("chainId", parse_quantity),
    )


# ----------------------------------------------------------------- log filters


@dataclass(frozen=True)
class LogQuery:
    """A parsed ``eth_getLogs`` filter: either a block range or one block hash."""

    criteria: LogFilter
    from_block: int | str = "latest"
    to_block: int | str = "latest"
    block_hash: bytes | None = None


def _addresses(value: Any, name: str) -> frozenset[bytes] | None:
    if value is None:
        return None
    if isinstance(value, list):
        return frozenset(parse_address(item, f"{name}[{i}]") for i, item in enumerate(value))
    return frozenset({parse_address(value, name)})


def _topics(value: Any, name: str) -> tuple[frozenset[bytes] | None, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise invalid_params(f"{name}: expected an array")
    if len(value) > MAX_TOPIC_POSITIONS:
        raise invalid_params(f"{name}: at most {MAX_TOPIC_POSITIONS} topic positions")
    positions: list[frozenset[bytes] | None] = []
    for i, item in enumerate(value):
        if item is None:
            positions.append(None)
        elif isinstance(item, list):
            if not item or any(alternative is None for alternative in item):
                positions.append(None)  # an empty or null-containing OR-list matches anything
            else:
                positions.append(
                    frozenset(parse_hash(t, f"{name}[{i}]") for t in item)
                )
        else:
            positions.append(frozenset({parse_hash(item, f"{name}[{i}]")}))
    while positions and positions[-1] is None:
        positions.pop()
    return tuple(positions)


def log_query(value: Any, name: str) -> LogQuery:
    """Parse an ``eth_getLogs`` filter object."""
    obj = ensure_object(value, name)
    criteria = LogFilter(
        addresses=_addresses(obj.get("address"), f"{name}.address"),
        topics=_topics(obj.get("topics"), f"{name}.topics"),
    )
    if obj.get("blockHash") is not None:
        if obj.get("fromBlock") is not None or obj.get("toBlock") is not None:
            raise invalid_params(f"{name}: blockHash cannot be combined with fromBlock/toBlock")
        return LogQuery(
            criteria=criteria, block_hash=parse_hash(obj["blockHash"], f"{name}.blockHash")
        )
    from_block = obj.get("fromBlock")
    to_block = obj.get("toBlock")
    return LogQuery(
        criteria=criteria,
        from_block=(
            "latest"
            if from_block is None
            else block_number_or_tag(from_block, f"{name}.fromBlock")
        ),
        to_block=(
            "latest" if to_block is None else block_number_or_tag(to_block, f"{name}.toBlock")
        ),
    )


__all__ = [
    "HEAD_TAGS",
    "LogQuery",
    "Params",
    "RpcError",
    "TransactionRequest",
    "block_number_or_tag",
    "log_query",
    "resolve_number",
    "state_header",
    "transaction_request",
]
