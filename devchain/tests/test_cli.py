"""The command line entry point as a parent process sees it."""

from __future__ import annotations

import re
import signal
import socket
from typing import Any

STARTUP_LINE = re.compile(r"^devchain listening on http://127\.0\.0\.1:(\d+) chain_id=(\d+)$")


def test_startup_line_port_zero_and_clean_sigint(spawn: Any) -> None:
    process = spawn("--chain-id", "1337")
    match = STARTUP_LINE.match(process.startup_line)
    assert match is not None, process.startup_line
    port = int(match.group(1))
    assert port != 0
    assert match.group(2) == "1337"
    assert process.client.call("eth_chainId") == "0x539"
    assert process.stop(signal.SIGINT) == 0


def test_custom_chain_id_and_accounts(spawn: Any) -> None:
    process = spawn("--chain-id", "4242", "--accounts", "3", "--zero-base-fee")
    assert process.startup_line.endswith(" chain_id=4242")
    client = process.client
    assert client.call("eth_chainId") == hex(4242)
    assert client.call("net_version") == "4242"
    assert len(client.call("eth_accounts")) == 3
    assert client.call("eth_getBlockByNumber", "latest", False)["baseFeePerGas"] == "0x0"
    assert client.call("eth_gasPrice") == "0x0"
    assert process.stop(signal.SIGTERM) == 0


def test_busy_port_fails_fast(spawn: Any) -> None:
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        port = blocker.getsockname()[1]
        try:
            spawn("--port", str(port))
        except AssertionError as error:
            assert "cannot listen" in str(error)
        else:  # pragma: no cover - the bind must fail
            raise AssertionError("expected the dev chain to fail on a busy port")
