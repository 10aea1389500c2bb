"""Development methods compatible with Hardhat/Anvil, plus ``devchain_*``."""

from __future__ import annotations

from typing import Any

from .accounts import DERIVATION_PATH_PREFIX
from .encoding import address, data, ensure_object, parse_address, parse_quantity, quantity
from .errors import invalid_params
from .methods import Api, rpc_method
from .params import Params

MAX_BLOCKS_PER_MINE_CALL = 10_000


class DevApi(Api):
    """``evm_*``, ``anvil_*``/``hardhat_*`` and ``devchain_*`` methods."""

    @rpc_method("evm_increaseTime")
    def increase_time(self, params: list[Any]) -> str:
        """Advance the clock; returns the new total offset from the wall clock (seconds)."""
        seconds = Params(params, 1).get(0, parse_quantity, "seconds")
        return quantity(self.chain.increase_time(seconds))

    @rpc_method("evm_setNextBlockTimestamp", "anvil_setNextBlockTimestamp")
    def set_next_block_timestamp(self, params: list[Any]) -> None:
        """Fix the timestamp of the next mined block."""
        timestamp = Params(params, 1).get(0, parse_quantity, "timestamp")
        self.chain.set_next_block_timestamp(timestamp)
        return None

    @rpc_method("evm_mine")
    def mine(self, params: list[Any]) -> str:
        """Mine one block (or ``{"blocks": n}``), optionally at a given timestamp."""
        p = Params(params, 1)
        option = p.raw(0)
        timestamp: int | None = None
        blocks = 1
        if isinstance(option, dict):
            options = ensure_object(option, "options")
            if options.get("timestamp") is not None:
                timestamp = parse_quantity(options["timestamp"], "options.timestamp")
            if options.get("blocks") is not None:
                blocks = parse_quantity(options["blocks"], "options.blocks")
        elif option is not None:
            timestamp = parse_quantity(option, "timestamp")
        self._mine_blocks(blocks, timestamp, interval=None)
        return "0x0"

    @rpc_method("anvil_mine", "hardhat_mine")
    def mine_many(self, params: list[Any]) -> None:
        """Mine ``blocks`` empty blocks (default 1), ``interval`` seconds apart (default 1)."""
        p = Params(params, 2)
        blocks = p.get(0, parse_quantity, "blocks", 1)
        interval = p.get(1, parse_quantity, "interval", 1)
        self._mine_blocks(blocks, None, interval=interval)
        return None

    def _mine_blocks(self, blocks: int, timestamp: int | None, interval: int | None) -> None:
        if not 1 <= blocks <= MAX_BLOCKS_PER_MINE_CALL:
            raise invalid_params(f"blocks must be between 1 and {MAX_BLOCKS_PER_MINE_CALL}")
        block = self.chain.mine(timestamp)
        for _ in range(blocks - 1):
            next_timestamp = None if interval is None else block.header.timestamp + max(interval, 1)
            block = self.chain.mine(next_timestamp)

    @rpc_method("evm_snapshot")
    def snapshot(self, params: list[Any]) -> str:
        """Snapshot the chain; returns the id to pass to ``evm_revert``."""
        Params(params, 0)
        return quantity(self.chain.snapshot())

    @rpc_method("evm_revert")
    def revert(self, params: list[Any]) -> bool:
        """Revert to a snapshot; ``false`` if the id is unknown (or already used)."""
        snapshot_id = Params(params, 1).get(0, parse_quantity, "snapshotId")
        return self.chain.revert(snapshot_id)

    @rpc_method("anvil_setBalance")
    def set_balance(self, params: list[Any]) -> None:
        """Set an account's balance (mined in a new empty block)."""
        p = Params(params, 2)
        account = p.get(0, parse_address, "address")
        balance = p.get(1, parse_quantity, "balance")
        self.chain.set_balance(account, balance)
        return None

    @rpc_method("hardhat_setBalance")
    def hardhat_set_balance(self, params: list[Any]) -> bool:
        """Hardhat's spelling of :meth:`set_balance` (returns ``true``)."""
        self.set_balance(params)
        return True

    @rpc_method("devchain_accounts")
    def dev_accounts(self, params: list[Any]) -> list[dict[str, str]]:
        """The prefunded accounts with their private keys (dev chain only!)."""
        Params(params, 0)
        return [
            {
                "address": address(account.address),
                "privateKey": data(account.private_key_bytes),
                "derivationPath": f"{DERIVATION_PATH_PREFIX}/{account.index}",
            }
            for account in self.chain.accounts
        ]

    @rpc_method("devchain_stats")
    def stats(self, params: list[Any]) -> dict[str, Any]:
        """Per-method call counts and handler seconds, blocks, transactions, gas used."""
        Params(params, 0)
        return self.chain.stats.to_json()

    @rpc_method("devchain_resetStats")
    def reset_stats(self, params: list[Any]) -> bool:
        """Start a new ``devchain_stats`` measurement window; returns ``true``."""
        Params(params, 0)
        self.chain.stats.reset()
        return True
