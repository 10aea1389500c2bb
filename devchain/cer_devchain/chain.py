"""The dev chain engine: block production, time control, snapshots and lookups.

:class:`DevChain` owns an eth-tester :class:`~cer_devchain.backend.DevchainBackend`
and implements the node behaviour on top of its py-evm chain:

* automine: every accepted transaction is mined at once in its own block;
* block timestamps: ``max(parent + 1, wall clock + offset)``, or an explicitly
  requested timestamp (``evm_setNextBlockTimestamp`` / ``evm_mine``);
* snapshots that rewind the canonical chain (``evm_snapshot``/``evm_revert``);
* balance overrides (``anvil_setBalance``), applied in a new empty block.

Every state change is reported to an optional journal callback as a small
JSON-able dict; :meth:`DevChain.replay` re-applies such entries exactly
(timestamps and prevrandao are recorded or deterministic), which is how
``--state`` persistence works. The engine is not thread-safe: the server
serialises all access with one lock.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import rlp
from eth.abc import BlockAPI, BlockHeaderAPI, ReceiptAPI, SignedTransactionAPI, StateAPI
from eth.db.chain import ChainDB
from eth.db.schema import SchemaV1
from eth.exceptions import BlockNotFound, HeaderNotFound, TransactionNotFound
from eth.rlp.sedes import chain_gaps
from eth_typing import BlockNumber
from eth_utils import ValidationError, keccak

from .accounts import DevAccount, derive_accounts
from .admission import check_admission, decode_raw_transaction
from .backend import DevchainBackend
from .config import ChainConfig
from .errors import RpcError, server_error
from .execution import CallExecutor
from .stats import Stats

JournalEntry = dict[str, Any]
Journal = Callable[[JournalEntry], None]


class ReplayError(RuntimeError):
    """A journal entry did not reproduce the recorded chain (corrupt or foreign state)."""


@dataclass(frozen=True)
class Snapshot:
    """What ``evm_revert`` restores: the head block and the clock settings."""

    block_hash: bytes
    time_offset: int
    next_timestamp: int | None


@dataclass(frozen=True)
class TransactionLocation:
    """A mined transaction and where it is."""

    block: BlockAPI
    index: int
    transaction: SignedTransactionAPI


BLOCK_CACHE_SIZE = 1_024  # decoded blocks (and their receipts) kept for lookups

K = TypeVar("K")
V = TypeVar("V")


class _Lru(Generic[K, V]):
    """A small least-recently-used map."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        if len(self._items) > self._size:
            self._items.popitem(last=False)


