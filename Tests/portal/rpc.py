"""A small JSON-RPC client and the contract calls the portal tests need (eth-account, eth-abi)."""

import json
import time
import urllib.request

from eth_abi import decode, encode
from eth_account import Account
from eth_utils import keccak, to_checksum_address


class RPCError(Exception):
    def __init__(self, error):
        super().__init__("%s (%s)" % (error.get("message"), error.get("data")))
        self.error = error


class RPC:
    def __init__(self, url):
        self.url = url
        self.ids = 0

    def raw(self, method, params=None):
        self.ids += 1
        body = json.dumps({"jsonrpc": "2.0", "id": self.ids, "method": method, "params": params or []}).encode()
        request = urllib.request.Request(self.url, data=body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())

    def __call__(self, method, *params):
        answer = self.raw(method, list(params))
        if "error" in answer:
            raise RPCError(answer["error"])
        return answer["result"]

    def chain_time(self):
        return int(self("eth_getBlockByNumber", "latest", False)["timestamp"], 16)

    def advance_to(self, unix):
        """Moves chain time to at least `unix` and mines a block there."""
        now = self.chain_time()
        if unix > now:
            self("evm_increaseTime", unix - now)
        self("evm_mine")


def selector(signature):
    return keccak(text=signature)[:4]


def calldata(signature, types, values):
    return "0x" + (selector(signature) + encode(types, values)).hex()


def call(rpc, to, signature, types, values, out):
    result = rpc("eth_call", {"to": to, "data": calldata(signature, types, values)}, "latest")
    return decode(out, bytes.fromhex(result[2:]))


def send(rpc, key, to, signature, types, values, chain_id=1337, value=0):
    """Signs locally and sends; waits for the receipt; raises on a failed transaction.
    With `signature` None it is a plain transfer of `value` wei."""
    account = Account.from_key(key)
    data = calldata(signature, types, values) if signature else "0x"
    nonce = int(rpc("eth_getTransactionCount", account.address, "pending"), 16)
    gas = int(rpc("eth_estimateGas", {"from": account.address, "to": to, "data": data, "value": hex(value)}), 16)
    base = int(rpc("eth_getBlockByNumber", "latest", False)["baseFeePerGas"], 16)
    tip = int(rpc("eth_maxPriorityFeePerGas"), 16)
    tx = {"type": 2, "chainId": chain_id, "nonce": nonce, "to": to_checksum_address(to), "data": data,
          "gas": gas * 12 // 10 + 10_000, "maxFeePerGas": 2 * base + tip, "maxPriorityFeePerGas": tip, "value": value}
    signed = Account.sign_transaction(tx, key)
    tx_hash = rpc("eth_sendRawTransaction", "0x" + bytes(signed.raw_transaction).hex())
    for _ in range(200):
        receipt = rpc("eth_getTransactionReceipt", tx_hash)
        if receipt:
            if int(receipt["status"], 16) != 1:
                raise AssertionError("%s failed: %s" % (signature, receipt))
            return receipt
        time.sleep(0.05)
    raise AssertionError("no receipt for " + tx_hash)
