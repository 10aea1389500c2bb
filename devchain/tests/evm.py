"""A tiny EVM assembler and the hand-written test contracts (no compiler needed)."""

from __future__ import annotations

from eth_abi import abi

OPCODES: dict[str, int] = {
    "STOP": 0x00,
    "SUB": 0x03,
    "BALANCE": 0x31,
    "CALLER": 0x33,
    "CALLDATALOAD": 0x35,
    "CALLDATASIZE": 0x36,
    "CALLDATACOPY": 0x37,
    "CODECOPY": 0x39,
    "TIMESTAMP": 0x42,
    "NUMBER": 0x43,
    "CHAINID": 0x46,
    "BASEFEE": 0x48,
    "POP": 0x50,
    "MSTORE": 0x52,
    "SLOAD": 0x54,
    "SSTORE": 0x55,
    "GAS": 0x5A,
    "TLOAD": 0x5C,
    "TSTORE": 0x5D,
    "MCOPY": 0x5E,
    "PUSH0": 0x5F,
    "SWAP1": 0x90,
    "LOG2": 0xA2,
    "RETURN": 0xF3,
    "REVERT": 0xFD,
    "INVALID": 0xFE,
}


def assemble(*items: str | int | bytes) -> bytes:
    """Assemble a program: a ``str`` is an opcode; an ``int``/``bytes`` item is
    pushed with the smallest PUSHn that fits, e.g. ``assemble(32, "PUSH0", "RETURN")``.
    """
    code = bytearray()
    for item in items:
        if isinstance(item, str):
            code.append(OPCODES[item])
            continue
        if isinstance(item, int):
            item = item.to_bytes(max(1, (item.bit_length() + 7) // 8), "big")
        if not 1 <= len(item) <= 32:
            raise ValueError("push data must be 1..32 bytes")
        code.append(0x5F + len(item))  # PUSH1 = 0x60
        code += item
    return bytes(code)


def push2(value: int) -> bytes:
    """Two-byte push data (fixed width keeps code offsets predictable)."""
    return value.to_bytes(2, "big")


def initcode(runtime: bytes) -> bytes:
    """Creation code that deploys ``runtime`` unchanged."""
    prefix_length = 13  # size of the prefix below
    prefix = assemble(
        push2(len(runtime)), push2(prefix_length), "PUSH0", "CODECOPY",
        push2(len(runtime)), "PUSH0", "RETURN",
    )
    assert len(prefix) == prefix_length
    return prefix + runtime


def reverter(payload: bytes) -> bytes:
    """Runtime code that always reverts with exactly ``payload`` as revert data."""
    if not payload:
        return assemble("PUSH0", "PUSH0", "REVERT")
    prefix_length = 13
    prefix = assemble(
        push2(len(payload)), push2(prefix_length), "PUSH0", "CODECOPY",
        push2(len(payload)), "PUSH0", "REVERT",
    )
    assert len(prefix) == prefix_length
    return prefix + payload


def error_string(reason: str) -> bytes:
    """ABI encoding of Solidity's ``Error(string)`` revert payload."""
    return bytes.fromhex("08c379a0") + abi.encode(["string"], [reason])


EMITTER_TOPIC = bytes.fromhex("ce" * 32)

# Emits LOG2(topic0=EMITTER_TOPIC, topic1=caller, data=calldata) and stores
# calldata word 0 in storage slot 0.
EMITTER = assemble(
    "CALLDATASIZE", "PUSH0", "PUSH0", "CALLDATACOPY",
    "CALLER", EMITTER_TOPIC, "CALLDATASIZE", "PUSH0", "LOG2",
    "PUSH0", "CALLDATALOAD", "PUSH0", "SSTORE",
    "STOP",
)


def returns_word(opcode: str) -> bytes:
    """Runtime returning one 32-byte word produced by ``opcode`` (e.g. TIMESTAMP)."""
    return assemble(opcode, "PUSH0", "MSTORE", 32, "PUSH0", "RETURN")


# Cancun opcodes: TSTORE/TLOAD 7 in transient slot 0, MCOPY it to memory 32, return it.
CANCUN_PROBE = assemble(
    7, "PUSH0", "TSTORE",
    "PUSH0", "TLOAD", "PUSH0", "MSTORE",
    32, "PUSH0", 32, "MCOPY",
    32, 32, "RETURN",
)
