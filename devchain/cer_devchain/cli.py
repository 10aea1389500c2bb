"""Command line: ``python -m cer_devchain [--port N] [--accounts N] [--chain-id N] ...``."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from . import __version__
from .chain import DevChain, ReplayError
from .config import (
    BLOCK_GAS_LIMIT,
    DEFAULT_ACCOUNTS,
    DEFAULT_CHAIN_ID,
    DEFAULT_HOST,
    DEFAULT_PORT,
    ChainConfig,
    ServerConfig,
)
from .persistence import PersistentChain, StateError
from .rpc import RpcDispatcher
from .server import BackgroundServer, RpcHttpServer

EXIT_OK = 0
EXIT_STARTUP_FAILED = 1
EXIT_BAD_STATE = 2


def _positive(text: str) -> int:
    value = int(text, 0)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _port(text: str) -> int:
    value = int(text, 0)
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError("must be between 0 and 65535")
    return value


def parse_args(argv: list[str] | None = None) -> ServerConfig:
    """Parse the command line into a :class:`ServerConfig`."""
    parser = argparse.ArgumentParser(
        prog="python -m cer_devchain",
        description="cer-run local Ethereum dev chain (JSON-RPC over HTTP, py-evm).",
    )
    parser.add_argument(
        "--host", default=DEFAULT_HOST, help="interface to bind (default %(default)s)"
    )
    parser.add_argument(
        "--port", type=_port, default=DEFAULT_PORT,
        help="port; 0 picks a free one (default %(default)s)",
    )
    parser.add_argument(
        "--accounts", type=_positive, default=DEFAULT_ACCOUNTS,
        help="number of prefunded dev accounts (default %(default)s)",
    )
    parser.add_argument(
        "--chain-id", type=_positive, default=DEFAULT_CHAIN_ID,
        help="chain id (default %(default)s)",
    )
    parser.add_argument(
        "--state", type=Path, default=None, metavar="DIR",
        help="persist the chain in DIR and continue it on restart",
    )
    parser.add_argument(
        "--zero-base-fee", action="store_true",
        help="start with a base fee of 0 (it stays 0 unless a block is more than half full)",
    )
    parser.add_argument(
        "--exit-on-stdin-eof", action="store_true",
        help="stop (saving state) when stdin is closed: a parent that dies never leaves the chain behind",
    )
    parser.add_argument(
        "--genesis-time", type=int, default=None, metavar="UNIX",
        help="timestamp of block 0; the chain clock then runs on from it (fixture sessions on fixed dates)",
    )
    parser.add_argument("--verbose", action="store_true", help="log every HTTP request to stderr")
    parser.add_argument("--version", action="version", version=f"cer-devchain {__version__}")
    args = parser.parse_args(argv)
    return ServerConfig(
        chain=ChainConfig(
            chain_id=args.chain_id,
            accounts=args.accounts,
            gas_limit=BLOCK_GAS_LIMIT,
            zero_base_fee=args.zero_base_fee,
        ),
        host=args.host,
        port=args.port,
        state_dir=args.state,
        verbose=args.verbose,
        exit_on_stdin_eof=args.exit_on_stdin_eof,
        genesis_time=args.genesis_time,
    )


def _install_stop_handlers(stop: threading.Event) -> None:
    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    # A parent that spawns us from a thread with signals blocked (Swift's Foundation.Process
    # called from a libdispatch worker does) passes that mask on: unblock what we handle.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)


def _watch_stdin(stop: threading.Event) -> None:
    """Set ``stop`` once stdin reaches end of file (the parent closed it or died)."""

    def watch() -> None:
        try:
            while sys.stdin.buffer.read(4096):
                pass
        except (OSError, ValueError):
            pass
        stop.set()

    threading.Thread(target=watch, name="stdin-watch", daemon=True).start()


def main(argv: list[str] | None = None) -> int:
    """Run the dev chain until SIGINT/SIGTERM; returns the process exit code."""
    config = parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if config.verbose else logging.WARNING,
        format="devchain: %(levelname)s %(message)s",
    )

    persistent: PersistentChain | None = None
    try:
        if config.state_dir is not None:
            persistent = PersistentChain.open(
                config.state_dir, config.chain, genesis_time=config.genesis_time
            )
            chain = persistent.chain
        else:
            chain = DevChain(config.chain, genesis_timestamp=config.genesis_time)
    except (StateError, ReplayError, ValueError, OSError) as exc:
        print(f"devchain: cannot open state: {exc}", file=sys.stderr)
        return EXIT_BAD_STATE

    lock = threading.Lock()
    try:
        http_server = RpcHttpServer(
            (config.host, config.port), RpcDispatcher(chain, lock), verbose=config.verbose
        )
    except OSError as exc:
        print(f"devchain: cannot listen on {config.host}:{config.port}: {exc}", file=sys.stderr)
        if persistent is not None:
            persistent.close()
        return EXIT_STARTUP_FAILED

    stop = threading.Event()
    _install_stop_handlers(stop)
    if config.exit_on_stdin_eof:
        _watch_stdin(stop)
    server = BackgroundServer(http_server).start()
    print(
        f"devchain listening on http://{config.host}:{http_server.port} "
        f"chain_id={config.chain.chain_id}",
        flush=True,
    )
    while not stop.wait(0.5):
        pass

    server.stop()
    with lock:  # wait for an in-flight request, then persist
        if persistent is not None:
            persistent.close()
    print("devchain stopped", file=sys.stderr, flush=True)
    return EXIT_OK