class DevChain:
    """In-memory dev chain with automine, time travel and snapshots.

    :param config: chain parameters.
    :param genesis_timestamp: timestamp of block 0 (default: now); the chain clock runs on
        from it (a fixed past date replays a fixture session on its own day).
    :param database: exported key/value database to continue from (restore).
    :param clock: wall clock in seconds, injectable for tests.
    """

    def __init__(
        self,
        config: ChainConfig,
        *,
        genesis_timestamp: int | None = None,
        database: Mapping[bytes, bytes] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.config = config
        self.accounts: tuple[DevAccount, ...] = derive_accounts(config.accounts)
        self._accounts_by_address = {account.address: account for account in self.accounts}
        self._clock = clock
        self.genesis_timestamp = (
            int(clock()) if genesis_timestamp is None else genesis_timestamp
        )
        self.backend = DevchainBackend(
            config, self.accounts, self.genesis_timestamp, database=database
        )
        self.time_offset = 0 if genesis_timestamp is None else self.genesis_timestamp - int(clock())
        self.next_timestamp: int | None = None
        self.snapshots: dict[int, Snapshot] = {}
        self.next_snapshot_id = 1
        self.journal: Journal | None = None
        self.stats = Stats()
        self._executor: tuple[bytes, CallExecutor] | None = None
        # Lookup caches. Headers, blocks and receipts never change for a given hash; the
        # number -> header map and the head are the canonical chain's and are updated when a
        # block is mined and when evm_revert rewinds (the only ways the head moves).
        self._head: BlockHeaderAPI | None = None
        self._canonical_headers: dict[int, BlockHeaderAPI] = {}
        self._blocks: _Lru[bytes, BlockAPI] = _Lru(BLOCK_CACHE_SIZE)
        self._receipts: _Lru[bytes, tuple[ReceiptAPI, ...]] = _Lru(BLOCK_CACHE_SIZE)
        self._pending_header: BlockHeaderAPI | None = None

    # ------------------------------------------------------------------ state I/O

    def export_meta(self) -> dict[str, Any]:
        """Everything besides the database needed to restore this chain."""
        return {
            "chain_id": self.config.chain_id,
            "accounts": self.config.accounts,
            "gas_limit": self.config.gas_limit,
            "zero_base_fee": self.config.zero_base_fee,
            "genesis_timestamp": self.genesis_timestamp,
            "time_offset": self.time_offset,
            "next_timestamp": self.next_timestamp,
            "next_snapshot_id": self.next_snapshot_id,
            "snapshots": {
                str(snapshot_id): {
                    "block_hash": snapshot.block_hash.hex(),
                    "time_offset": snapshot.time_offset,
                    "next_timestamp": snapshot.next_timestamp,
                }
                for snapshot_id, snapshot in self.snapshots.items()
            },
            "head": self.head.hash.hex(),
        }

    @staticmethod
    def config_from_meta(meta: Mapping[str, Any]) -> ChainConfig:
        """The :class:`ChainConfig` a persisted chain was created with."""
        return ChainConfig(
            chain_id=int(meta["chain_id"]),
            accounts=int(meta["accounts"]),
            gas_limit=int(meta["gas_limit"]),
            zero_base_fee=bool(meta["zero_base_fee"]),
        )

    @classmethod
    def restore(
        cls,
        meta: Mapping[str, Any],
        database: Mapping[bytes, bytes],
        *,
        clock: Callable[[], float] = time.time,
    ) -> DevChain:
        """Rebuild a chain from :meth:`export_meta` output and an exported database."""
        chain = cls(
            cls.config_from_meta(meta),
            genesis_timestamp=int(meta["genesis_timestamp"]),
            database=database,
            clock=clock,
        )
        chain.time_offset = int(meta["time_offset"])
        chain.next_timestamp = meta["next_timestamp"]
        chain.next_snapshot_id = int(meta["next_snapshot_id"])
        chain.snapshots = {
            int(snapshot_id): Snapshot(
                block_hash=bytes.fromhex(item["block_hash"]),
                time_offset=int(item["time_offset"]),
                next_timestamp=item["next_timestamp"],
            )
            for snapshot_id, item in meta["snapshots"].items()
        }
        if chain.head.hash.hex() != meta["head"]:
            raise ReplayError("persisted head does not match the persisted database")
        return chain

    def export_database(self) -> dict[bytes, bytes]:
        """Copy of the chain's key/value database."""
        return self.backend.export_database()

    # ------------------------------------------------------------------ lookups

    @property
    def _chain(self) -> Any:
        return self.backend.chain

    @property
    def chain_id(self) -> int:
        """The configured chain id."""
        return self.config.chain_id

    @property
    def head(self) -> BlockHeaderAPI:
        """Header of the latest mined block."""
        if self._head is None:
            self._head = self._chain.get_canonical_head()
        return self._head

    @property
    def pending_header(self) -> BlockHeaderAPI:
        """A header for the next block, for its gas limit and base fee (not its timestamp)."""
        head = self.head
        pending = self._pending_header
        if pending is None or pending.parent_hash != head.hash:
            pending = self._pending_header = self._chain.create_header_from_parent(head)
        return pending

    @property
    def pending_base_fee(self) -> int:
        """Base fee the next block will have."""
        return int(self.pending_header.base_fee_per_gas)

    def block_by_number(self, number: int) -> BlockAPI | None:
        """Canonical block ``number``, or ``None`` past the head."""
        header = self.header_by_number(number)
        if header is None:
            return None
        return self._block_by_header(header)

    def _block_by_header(self, header: BlockHeaderAPI) -> BlockAPI:
        block = self._blocks.get(header.hash)
        if block is None:
            block = self._chain.get_block_by_header(header)
            self._blocks.put(header.hash, block)
        return block

    def header_by_number(self, number: int) -> BlockHeaderAPI | None:
        """Canonical header ``number``, or ``None`` past the head."""
        if number < 0 or number > self.head.block_number:
            return None
        header = self._canonical_headers.get(number)
        if header is None:
            header = self._chain.get_canonical_block_header_by_number(number)
            self._canonical_headers[number] = header
        return header

    def header_by_hash(self, block_hash: bytes) -> BlockHeaderAPI | None:
        """Header with ``block_hash`` if it is on the canonical chain."""
        try:
            header = self._chain.get_block_header_by_hash(block_hash)
        except (HeaderNotFound, BlockNotFound):
            return None
        canonical = self.header_by_number(header.block_number)
        if canonical is None or canonical.hash != header.hash:
            return None
        return header

    def block_by_hash(self, block_hash: bytes) -> BlockAPI | None:
        """Block with ``block_hash`` if it is on the canonical chain."""
        header = self.header_by_hash(block_hash)
        if header is None:
            return None
        return self._block_by_header(header)

    def receipts(self, block: BlockAPI) -> tuple[ReceiptAPI, ...]:
        """Receipts of ``block``, in transaction order."""
        receipts = self._receipts.get(block.hash)
        if receipts is None:
            receipts = tuple(block.get_receipts(self._chain.chaindb))
            self._receipts.put(block.hash, receipts)
        return receipts

    def find_transaction(self, tx_hash: bytes) -> TransactionLocation | None:
        """Locate a mined transaction on the canonical chain."""
        try:
            number, index = self._chain.chaindb.get_transaction_index(tx_hash)
        except TransactionNotFound:
            return None
        block = self.block_by_number(number)
        if block is None or index >= len(block.transactions):
            return None
        transaction = block.transactions[index]
        if transaction.hash != tx_hash:
            return None
        return TransactionLocation(block=block, index=index, transaction=transaction)

    def state_at(self, header: BlockHeaderAPI) -> StateAPI:
        """Post-state of the block with ``header``, for reads only.

        It is the state of that block's :meth:`executor` (the same state root), so a batch of
        1,000 ``eth_getTransactionCount`` or ``eth_getBalance`` at one block builds one VM, not
        1,000, and shares the read caches with the block's ``eth_call`` s. Callers only read
        it: executions on it run in snapshots that are reverted.
        """
        return self.executor(header).state

    def executor(self, header: BlockHeaderAPI) -> CallExecutor:
        """A :class:`CallExecutor` for calls against block ``header``.

        The last one is kept for its block: building a VM and its state for every call cost
        more than most calls (a batch of 1,000 ``eth_call`` s at one block builds it once, and
        its read caches stay warm). Reusing it is safe: the state at a block never changes, and
        each execution runs in a snapshot that is reverted, warm-access marks included — as
        ``eth_estimateGas`` has always run several executions on one executor.
        """
        cached = self._executor
        if cached is not None and cached[0] == header.hash:
            return cached[1]
        executor = CallExecutor(self._chain, header)
        self._executor = (header.hash, executor)
        return executor

    def account(self, address: bytes) -> DevAccount | None:
        """The dev account with ``address``, if it is one."""
        return self._accounts_by_address.get(bytes(address))

    # ------------------------------------------------------------------ time

    def now(self) -> int:
        """Wall clock plus the configured offset."""
        return int(self._clock()) + self.time_offset

    def _timestamp_for_next_block(self, requested: int | None) -> tuple[int, bool]:
        """Timestamp for the next block and whether it was explicitly chosen."""
        parent_timestamp = self.head.timestamp
        explicit = requested if requested is not None else self.next_timestamp
        if explicit is not None:
            if explicit <= parent_timestamp:
                raise server_error(
                    f"Timestamp {explicit} must be greater than the latest block's "
                    f"timestamp {parent_timestamp}"
                )
            return explicit, True
        return max(parent_timestamp + 1, self.now()), False

    def increase_time(self, seconds: int) -> int:
        """``evm_increaseTime``: the next block is at least ``seconds`` after the latest.

        Returns the new total offset (seconds ahead of the wall clock).
        """
        if seconds < 0:
            raise server_error("evm_increaseTime requires a non-negative number of seconds")
        wall = int(self._clock())
        base = max(self.head.timestamp, wall + self.time_offset)
        self.time_offset = base + seconds - wall
        self._record({"op": "time"})
        return self.time_offset

    def set_next_block_timestamp(self, timestamp: int) -> None:
        """``evm_setNextBlockTimestamp``: fix the next block's timestamp."""
        if timestamp <= self.head.timestamp:
            raise server_error(
                f"Timestamp {timestamp} must be greater than the latest block's "
                f"timestamp {self.head.timestamp}"
            )
        self.next_timestamp = timestamp
        self._record({"op": "time"})

    # ------------------------------------------------------------------ mining

    def _prevrandao(self, parent: BlockHeaderAPI) -> bytes:
        """Deterministic per-block randomness, so replays reproduce block hashes."""
        return keccak(b"cer-devchain prevrandao" + parent.hash)

    def _build_block(
        self,
        transactions: Sequence[SignedTransactionAPI],
        balances: Mapping[bytes, int],
        timestamp: int,
    ) -> BlockAPI:
        """Mine one block on the head with ``transactions`` after ``balances`` overrides."""
        chain = self._chain
        parent = self.head
        header = chain.create_header_from_parent(parent, timestamp=timestamp)
        if balances:
            state = chain.get_vm(header).state
            for address, balance in balances.items():
                state.set_balance(address, balance)
            state.persist()
            header = header.copy(state_root=state.state_root)
        chain.header = header
        try:
            result, _receipts, _computations = chain.mine_all(
                list(transactions), mix_hash=self._prevrandao(parent)
            )
        except Exception:
            chain.header = chain.create_header_from_parent(parent)
            raise
        block = result.imported_block
        self._head = block.header
        self._canonical_headers[block.number] = block.header
        return block

    def _mine(
        self,
        transactions: Sequence[tuple[bytes, SignedTransactionAPI]] = (),
        balances: Mapping[bytes, int] | None = None,
        timestamp: int | None = None,
    ) -> BlockAPI:
        """Mine a block, update the clock and journal it.

        :param transactions: ``(raw bytes, decoded transaction)`` pairs.
        """
        balances = dict(balances or {})
        block_timestamp, explicit = self._timestamp_for_next_block(timestamp)
        started = time.perf_counter()
        try:
            block = self._build_block([tx for _, tx in transactions], balances, block_timestamp)
        except ValidationError as exc:
            raise server_error(str(exc)) from exc
        self.stats.record_block(
            len(transactions), block.header.gas_used, time.perf_counter() - started
        )
        self.next_timestamp = None
        if explicit:
            # Keep time flowing from the chosen timestamp (Hardhat/Anvil semantics).
            self.time_offset = block_timestamp - int(self._clock())
        self._record(
            {
                "op": "block",
                "timestamp": block_timestamp,
                "transactions": ["0x" + raw.hex() for raw, _ in transactions],
                "balances": {"0x" + a.hex(): str(v) for a, v in balances.items()},
                "hash": "0x" + block.hash.hex(),
            }
        )
        return block

    def mine(self, timestamp: int | None = None) -> BlockAPI:
        """``evm_mine``: mine an empty block (optionally at ``timestamp``)."""
        return self._mine(timestamp=timestamp)

    def set_balance(self, address: bytes, balance: int) -> BlockAPI:
        """``anvil_setBalance``: set a balance; the change is mined in a new empty block."""
        return self._mine(balances={address: balance})

    def send_raw_transaction(self, raw: bytes) -> bytes:
        """Validate, mine and return the hash of a signed raw transaction.

        A transaction that reverts is still mined (receipt status 0).
        """
        builder = self._chain.get_vm().get_transaction_builder()
        transaction = decode_raw_transaction(builder, raw)
        pending_header = self.pending_header
        check_admission(
            transaction,
            chain_id=self.chain_id,
            pending_header=pending_header,
            state=self.state_at(self.head),
        )
        self._mine(transactions=[(raw, transaction)])
        return transaction.hash

    # ------------------------------------------------------------------ snapshots

    def snapshot(self) -> int:
        """``evm_snapshot``: remember the head and clock; return the snapshot id."""
        snapshot_id = self.next_snapshot_id
        self.next_snapshot_id += 1
        self.snapshots[snapshot_id] = Snapshot(
            block_hash=self.head.hash,
            time_offset=self.time_offset,
            next_timestamp=self.next_timestamp,
        )
        self._record({"op": "snapshot", "id": snapshot_id})
        return snapshot_id

    def revert(self, snapshot_id: int) -> bool:
        """``evm_revert``: rewind to a snapshot; it and later snapshots are dropped.

        Returns ``False`` (and changes nothing) for an unknown id.
        """
        snapshot = self.snapshots.get(snapshot_id)
        if snapshot is None:
            return False
        self._rewind_to(self._chain.get_block_header_by_hash(snapshot.block_hash))
        self.snapshots = {i: s for i, s in self.snapshots.items() if i < snapshot_id}
        self.time_offset = snapshot.time_offset
        self.next_timestamp = snapshot.next_timestamp
        self._record({"op": "revert", "id": snapshot_id})
        return True

    def _rewind_to(self, header: BlockHeaderAPI) -> None:
        """Make ``header`` the canonical head, forgetting the blocks above it.

        py-evm only moves the head pointer when a head is set backwards, so the
        number->hash and transaction lookups of the dropped blocks are removed
        here (otherwise a reverted transaction would still be "found"), and the
        header/block gap trackers are reset to "complete up to the new head" so
        that new blocks can be persisted at the dropped heights.
        """
        chain = self._chain
        old_head = self.head
        dropped = [
            BlockNumber(n) for n in range(header.block_number + 1, old_head.block_number + 1)
        ]
        no_gaps = rlp.encode(((), header.block_number + 1), sedes=chain_gaps)
        with chain.chaindb.db.atomic_batch() as batch:
            ChainDB._decanonicalize_old_headers(batch, dropped)
            for number in dropped:
                batch.delete(SchemaV1.make_block_number_to_hash_lookup_key(number))
            batch.set(SchemaV1.make_canonical_head_hash_lookup_key(), header.hash)
            batch.set(SchemaV1.make_header_chain_gaps_lookup_key(), no_gaps)
            batch.set(SchemaV1.make_chain_gaps_lookup_key(), no_gaps)
        chain.header = chain.create_header_from_parent(header)
        self._head = header
        for number in dropped:
            self._canonical_headers.pop(number, None)

    # ------------------------------------------------------------------ journal

    def _record(self, entry: JournalEntry) -> None:
        """Send a state change (plus the resulting clock settings) to the journal."""
        if self.journal is None:
            return
        entry["time_offset"] = self.time_offset
        entry["next_timestamp"] = self.next_timestamp
        self.journal(entry)

    def replay(self, entry: Mapping[str, Any]) -> None:
        """Re-apply one journal entry produced by this class.

        :raises ReplayError: if the entry is malformed or does not reproduce the
            recorded block hash.
        """
        journal, self.journal = self.journal, None
        try:
            self._replay(entry)
        except ReplayError:
            raise
        except (RpcError, KeyError, ValueError, TypeError) as exc:
            raise ReplayError(f"cannot replay journal entry {dict(entry)!r}: {exc}") from exc
        finally:
            self.journal = journal
        self.time_offset = int(entry["time_offset"])
        self.next_timestamp = entry["next_timestamp"]

    def _replay(self, entry: Mapping[str, Any]) -> None:
        op = entry["op"]
        if op == "block":
            builder = self._chain.get_vm().get_transaction_builder()
            transactions = []
            for raw_hex in entry["transactions"]:
                raw = bytes.fromhex(raw_hex[2:])
                transactions.append((raw, decode_raw_transaction(builder, raw)))
            balances = {
                bytes.fromhex(a[2:]): int(v) for a, v in entry["balances"].items()
            }
            block = self._mine(transactions, balances, timestamp=int(entry["timestamp"]))
            if "0x" + block.hash.hex() != entry["hash"]:
                raise ReplayError(
                    f"replayed block {block.number} has hash 0x{block.hash.hex()}, "
                    f"journal says {entry['hash']}"
                )
        elif op == "snapshot":
            if self.snapshot() != int(entry["id"]):
                raise ReplayError("snapshot ids diverged during replay")
        elif op == "revert":
            if not self.revert(int(entry["id"])):
                raise ReplayError(f"snapshot {entry['id']} unknown during replay")
        elif op != "time":
            raise ReplayError(f"unknown journal operation {op!r}")
