"""eth-tester py-evm backend customised for the dev chain.

eth-tester's :class:`~eth_tester.backends.pyevm.main.PyEVMBackend` builds a
``MiningChain`` subclass whose ``chain_id`` is hard-coded (131277322940537),
whose genesis timestamp is the wall clock and whose accounts come from fixed
or mnemonic-derived keys with a non-standard HD path. This module subclasses
it so that:

* the chain class carries the configured ``chain_id`` (EIP-155 / typed
  transactions signed for that id validate, and ``CHAINID`` returns it);
* every block runs the newest fork py-evm implements (Prague, which includes
  Cancun's PUSH0/MCOPY/transient storage) from genesis on;
* the block gas limit is constant (30,000,000 by default);
* genesis is deterministic given its timestamp, so a persisted database can be
  checked against a freshly computed genesis;
* the chain can be re-attached to a previously exported key/value database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from eth.abc import BlockHeaderAPI
from eth.chains.base import MiningChain
from eth.db.atomic import AtomicDB
from eth.db.backends.memory import MemoryDB
from eth.vm.forks import PragueVM
from eth_tester.backends.pyevm.main import (
    PyEVMBackend,
    generate_genesis_state_for_keys,
    get_default_genesis_params,
)
from eth_typing import BlockNumber
from eth_utils.toolz import assoc

from .accounts import DevAccount
from .config import ACCOUNT_BALANCE_WEI, ChainConfig

LATEST_VM = PragueVM
FORK_NAME = "prague"


class DevchainMiningChain(MiningChain):
    """py-evm mining chain with a constant gas limit; ``chain_id`` is set per instance class."""

    chain_id: int = 1337
    vm_configuration = ((BlockNumber(0), LATEST_VM),)

    def create_header_from_parent(
        self, parent_header: BlockHeaderAPI, **header_params: Any
    ) -> BlockHeaderAPI:
        """Create a child header, keeping the parent's gas limit unless one is given."""
        if "gas_limit" not in header_params:
            header_params["gas_limit"] = parent_header.gas_limit
        return super().create_header_from_parent(parent_header, **header_params)

    def get_transaction_builder(self) -> Any:
        """Return the transaction builder (codec) of the pending block's VM."""
        return self.get_vm().get_transaction_builder()


def build_chain_class(chain_id: int) -> type[DevchainMiningChain]:
    """Return a ``DevchainMiningChain`` subclass whose ``chain_id`` is ``chain_id``."""
    return DevchainMiningChain.configure(
        __name__=f"DevchainMiningChain{chain_id}", chain_id=chain_id
    )


def genesis_parameters(config: ChainConfig, timestamp: int) -> dict[str, Any]:
    """Genesis header parameters: eth-tester's post-merge defaults plus our overrides."""
    params = get_default_genesis_params(
        overrides={"gas_limit": config.gas_limit, "timestamp": timestamp}
    )
    if config.zero_base_fee:
        params = assoc(params, "base_fee_per_gas", 0)
    return params


def genesis_state(accounts: Sequence[DevAccount]) -> dict[bytes, Any]:
    """Genesis allocation: every dev account holds ``ACCOUNT_BALANCE_WEI``."""
    return generate_genesis_state_for_keys(
        [account.private_key for account in accounts],
        overrides={"balance": ACCOUNT_BALANCE_WEI},
    )


class DevchainBackend(PyEVMBackend):
    """A :class:`PyEVMBackend` whose chain is built from a :class:`ChainConfig`.

    :param config: chain parameters (chain id, gas limit, base fee mode).
    :param accounts: the prefunded dev accounts (also the backend's unlocked keys).
    :param genesis_timestamp: timestamp of block 0.
    :param database: a key/value snapshot previously returned by
        :meth:`export_database`; when given, the chain continues from it instead
        of starting at genesis.
    """

    def __init__(
        self,
        config: ChainConfig,
        accounts: Sequence[DevAccount],
        genesis_timestamp: int,
        database: Mapping[bytes, bytes] | None = None,
    ) -> None:
        self.config = config
        self._dev_keys = tuple(account.private_key for account in accounts)
        self._chain_class = build_chain_class(config.chain_id)
        self._restore_from = dict(database) if database is not None else None
        super().__init__(
            genesis_parameters=genesis_parameters(config, genesis_timestamp),
            genesis_state=genesis_state(accounts),
            vm_configuration=self._chain_class.vm_configuration,
        )

    def reset_to_genesis(
        self,
        genesis_params: Any = None,
        genesis_state: Any = None,
        num_accounts: Any = None,
        vm_configuration: Any = None,
        mnemonic: Any = None,
        hd_path: Any = None,
    ) -> None:
        """Build (or re-attach) the chain; replaces eth-tester's ``setup_tester_chain``."""
        self.account_keys = self._dev_keys
        genesis_chain = self._chain_class.from_genesis(
            AtomicDB(MemoryDB()), genesis_params, genesis_state
        )
        if self._restore_from is None:
            self.chain = genesis_chain
            return
        restored = self._chain_class(AtomicDB(MemoryDB(self._restore_from)))
        self._restore_from = None
        expected = genesis_chain.get_canonical_block_header_by_number(BlockNumber(0)).hash
        actual = restored.get_canonical_block_header_by_number(BlockNumber(0)).hash
        if expected != actual:
            raise ValueError(
                "persisted chain does not match this configuration "
                f"(genesis {actual.hex()} != expected {expected.hex()})"
            )
        self.chain = restored

    def export_database(self) -> dict[bytes, bytes]:
        """Return a copy of every key/value pair of the chain database."""
        base_db = self.chain.chaindb.db
        wrapped = getattr(base_db, "wrapped_db", None)
        if not isinstance(wrapped, MemoryDB):
            raise TypeError("only in-memory chain databases can be exported")
        return dict(wrapped.kv_store)
