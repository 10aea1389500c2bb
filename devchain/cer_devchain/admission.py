"""Decoding and admission checks for raw transactions (``eth_sendRawTransaction``).

The dev chain mines every accepted transaction immediately, so a transaction
is either rejected here with a Besu-compatible error or mined (possibly with
status 0 when its execution reverts).
"""

from __future__ import annotations

from typing import Any, cast

from eth.abc import BlockHeaderAPI, SignedTransactionAPI, StateAPI
from eth_utils import ValidationError

from .errors import (
    GAS_PRICE_TOO_LOW,
    INTRINSIC_GAS_EXCEEDS_LIMIT,
    INVALID_PARAMS,
    INVALID_SIGNATURE,
    LIMIT_EXCEEDED,
    NONCE_TOO_HIGH,
    NONCE_TOO_LOW,
    SERVER_ERROR,
    UPFRONT_COST_EXCEEDS_BALANCE,
    RpcError,
    invalid_params,
)

LEGACY_TX_TYPE = 0
ACCESS_LIST_TX_TYPE = 1
DYNAMIC_FEE_TX_TYPE = 2
BLOB_TX_TYPE = 3
SET_CODE_TX_TYPE = 4
SUPPORTED_TYPED_TXS = frozenset({ACCESS_LIST_TX_TYPE, DYNAMIC_FEE_TX_TYPE, SET_CODE_TX_TYPE})

# EIP-7623 (Prague) calldata floor.
_FLOOR_BASE_GAS = 21_000
_FLOOR_COST_PER_TOKEN = 10
_TOKENS_PER_NONZERO_BYTE = 4


def base_fee_of(header: BlockHeaderAPI) -> int:
    """Base fee of a (London or later) header."""
    return int(getattr(header, "base_fee_per_gas", None) or 0)


def legacy_v(tx: SignedTransactionAPI) -> int:
    """The ``v`` signature value of a legacy transaction."""
    return int(cast(Any, tx).v)


def transaction_type(tx: SignedTransactionAPI) -> int:
    """The EIP-2718 type of a py-evm transaction (0 for legacy)."""
    type_id = getattr(tx, "type_id", None)
    return LEGACY_TX_TYPE if type_id is None else int(type_id)


def legacy_chain_id(v: int) -> int | None:
    """Chain id encoded in a legacy ``v`` (EIP-155), or ``None`` if unprotected."""
    if v in (27, 28):
        return None
    if v >= 35:
        return (v - 35) // 2
    raise RpcError(INVALID_SIGNATURE, "Invalid signature")


def transaction_chain_id(tx: SignedTransactionAPI) -> int | None:
    """The chain id a transaction was signed for (``None`` for pre-EIP-155 legacy)."""
    if transaction_type(tx) == LEGACY_TX_TYPE:
        return legacy_chain_id(legacy_v(tx))
    return int(cast(int, tx.chain_id))


def max_fee_per_gas(tx: SignedTransactionAPI) -> int:
    """The most the sender pays per gas: ``maxFeePerGas`` or the legacy ``gasPrice``."""
    if transaction_type(tx) >= DYNAMIC_FEE_TX_TYPE:
        return int(tx.max_fee_per_gas)
    return int(tx.gas_price)


def effective_gas_price(tx: SignedTransactionAPI, base_fee: int) -> int:
    """The price per gas actually paid in a block with ``base_fee``."""
    if transaction_type(tx) >= DYNAMIC_FEE_TX_TYPE:
        return min(int(tx.max_fee_per_gas), int(tx.max_priority_fee_per_gas) + base_fee)
    return int(tx.gas_price)


def calldata_floor_gas(data: bytes) -> int:
    """Minimum gas a transaction must provide under EIP-7623 (Prague)."""
    zeros = data.count(0)
    tokens = zeros + (len(data) - zeros) * _TOKENS_PER_NONZERO_BYTE
    return _FLOOR_BASE_GAS + _FLOOR_COST_PER_TOKEN * tokens


def decode_raw_transaction(builder: Any, raw: bytes) -> SignedTransactionAPI:
    """Decode raw transaction bytes with the VM's transaction builder.

    Blob (type 3) transactions are rejected: they need a blob sidecar and the
    dev chain does not support them.
    """
    if not raw:
        raise invalid_params("empty transaction")
    if raw[0] <= 0x7F and raw[0] not in SUPPORTED_TYPED_TXS:
        raise RpcError(INVALID_PARAMS, "Invalid transaction type")
    try:
        return builder.decode(raw)
    except Exception as exc:  # rlp / validation errors of many kinds
        raise invalid_params(f"could not decode transaction: {exc}") from exc


def check_admission(
    tx: SignedTransactionAPI,
    *,
    chain_id: int,
    pending_header: BlockHeaderAPI,
    state: StateAPI,
) -> bytes:
    """Validate ``tx`` for inclusion in the pending block; return its sender.

    :param chain_id: the chain's id; typed and EIP-155 transactions must match it
        (unprotected legacy transactions are accepted, like Hardhat/Anvil).
    :param pending_header: header of the block the transaction would go into
        (gas limit and base fee are read from it).
    :param state: the latest state (nonce and balance are read from it).
    :raises RpcError: with Besu's code and message for the first failed check.
    """
    signed_for = transaction_chain_id(tx)
    if signed_for is not None and signed_for != chain_id:
        raise RpcError(SERVER_ERROR, "Wrong chainId")

    try:
        sender = tx.sender
    except Exception as exc:
        raise RpcError(INVALID_SIGNATURE, "Invalid signature") from exc

    required_gas = max(int(tx.intrinsic_gas), calldata_floor_gas(bytes(tx.data)))
    if tx.gas < required_gas:
        raise RpcError(INTRINSIC_GAS_EXCEEDS_LIMIT, "Intrinsic gas exceeds gas limit")
    if tx.gas > pending_header.gas_limit:
        raise RpcError(LIMIT_EXCEEDED, "Transaction gas limit exceeds block gas limit")

    if transaction_type(tx) >= DYNAMIC_FEE_TX_TYPE and (
        tx.max_priority_fee_per_gas > tx.max_fee_per_gas
    ):
        raise RpcError(SERVER_ERROR, "Max priority fee per gas exceeds max fee per gas")
    if max_fee_per_gas(tx) < base_fee_of(pending_header):
        raise RpcError(GAS_PRICE_TOO_LOW, "Gas price below current base fee")

    try:
        tx.validate()
    except ValidationError as exc:
        if "signature" in str(exc).lower():
            raise RpcError(INVALID_SIGNATURE, "Invalid signature") from exc
        raise RpcError(SERVER_ERROR, f"Invalid transaction: {exc}") from exc

    expected_nonce = state.get_nonce(sender)
    if tx.nonce < expected_nonce:
        raise RpcError(NONCE_TOO_LOW, "Nonce too low")
    if tx.nonce > expected_nonce:
        raise RpcError(NONCE_TOO_HIGH, "Nonce too high")

    upfront_cost = tx.gas * max_fee_per_gas(tx) + tx.value
    if state.get_balance(sender) < upfront_cost:
        raise RpcError(UPFRONT_COST_EXCEEDS_BALANCE, "Upfront cost exceeds account balance")
    return sender
