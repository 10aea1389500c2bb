"""Dev chain configuration and protocol constants."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DEFAULT_CHAIN_ID = 1337
DEFAULT_ACCOUNTS = 10
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8545

BLOCK_GAS_LIMIT = 30_000_000
ACCOUNT_BALANCE_WEI = 1_000_000 * 10**18  # 1,000,000 ETH per dev account
DEFAULT_PRIORITY_FEE_WEI = 10**9  # 1 gwei suggested tip
MAX_LOG_BLOCK_RANGE = 5_000  # eth_getLogs: toBlock - fromBlock must be <= this (Besu)
MAX_BATCH_SIZE = 1_024
MAX_FEE_HISTORY_BLOCKS = 1_024
MAX_REQUEST_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class ChainConfig:
    """Parameters that define the chain itself (they are persisted with --state)."""

    chain_id: int = DEFAULT_CHAIN_ID
    accounts: int = DEFAULT_ACCOUNTS
    gas_limit: int = BLOCK_GAS_LIMIT
    zero_base_fee: bool = False


@dataclass(frozen=True)
class ServerConfig:
    """Everything the CLI configures: the chain plus how it is served and stored."""

    chain: ChainConfig
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    state_dir: Path | None = None
    verbose: bool = False
    exit_on_stdin_eof: bool = False
    #: Timestamp of block 0 for a new chain (None: now); a stored chain keeps its own.
    genesis_time: int | None = None
