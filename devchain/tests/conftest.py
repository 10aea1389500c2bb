"""Shared fixtures: an in-process dev chain served over HTTP on a free port."""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils import to_checksum_address

from cer_devchain.chain import DevChain
from cer_devchain.config import ChainConfig
from cer_devchain.rpc import RpcDispatcher
from cer_devchain.server import BackgroundServer, RpcHttpServer

from .evm import initcode

DEVCHAIN_ROOT = Path(__file__).resolve().parents[1]
CHAIN_ID = 1337
GWEI = 10**9
STARTUP_LINE_PREFIX = "devchain listening on http://"


class RpcFailure(Exception):
    """A JSON-RPC error response."""

    def __init__(self, error: dict[str, Any]) -> None:
        super().__init__(f"{error.get('code')}: {error.get('message')}")
        self.code: int = error["code"]
        self.message: str = error["message"]
        self.data: Any = error.get("data")


class RpcClient:
    """Minimal JSON-RPC over HTTP client (one connection per request)."""

    def __init__(self, url: str) -> None:
        parsed = urlparse(url)
        self.host = parsed.hostname or "127.0.0.1"
        self.port = parsed.port or 80
        self._next_id = 1

    def post_raw(self, body: bytes, method: str = "POST") -> tuple[int, bytes]:
        """Send a raw body; return HTTP status and response body."""
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            connection.request(method, "/", body=body, headers={"Content-Type": "application/json"})
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def post(self, payload: Any) -> Any:
        """POST a JSON payload and decode the JSON response (``None`` if empty)."""
        status, body = self.post_raw(json.dumps(payload).encode())
        assert status in (200, 204), (status, body)
        return json.loads(body) if body else None

    def request(self, method: str, *params: Any) -> dict[str, Any]:
        """Send one request and return the whole response object."""
        request_id = self._next_id
        self._next_id += 1
        response = self.post(
            {"jsonrpc": "2.0", "id": request_id, "method": method, "params": list(params)}
        )
        assert response["jsonrpc"] == "2.0"
        assert response["id"] == request_id
        return response

    def call(self, method: str, *params: Any) -> Any:
        """Return the result or raise :class:`RpcFailure`."""
        response = self.request(method, *params)
        if "error" in response:
            raise RpcFailure(response["error"])
        return response["result"]

    def error(self, method: str, *params: Any) -> RpcFailure:
        """Call a method that must fail; return its error."""
        response = self.request(method, *params)
        assert "error" in response, f"expected an error, got {response}"
        assert "result" not in response
        return RpcFailure(response["error"])


@dataclass
class Node:
    """A running in-process dev chain and conveniences for tests."""

    client: RpcClient
    chain: DevChain
    accounts: list[LocalAccount] = field(default_factory=list)

    def call(self, method: str, *params: Any) -> Any:
        return self.client.call(method, *params)

    def error(self, method: str, *params: Any) -> RpcFailure:
        return self.client.error(method, *params)

    def nonce(self, account: LocalAccount) -> int:
        return int(self.call("eth_getTransactionCount", account.address, "latest"), 16)

    def sign(self, fields: dict[str, Any], account: LocalAccount | None = None) -> bytes:
        """Sign a transaction; fills chainId, nonce, gas and EIP-1559 fees if missing."""
        account = account or self.accounts[0]
        tx: dict[str, Any] = {
            "chainId": CHAIN_ID, "nonce": self.nonce(account), "value": 0, "gas": 1_000_000
        }
        if "gasPrice" not in fields:
            tx.update(maxFeePerGas=10 * GWEI, maxPriorityFeePerGas=GWEI)
        tx.update(fields)
        if isinstance(tx.get("to"), str):
            tx["to"] = to_checksum_address(tx["to"])
        return bytes(account.sign_transaction(tx).raw_transaction)

    def send(self, fields: dict[str, Any], account: LocalAccount | None = None) -> dict[str, Any]:
        """Sign, send, and return the receipt."""
        raw = self.sign(fields, account)
        tx_hash = self.call("eth_sendRawTransaction", "0x" + raw.hex())
        receipt = self.call("eth_getTransactionReceipt", tx_hash)
        assert receipt is not None
        return receipt

    def deploy(self, runtime: bytes) -> str:
        """Deploy ``runtime`` code and return the new contract address."""
        receipt = self.send({"data": initcode(runtime)})
        assert receipt["status"] == "0x1"
        assert self.call("eth_getCode", receipt["contractAddress"]) == "0x" + runtime.hex()
        return receipt["contractAddress"]


@pytest.fixture
def node() -> Iterator[Node]:
    """A fresh dev chain (chain id 1337, 10 accounts) served on 127.0.0.1:<free port>."""
    chain = DevChain(ChainConfig())
    server = BackgroundServer(RpcHttpServer(("127.0.0.1", 0), RpcDispatcher(chain))).start()
    accounts = [Account.from_key(a.private_key_bytes) for a in chain.accounts]
    try:
        yield Node(client=RpcClient(server.url), chain=chain, accounts=accounts)
    finally:
        server.stop()


# ---------------------------------------------------------------- subprocess helpers


@dataclass
class DevchainProcess:
    """A dev chain started as ``python -m cer_devchain``."""

    process: subprocess.Popen[str]
    startup_line: str
    url: str

    @property
    def client(self) -> RpcClient:
        return RpcClient(self.url)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20) -> int:
        """Send ``sig`` and wait for the exit code."""
        self.process.send_signal(sig)
        return self.process.wait(timeout=timeout)


def start_devchain(*args: str, timeout: float = 60) -> DevchainProcess:
    """Start the CLI on port 0 and wait for its startup line."""
    env = dict(os.environ, PYTHONPATH=str(DEVCHAIN_ROOT), PYTHONUNBUFFERED="1")
    process = subprocess.Popen(
        [sys.executable, "-m", "cer_devchain", "--port", "0", *args],
        cwd=DEVCHAIN_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    line = process.stdout.readline()
    if not line.startswith(STARTUP_LINE_PREFIX):
        process.kill()
        _, stderr = process.communicate(timeout=10)
        raise AssertionError(f"no startup line (got {line!r}); stderr:\n{stderr}")
    assert time.monotonic() < deadline
    url = line.split()[3]
    return DevchainProcess(process=process, startup_line=line.rstrip("\n"), url=url)


@pytest.fixture
def spawn() -> Iterator[Any]:
    """Factory fixture starting CLI processes; any still running are killed afterwards."""
    started: list[DevchainProcess] = []

    def factory(*args: str) -> DevchainProcess:
        started.append(start_devchain(*args))
        return started[-1]

    yield factory
    for item in started:
        if item.process.poll() is None:
            item.process.kill()
            item.process.wait(timeout=10)
        for stream in (item.process.stdout, item.process.stderr):
            if stream is not None:
                stream.close()
