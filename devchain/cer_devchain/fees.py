"""Fee suggestions and ``eth_feeHistory``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .admission import base_fee_of, effective_gas_price
from .chain import DevChain
from .config import DEFAULT_PRIORITY_FEE_WEI
from .encoding import quantity


def suggested_priority_fee(chain: DevChain) -> int:
    """``eth_maxPriorityFeePerGas``: 1 gwei, or 0 when the chain runs with zero base fee."""
    return 0 if chain.config.zero_base_fee else DEFAULT_PRIORITY_FEE_WEI


def suggested_gas_price(chain: DevChain) -> int:
    """``eth_gasPrice``: the next block's base fee plus the suggested tip."""
    return chain.pending_base_fee + suggested_priority_fee(chain)


def _block_rewards(
    tips_and_gas: list[tuple[int, int]], gas_used: int, percentiles: Sequence[float]
) -> list[int]:
    """Tip at each percentile of gas used in a block (geth's algorithm)."""
    if not tips_and_gas or gas_used == 0:
        return [0 for _ in percentiles]
    tips_and_gas.sort()
    rewards: list[int] = []
    index = 0
    cumulative = tips_and_gas[0][1]
    for percentile in percentiles:
        threshold = gas_used * percentile / 100
        while cumulative < threshold and index < len(tips_and_gas) - 1:
            index += 1
            cumulative += tips_and_gas[index][1]
        rewards.append(tips_and_gas[index][0])
    return rewards


def fee_history(
    chain: DevChain, block_count: int, newest: int, percentiles: Sequence[float] | None
) -> dict[str, Any]:
    """``eth_feeHistory`` for ``block_count`` blocks ending at block ``newest``."""
    block_count = min(block_count, newest + 1)
    oldest = newest - block_count + 1
    base_fees: list[str] = []
    ratios: list[float] = []
    rewards: list[list[str]] = []
    header = None
    for number in range(oldest, newest + 1):
        block = chain.block_by_number(number)
        assert block is not None  # newest <= head is checked by the caller
        header = block.header
        base_fee = base_fee_of(header)
        base_fees.append(quantity(base_fee))
        ratios.append(header.gas_used / header.gas_limit)
        if percentiles is not None:
            receipts = chain.receipts(block)
            tips_and_gas: list[tuple[int, int]] = []
            previous = 0
            for tx, receipt in zip(block.transactions, receipts, strict=True):
                tip = effective_gas_price(tx, base_fee) - base_fee
                tips_and_gas.append((tip, receipt.gas_used - previous))
                previous = receipt.gas_used
            rewards.append(
                [quantity(r) for r in _block_rewards(tips_and_gas, header.gas_used, percentiles)]
            )
    if header is not None:
        child = chain.backend.chain.create_header_from_parent(header)
        base_fees.append(quantity(base_fee_of(child)))
    result: dict[str, Any] = {
        "oldestBlock": quantity(oldest),
        "baseFeePerGas": base_fees,
        "gasUsedRatio": ratios,
    }
    if percentiles is not None:
        result["reward"] = rewards
    return result
