"""Heavy-workload benchmark of the dev chain (not a test).

Run from ``devchain/``:  ``.venv/bin/python tools/bench.py [--members 200] [--profile out.prof]``

Phases (each timed by wall clock and by ``devchain_stats``):

* startup with ``--accounts`` dev accounts (default 1001);
* deploy ``CommunityToken`` and ``Marketplace`` from ``contracts/artifacts``;
* per member: registerUser, approveMember, mint, approve, deposit (5 simple transactions),
  each sent like cer-run's TransactionSender does: nonce, eth_estimateGas,
  eth_getBlockByNumber(latest), eth_maxPriorityFeePerGas, eth_sendRawTransaction, receipt;
* big transactions: 150 KB of calldata, 300 new storage slots and logs (~9.5 M gas);
* compute transactions: a 10 M-gas keccak loop;
* empty blocks up to ~10,000 blocks, then eth_getLogs windows of 5,000 blocks and one more
  simple transaction (to see whether per-request cost grows with the chain).

By default requests go over HTTP (keep-alive) to an in-process server; with ``--profile``
they go straight to the dispatcher (same JSON in and out, no sockets) under cProfile.
"""

from __future__ import annotations

import argparse
import cProfile
import http.client
import json
import pstats
import sys
import time
from pathlib import Path
from typing import Any

from eth_abi import abi
from eth_account import Account
from eth_utils import function_signature_to_4byte_selector, keccak, to_checksum_address

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cer_devchain.chain import DevChain  # noqa: E402
from cer_devchain.config import ChainConfig  # noqa: E402
from cer_devchain.rpc import RpcDispatcher  # noqa: E402
from cer_devchain.server import BackgroundServer, RpcHttpServer  # noqa: E402

ARTIFACTS = ROOT.parent / "contracts" / "artifacts"

OP = {
    "STOP": 0x00, "ADD": 0x01, "LT": 0x10, "ISZERO": 0x15, "SHL": 0x1B, "SHA3": 0x20,
    "CALLDATALOAD": 0x35, "CODECOPY": 0x39, "POP": 0x50, "MSTORE": 0x52, "SSTORE": 0x55,
    "JUMP": 0x56, "JUMPI": 0x57, "JUMPDEST": 0x5B, "PUSH0": 0x5F, "PUSH1": 0x60, "PUSH2": 0x61,
    "DUP1": 0x80, "DUP2": 0x81, "DUP3": 0x82, "SWAP1": 0x90, "LOG1": 0xA1, "RETURN": 0xF3,
}


def code(*items: Any) -> bytes:
    out = bytearray()
    for item in items:
        if isinstance(item, str):
            out.append(OP[item])
        else:
            out += bytes(item)
    return bytes(out)


def p1(v: int) -> bytes:
    return bytes([OP["PUSH1"], v])


def p2(v: int) -> bytes:
    return bytes([OP["PUSH2"]]) + v.to_bytes(2, "big")


# n = calldata word 0; for i < n: SSTORE(i, calldata word i+1); LOG1(topic i). ~22.5 k gas each.
STORER = code(
    "PUSH0", "CALLDATALOAD", "PUSH0",            # [n i]
    "JUMPDEST",                                  # 3: loop
    "DUP2", "DUP2", "LT", "ISZERO", p2(33), "JUMPI",
    "DUP1", p1(5), "SHL", p1(32), "ADD", "CALLDATALOAD",  # [n i v]
    "DUP2", "SSTORE",                            # SSTORE(key=i, value=v)
    "DUP1", "PUSH0", "PUSH0", "LOG1",
    p1(1), "ADD", p2(3), "JUMP",
    "JUMPDEST", "STOP",                          # 33
)
# n = calldata word 0; for i < n: mem[0] = keccak(mem[0..32]) (pure compute, ~50 gas each).
HASHER = code(
    "PUSH0", "CALLDATALOAD", "PUSH0",
    "JUMPDEST",                                  # 3
    "DUP2", "DUP2", "LT", "ISZERO", p2(25), "JUMPI",
    p1(32), "PUSH0", "SHA3", "PUSH0", "MSTORE",
    p1(1), "ADD", p2(3), "JUMP",
    "JUMPDEST", "STOP",                          # 25
)
assert STORER[33] == OP["JUMPDEST"] and HASHER[25] == OP["JUMPDEST"]


def initcode(runtime: bytes) -> bytes:
    prefix = code(p2(len(runtime)), p2(13), "PUSH0", "CODECOPY", p2(len(runtime)), "PUSH0", "RETURN")
    return prefix + runtime


def selector(signature: str) -> bytes:
    return function_signature_to_4byte_selector(signature)


