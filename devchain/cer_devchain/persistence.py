"""``--state DIR`` persistence: a checkpoint file plus an append-only journal.

Layout of ``DIR``:

``checkpoint.bin``
    A full copy of the chain, written atomically (temp file, fsync, rename,
    fsync of the directory)::

        b"CERDEVCHAIN-CHECKPOINT 1\\n"
        <metadata as one line of JSON>\\n
        repeated: <u32 key length><key><u32 value length><value>   (big-endian)
        <sha256 of everything above>

    The metadata holds the chain configuration, clock settings, snapshots,
    head hash and ``seq``, the number of the last journal entry it includes.
    The key/value pairs are py-evm's whole database.

``journal.jsonl``
    One JSON object per state change since the checkpoint (mined block with
    its raw transactions, balance overrides and timestamp; clock changes;
    snapshots; reverts), each with a ``seq`` number. Appended and fsync'ed
    before the RPC response is sent, so an acknowledged change survives a
    crash or ``kill -9``.

``lock``
    ``flock``-ed while a dev chain uses the directory.

On start the checkpoint is loaded, the journal entries after its ``seq`` are
replayed (each replayed block must reproduce its recorded hash), and a fresh
checkpoint is written, which empties the journal. A checkpoint is also
written every :data:`COMPACT_EVERY` journal entries and on clean shutdown.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from .chain import DevChain, JournalEntry
from .config import ChainConfig
from .errors import SERVER_ERROR, RpcError

CHECKPOINT_FILE = "checkpoint.bin"
JOURNAL_FILE = "journal.jsonl"
LOCK_FILE = "lock"
CHECKPOINT_MAGIC = b"CERDEVCHAIN-CHECKPOINT 1\n"
COMPACT_EVERY = 1_000
_LENGTH = struct.Struct(">I")


class StateError(RuntimeError):
    """The state directory is unusable (locked, corrupt or from another configuration)."""


@dataclass(frozen=True)
class LoadedState:
    """Contents of a state directory."""

    meta: dict[str, Any]
    database: dict[bytes, bytes]
    entries: list[JournalEntry]


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def encode_checkpoint(meta: Mapping[str, Any], database: Mapping[bytes, bytes]) -> bytes:
    """Serialise a checkpoint (see the module docstring for the format)."""
    parts = [CHECKPOINT_MAGIC, json.dumps(meta, sort_keys=True).encode() + b"\n"]
    for key in sorted(database):
        value = database[key]
        parts += [_LENGTH.pack(len(key)), key, _LENGTH.pack(len(value)), value]
    body = b"".join(parts)
    return body + hashlib.sha256(body).digest()


def decode_checkpoint(blob: bytes) -> tuple[dict[str, Any], dict[bytes, bytes]]:
    """Parse and verify a checkpoint; raise :class:`StateError` if it is damaged."""
    if not blob.startswith(CHECKPOINT_MAGIC) or len(blob) < len(CHECKPOINT_MAGIC) + 32:
        raise StateError("checkpoint: unknown format")
    body, digest = blob[:-32], blob[-32:]
    if hashlib.sha256(body).digest() != digest:
        raise StateError("checkpoint: checksum mismatch")
    meta_end = body.index(b"\n", len(CHECKPOINT_MAGIC))
    meta = json.loads(body[len(CHECKPOINT_MAGIC) : meta_end])
    database: dict[bytes, bytes] = {}
    offset = meta_end + 1
    try:
        while offset < len(body):
            (key_length,) = _LENGTH.unpack_from(body, offset)
            offset += _LENGTH.size
            key = body[offset : offset + key_length]
            offset += key_length
            (value_length,) = _LENGTH.unpack_from(body, offset)
            offset += _LENGTH.size
            database[key] = body[offset : offset + value_length]
            offset += value_length
    except struct.error as exc:
        raise StateError("checkpoint: truncated record") from exc
    if offset != len(body):
        raise StateError("checkpoint: truncated record")
    return meta, database


class StateStore:
    """Owns a state directory: locking, checkpoint and journal files."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self._lock_file: IO[bytes] | None = open(self.directory / LOCK_FILE, "ab")
        try:
            fcntl.flock(self._lock_file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            self._lock_file.close()
            self._lock_file = None
            raise StateError(f"{self.directory} is in use by another dev chain") from exc
        self.seq = 0
        self.entries_since_checkpoint = 0
        self._journal: IO[str] | None = None

    @property
    def checkpoint_path(self) -> Path:
        """Path of the checkpoint file."""
        return self.directory / CHECKPOINT_FILE

    @property
    def journal_path(self) -> Path:
        """Path of the journal file."""
        return self.directory / JOURNAL_FILE

    def load(self) -> LoadedState | None:
        """Read the directory; ``None`` when it holds no chain yet."""
        if not self.checkpoint_path.exists():
            return None
        meta, database = decode_checkpoint(self.checkpoint_path.read_bytes())
        self.seq = int(meta["seq"])
        entries = self._read_journal(self.seq)
        if entries:
            self.seq = int(entries[-1]["seq"])
        return LoadedState(meta=meta, database=database, entries=entries)

    def _read_journal(self, after_seq: int) -> list[JournalEntry]:
        if not self.journal_path.exists():
            return []
        lines = self.journal_path.read_text(encoding="utf-8").splitlines()
        entries: list[JournalEntry] = []
        expected = after_seq + 1
        for number, line in enumerate(lines, start=1):
            try:
                entry = json.loads(line)
            except json.JSONDecodeError as exc:
                if number == len(lines):
                    break  # torn final write: the change was never acknowledged
                raise StateError(f"journal line {number} is corrupt") from exc
            seq = int(entry["seq"])
            if seq <= after_seq:
                continue  # already contained in the checkpoint
            if seq != expected:
                raise StateError(f"journal is missing entry {expected}")
            entries.append(entry)
            expected += 1
        return entries

    def append(self, entry: JournalEntry) -> None:
        """Durably append one journal entry (assigning its ``seq``)."""
        if self._journal is None:
            self._journal = open(self.journal_path, "a", encoding="utf-8")
        self.seq += 1
        line = json.dumps({"seq": self.seq, **entry}, sort_keys=True)
        self._journal.write(line + "\n")
        self._journal.flush()
        os.fsync(self._journal.fileno())
        self.entries_since_checkpoint += 1

    def write_checkpoint(self, meta: Mapping[str, Any], database: Mapping[bytes, bytes]) -> None:
        """Atomically replace the checkpoint, then empty the journal."""
        blob = encode_checkpoint({**meta, "seq": self.seq}, database)
        temporary = self.checkpoint_path.with_name(CHECKPOINT_FILE + ".tmp")
        with open(temporary, "wb") as handle:
            handle.write(blob)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.checkpoint_path)
        _fsync_directory(self.directory)
        # Entries up to self.seq are now in the checkpoint; a crash before the
        # truncation below is harmless because load() skips them by seq.
        if self._journal is not None:
            self._journal.close()
            self._journal = None
        with open(self.journal_path, "w", encoding="utf-8") as handle:
            handle.flush()
            os.fsync(handle.fileno())
        self.entries_since_checkpoint = 0

    def close(self) -> None:
        """Close the journal and release the directory lock."""
        if self._journal is not None:
            self._journal.close()
            self._journal = None
        if self._lock_file is not None:
            fcntl.flock(self._lock_file.fileno(), fcntl.LOCK_UN)
            self._lock_file.close()
            self._lock_file = None


