"""Ethereum JSON-RPC hex encoding: output formatters and strict input parsers.

Output rules (the Ethereum JSON-RPC spec):

* quantities are minimal big-endian hex with a ``0x`` prefix (``0x0``, ``0x1f``);
* unformatted data is even-length hex with a ``0x`` prefix (``0x`` when empty);
* addresses are 20-byte data, emitted in lower case.

Input parsers raise :class:`~cer_devchain.errors.RpcError` (-32602) with a
message naming the offending parameter.
"""

from __future__ import annotations

import re
from typing import Any

from eth_typing import Address

from .errors import RpcError, invalid_params

_HEX_RE = re.compile(r"^0x[0-9a-fA-F]*$")
UINT256_MAX = 2**256 - 1


def quantity(value: int) -> str:
    """Encode a non-negative integer as a JSON-RPC quantity."""
    if value < 0:
        raise ValueError(f"quantity must be non-negative, got {value}")
    return hex(value)


def data(value: bytes) -> str:
    """Encode bytes as JSON-RPC unformatted data."""
    return "0x" + bytes(value).hex()


def address(value: bytes) -> str:
    """Encode a 20-byte address (lower-case hex)."""
    if len(value) != 20:
        raise ValueError(f"address must be 20 bytes, got {len(value)}")
    return data(value)


def optional_address(value: bytes | None) -> str | None:
    """Encode an address, mapping ``None`` and ``b""`` (contract creation) to ``None``."""
    if not value:
        return None
    return address(value)


def word(value: int) -> str:
    """Encode an integer as a 32-byte data word (e.g. a log topic or storage value)."""
    return data(value.to_bytes(32, "big"))


# --------------------------------------------------------------------------- parsing


def parse_quantity(value: Any, name: str, *, max_value: int = UINT256_MAX) -> int:
    """Parse a quantity.

    Accepts ``0x``-hex strings (leading zeros tolerated, so a 32-byte storage
    slot works too) and, leniently, plain JSON integers.
    """
    if isinstance(value, bool):
        raise invalid_params(f"{name}: expected a hex quantity, got a boolean")
    if isinstance(value, int):
        result = value
    elif isinstance(value, str):
        if not _HEX_RE.match(value) or len(value) < 3:
            raise invalid_params(f"{name}: invalid hex quantity {value!r}")
        result = int(value, 16)
    else:
        raise invalid_params(f"{name}: expected a hex quantity, got {type(value).__name__}")
    if result < 0 or result > max_value:
        raise invalid_params(f"{name}: quantity out of range")
    return result


def parse_data(value: Any, name: str, *, length: int | None = None) -> bytes:
    """Parse unformatted hex data, optionally requiring an exact byte length."""
    if not isinstance(value, str) or not _HEX_RE.match(value):
        raise invalid_params(f"{name}: expected 0x-prefixed hex data")
    digits = value[2:]
    if len(digits) % 2:
        raise invalid_params(f"{name}: hex data must have an even number of digits")
    result = bytes.fromhex(digits)
    if length is not None and len(result) != length:
        raise invalid_params(f"{name}: expected {length} bytes, got {len(result)}")
    return result


def parse_address(value: Any, name: str) -> Address:
    """Parse a 20-byte address (any letter case; the checksum is not enforced)."""
    return Address(parse_data(value, name, length=20))


def parse_hash(value: Any, name: str) -> bytes:
    """Parse a 32-byte hash."""
    return parse_data(value, name, length=32)


def parse_bool(value: Any, name: str) -> bool:
    """Parse a JSON boolean."""
    if not isinstance(value, bool):
        raise invalid_params(f"{name}: expected a boolean")
    return value


def ensure_object(value: Any, name: str) -> dict[str, Any]:
    """Require a JSON object."""
    if not isinstance(value, dict):
        raise invalid_params(f"{name}: expected an object")
    return value


__all__ = [
    "RpcError",
    "address",
    "data",
    "ensure_object",
    "optional_address",
    "parse_address",
    "parse_bool",
    "parse_data",
    "parse_hash",
    "parse_quantity",
    "quantity",
    "word",
]