class Client:
    def __init__(self, dispatcher: RpcDispatcher | None, url: str | None) -> None:
        self.dispatcher = dispatcher
        self.connection = None
        if url is not None:
            host, port = url.removeprefix("http://").split(":")
            self.connection = http.client.HTTPConnection(host, int(port), timeout=600)
        self.next_id = 0

    def call(self, method: str, *params: Any) -> Any:
        self.next_id += 1
        body = json.dumps({"jsonrpc": "2.0", "id": self.next_id, "method": method,
                           "params": list(params)}).encode()
        if self.connection is not None:
            self.connection.request("POST", "/", body=body,
                                    headers={"Content-Type": "application/json"})
            raw = self.connection.getresponse().read()
        else:
            raw = self.dispatcher.handle_body(body)
        response = json.loads(raw)
        if "error" in response:
            raise RuntimeError(f"{method}: {response['error']}")
        return response["result"]


class Sender:
    """Sends like cer-run's TransactionSender (estimate, block, fees, send, receipt)."""

    def __init__(self, client: Client, chain_id: int) -> None:
        self.client = client
        self.chain_id = chain_id

    def send(self, key: bytes, to: str | None, data: bytes, gas: int | None = None) -> dict[str, Any]:
        c = self.client
        sender = Account.from_key(key)
        nonce = int(c.call("eth_getTransactionCount", sender.address, "pending"), 16)
        request = {"from": sender.address, "data": "0x" + data.hex()}
        if to is not None:
            request["to"] = to
        if gas is None:
            estimate = int(c.call("eth_estimateGas", request), 16)
            block = c.call("eth_getBlockByNumber", "latest", False)
            gas = min(estimate * 120 // 100, int(block["gasLimit"], 16))
        block = c.call("eth_getBlockByNumber", "latest", False)
        tip = int(c.call("eth_maxPriorityFeePerGas"), 16)
        fields = {"chainId": self.chain_id, "nonce": nonce, "gas": gas, "value": 0, "data": data,
                  "maxPriorityFeePerGas": tip,
                  "maxFeePerGas": 2 * int(block["baseFeePerGas"], 16) + tip}
        if to is not None:
            fields["to"] = to_checksum_address(to)
        raw = Account.sign_transaction(fields, key).raw_transaction
        tx_hash = c.call("eth_sendRawTransaction", "0x" + bytes(raw).hex())
        receipt = c.call("eth_getTransactionReceipt", tx_hash)
        assert receipt is not None and receipt["status"] == "0x1", receipt
        return receipt


def artifact(name: str) -> dict[str, Any]:
    return json.loads((ARTIFACTS / f"{name}.json").read_text())


def bytecode(art: dict[str, Any]) -> bytes:
    value = art["bytecode"]
    if isinstance(value, dict):
        value = value["object"]
    return bytes.fromhex(value.removeprefix("0x"))


class Phase:
    def __init__(self, client: Client, name: str, operations: int) -> None:
        self.client, self.name, self.operations = client, name, operations

    def __enter__(self) -> Phase:
        self.client.call("devchain_resetStats")
        self.started = time.perf_counter()
        return self

    def __exit__(self, *exc: Any) -> None:
        wall = time.perf_counter() - self.started
        stats = self.client.call("devchain_stats")
        server = stats["totals"]["seconds"]
        top = sorted(stats["methods"].items(), key=lambda kv: -kv[1]["seconds"])[:4]
        detail = ", ".join(f"{k} {v['calls']}x {v['seconds'] / v['calls'] * 1000:.1f} ms" for k, v in top)
        gas = stats["gasUsed"]
        mgas = f", {gas / 1e6 / stats['miningSeconds']:.2f} Mgas/s mined" if stats["miningSeconds"] else ""
        print(f"{self.name:<34} wall {wall:7.2f} s  server {server:7.2f} s  "
              f"per op {server / max(self.operations, 1) * 1000:8.1f} ms  gas {gas:>11,}{mgas}\n"
              f"{'':<36}{detail}", flush=True)
        RESULTS[self.name] = {"wall": wall, "server": server, "ops": self.operations,
                              "gas": gas, "methods": stats["methods"]}


RESULTS: dict[str, Any] = {}


def run(args: argparse.Namespace) -> None:
    started = time.perf_counter()
    chain = DevChain(ChainConfig(accounts=args.accounts))
    startup = time.perf_counter() - started
    print(f"{'startup (' + str(args.accounts) + ' accounts)':<34} wall {startup:7.2f} s", flush=True)
    RESULTS["startup"] = {"wall": startup}
    dispatcher = RpcDispatcher(chain)
    server = None
    if args.profile:
        client = Client(dispatcher, None)
    else:
        server = BackgroundServer(RpcHttpServer(("127.0.0.1", 0), dispatcher)).start()
        client = Client(None, server.url)
    sender = Sender(client, chain.chain_id)
    keys = [a.private_key_bytes for a in chain.accounts]
    admin = keys[0]
    admin_address = Account.from_key(admin).address

    with Phase(client, "deploy token + marketplace", 2):
        token_art, market_art = artifact("CommunityToken"), artifact("Marketplace")
        receipt = sender.send(admin, None, bytecode(token_art)
                              + abi.encode(["string", "string"], ["CER Euro", "CEUR"]))
        token = receipt["contractAddress"]
        receipt = sender.send(admin, None, bytecode(market_art)
                              + abi.encode(["address", "address"], [token, admin_address]))
        market = receipt["contractAddress"]

    members = keys[1 : 1 + args.members]
    amount = 10**21
    with Phase(client, f"members x5 simple txs ({len(members)})", 5 * len(members)):
        for index, key in enumerate(members):
            member = Account.from_key(key).address
            sender.send(key, market, selector("registerUser(bytes32)")
                        + keccak(b"adhesion %d" % index))
            sender.send(admin, market, selector("approveMember(address)")
                        + abi.encode(["address"], [member]))
            sender.send(admin, token, selector("mint(address,uint256)")
                        + abi.encode(["address", "uint256"], [member, amount]))
            sender.send(key, token, selector("approve(address,uint256)")
                        + abi.encode(["address", "uint256"], [market, amount]))
            sender.send(key, market, selector("deposit(uint256)")
                        + abi.encode(["uint256"], [amount // 2]))

    storer = sender.send(admin, None, initcode(STORER))["contractAddress"]
    hasher = sender.send(admin, None, initcode(HASHER))["contractAddress"]
    words = 150_000 // 32
    with Phase(client, "big txs (150 KB calldata)", args.big):
        for round_ in range(args.big):
            payload = [300] + [int.from_bytes(keccak(b"%d/%d" % (round_, i)), "big") for i in range(words)]
            data = abi.encode(["uint256"] * len(payload), payload)
            receipt = sender.send(admin, storer, data)
        if args.big:
            print(f"{'':<36}gasUsed per big tx {int(receipt['gasUsed'], 16):,}")
    with Phase(client, "compute txs (10 M gas keccak)", args.compute):
        for _ in range(args.compute):
            receipt = sender.send(admin, hasher, abi.encode(["uint256"], [150_000]))
        if args.compute:
            print(f"{'':<36}gasUsed per compute tx {int(receipt['gasUsed'], 16):,}")

    head = int(client.call("eth_blockNumber"), 16)
    target = args.blocks
    with Phase(client, f"mine empty blocks to {target}", max(target - head, 1)):
        while head < target:
            n = min(10_000, target - head)
            client.call("anvil_mine", hex(n))
            head += n
    head = int(client.call("eth_blockNumber"), 16)
    windows = [(start, min(start + 5000, head)) for start in range(0, head + 1, 5001)]
    topic = "0x" + keccak(b"Transfer(address,address,uint256)").hex()
    with Phase(client, f"eth_getLogs {len(windows)} x 5000 blocks, 3 filters", 3 * len(windows)):
        found = 0
        for first, last in windows:
            found += len(client.call("eth_getLogs", {"fromBlock": hex(first), "toBlock": hex(last), "address": market}))
            found += len(client.call("eth_getLogs", {"fromBlock": hex(first), "toBlock": hex(last), "topics": [topic]}))
            found += len(client.call("eth_getLogs", {"fromBlock": hex(first), "toBlock": hex(last), "address": "0x" + "22" * 20}))
        print(f"{'':<36}{found} logs")
    with Phase(client, f"simple txs at block {head}", 20):
        for i in range(4):
            key = members[i]
            sender.send(key, market, selector("deposit(uint256)") + abi.encode(["uint256"], [1]))
            sender.send(key, token, selector("approve(address,uint256)") + abi.encode(["address", "uint256"], [market, amount]))
            sender.send(admin, token, selector("mint(address,uint256)") + abi.encode(["address", "uint256"], [Account.from_key(key).address, 1]))
            sender.send(key, market, selector("deposit(uint256)") + abi.encode(["uint256"], [1]))
            sender.send(key, token, selector("transfer(address,uint256)") + abi.encode(["address", "uint256"], [admin_address, 1]))
    if server is not None:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=1001)
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--big", type=int, default=5)
    parser.add_argument("--compute", type=int, default=2)
    parser.add_argument("--blocks", type=int, default=10_000)
    parser.add_argument("--profile", metavar="FILE", help="no HTTP; cProfile everything into FILE")
    parser.add_argument("--json", metavar="FILE", help="write the figures as JSON")
    args = parser.parse_args()
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        run(args)
        profiler.disable()
        profiler.dump_stats(args.profile)
        pstats.Stats(args.profile).sort_stats("cumulative").print_stats(45)
    else:
        run(args)
    if args.json:
        Path(args.json).write_text(json.dumps(RESULTS, indent=1))


if __name__ == "__main__":
    main()