class PersistentChain:
    """Binds a :class:`DevChain` to a :class:`StateStore`."""

    def __init__(self, chain: DevChain, store: StateStore) -> None:
        self.chain = chain
        self.store = store
        chain.journal = self._on_change

    @classmethod
    def open(
        cls, directory: Path, config: ChainConfig, genesis_time: int | None = None
    ) -> PersistentChain:
        """Load (or create) the chain stored in ``directory``.

        :raises StateError: if the directory is locked, damaged, or was created
            with a different chain configuration.
        """
        store = StateStore(directory)
        try:
            loaded = store.load()
            if loaded is None:
                chain = DevChain(config, genesis_timestamp=genesis_time)
            else:
                persisted = DevChain.config_from_meta(loaded.meta)
                if persisted != config:
                    raise StateError(
                        f"{directory} holds a chain created with {persisted}; "
                        f"refusing to open it with {config}"
                    )
                chain = DevChain.restore(loaded.meta, loaded.database)
                for entry in loaded.entries:
                    chain.replay(entry)
            store.write_checkpoint(chain.export_meta(), chain.export_database())
            chain.stats.reset()  # count from here on, not the journal replay
        except Exception:
            store.close()
            raise
        return cls(chain, store)

    def _on_change(self, entry: JournalEntry) -> None:
        self.store.append(entry)
        if self.store.entries_since_checkpoint >= COMPACT_EVERY:
            self.checkpoint()

    def checkpoint(self) -> None:
        """Write a checkpoint of the current chain."""
        self.store.write_checkpoint(self.chain.export_meta(), self.chain.export_database())

    def close(self) -> None:
        """Checkpoint and release the state directory; later changes are refused."""
        try:
            self.checkpoint()
        finally:
            self.chain.journal = _refuse_changes
            self.store.close()


def _refuse_changes(entry: JournalEntry) -> None:
    """Journal used after shutdown: the change can no longer be persisted."""
    raise RpcError(SERVER_ERROR, "devchain is shutting down")
