"""Read-only execution for ``eth_call`` and ``eth_estimateGas``.

Calls run against the post-state of a mined block, in that block's context
(``NUMBER``, ``TIMESTAMP`` ... of that block, like geth), with a zero gas price
and a zero base fee, and are always rolled back. The revert payload is kept
byte-for-byte so callers can decode custom errors.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from eth.abc import BlockHeaderAPI, ComputationAPI, SignedTransactionAPI, StateAPI
from eth.chains.base import MiningChain
from eth.exceptions import (
    FullStack,
    InsufficientStack,
    InvalidInstruction,
    InvalidJumpDestination,
    OutOfGas,
    Revert,
    StackDepthLimit,
    VMError,
    WriteProtection,
)
from eth.vm.spoof import SpoofTransaction
from eth_abi import abi
from eth_abi.exceptions import DecodingError
from eth_typing import Address

from .admission import calldata_floor_gas
from .encoding import data as hex_data
from .errors import EXECUTION_REVERTED, RpcError, server_error

ZERO_ADDRESS = Address(b"\x00" * 20)
ERROR_STRING_SELECTOR = bytes.fromhex("08c379a0")  # Error(string)
CALL_STIPEND = 2_300
ESTIMATE_ERROR_RATIO = 0.015  # stop the binary search within 1.5% of the optimum

_VM_ERROR_MESSAGES: tuple[tuple[type[VMError], str], ...] = (
    (OutOfGas, "out of gas"),
    (InvalidInstruction, "invalid opcode"),
    (InvalidJumpDestination, "invalid jump destination"),
    (InsufficientStack, "stack underflow"),
    (FullStack, "stack limit reached"),
    (StackDepthLimit, "max call depth exceeded"),
    (WriteProtection, "write protection"),
)


@dataclass(frozen=True)
class CallRequest:
    """A message call: ``to=None`` means contract creation; ``gas=None`` means the block limit."""

    sender: Address = ZERO_ADDRESS
    to: Address | None = None
    gas: int | None = None
    value: int = 0
    data: bytes = b""


def decode_revert_reason(output: bytes) -> str | None:
    """Return the string of an ``Error(string)`` revert payload, else ``None``."""
    if output[:4] != ERROR_STRING_SELECTOR:
        return None
    try:
        (reason,) = abi.decode(["string"], output[4:])
    except (DecodingError, ValueError, OverflowError):
        return None
    return str(reason)


def revert_error(output: bytes) -> RpcError:
    """The geth-style error for a revert: code 3, reason in the message, raw data."""
    reason = decode_revert_reason(output)
    message = "execution reverted" if reason is None else f"execution reverted: {reason}"
    return RpcError(EXECUTION_REVERTED, message, hex_data(output))


def failure_error(computation: ComputationAPI) -> RpcError:
    """Map a failed computation to the JSON-RPC error reported by eth_call."""
    error = computation.error
    if isinstance(error, Revert):
        return revert_error(bytes(computation.output))
    for error_type, message in _VM_ERROR_MESSAGES:
        if isinstance(error, error_type):
            return server_error(message)
    return server_error(f"execution failed: {error}")


class CallExecutor:
    """Executes call requests on top of a given block of a py-evm chain."""

    def __init__(self, chain: MiningChain, header: BlockHeaderAPI) -> None:
        self._chain = chain
        self._header = header
        self._vm = chain.get_vm(header.copy(base_fee_per_gas=0))

    @property
    def state(self) -> StateAPI:
        """The block's post-state (reads only; executions revert their snapshot)."""
        return self._vm.state

    def gas_cap(self, request: CallRequest) -> int:
        """The gas a call gets when it does not name one: the block gas limit."""
        return request.gas if request.gas is not None else self._header.gas_limit

    def execute(self, request: CallRequest, gas: int) -> ComputationAPI:
        """Run ``request`` with ``gas`` and roll back; return the computation."""
        state = self._vm.state
        if request.value > state.get_balance(request.sender):
            raise server_error("insufficient funds for transfer")
        builder = cast(Any, self._vm.get_transaction_builder())
        unsigned = builder.new_unsigned_dynamic_fee_transaction(
            chain_id=self._chain.chain_id,
            nonce=state.get_nonce(request.sender),
            max_priority_fee_per_gas=0,
            max_fee_per_gas=0,
            gas=gas,
            to=request.to if request.to is not None else b"",
            value=request.value,
            data=request.data,
            access_list=(),
        )
        transaction = cast(SignedTransactionAPI, SpoofTransaction(unsigned, from_=request.sender))
        snapshot = state.snapshot()
        try:
            return state.apply_transaction(transaction)
        finally:
            state.revert(snapshot)

    def call(self, request: CallRequest) -> bytes:
        """``eth_call``: return the output or raise the mapped :class:`RpcError`."""
        computation = self.execute(request, self.gas_cap(request))
        if computation.is_error:
            raise failure_error(computation)
        return bytes(computation.output)

    def estimate_gas(self, request: CallRequest) -> int:
        """``eth_estimateGas``: smallest gas limit (within 1.5%) that succeeds.

        Mirrors geth: run once at the cap (reporting reverts with their data),
        try the gas actually used, then an optimistic limit derived from it
        (63/64 rule, call stipend), then binary search.
        """
        cap = self.gas_cap(request)
        intrinsic_floor = calldata_floor_gas(request.data)
        if cap < intrinsic_floor:
            raise server_error(f"gas required exceeds allowance ({cap})")
        computation = self.execute(request, cap)
        if computation.is_error:
            if isinstance(computation.error, OutOfGas):
                raise server_error(f"gas required exceeds allowance ({cap})")
            raise failure_error(computation)

        # Gas used before the refund: the limit must cover it (the refund is paid back only
        # after the execution), so it is the search's lower bound, as in geth (its UsedGas +
        # RefundedGas). Starting below it cost a refunding call (a deposit that empties an
        # allowance) seven executions instead of two to five.
        used = cap - computation.get_gas_remaining()
        low = max(used, intrinsic_floor) - 1
        high = cap
        if self._succeeds(request, low + 1):
            return low + 1  # exact for calls without gas-dependent behaviour

        optimistic = (used + CALL_STIPEND) * 64 // 63
        if low < optimistic < high:
            if self._succeeds(request, optimistic):
                high = optimistic
            else:
                low = optimistic

        while low + 1 < high:
            if (high - low) / high < ESTIMATE_ERROR_RATIO:
                break
            middle = (high + low) // 2
            if middle > low * 2:
                middle = low * 2  # most transactions need far less than the cap
            if self._succeeds(request, middle):
                high = middle
            else:
                low = middle
        return high

    def _succeeds(self, request: CallRequest, gas: int) -> bool:
        return not self.execute(request, gas).is_error
