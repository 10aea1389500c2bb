"""The test wallet: a loopback JSON-RPC signer proxy standing in for MetaMask.

The page's injected EIP-1193 provider (provider.js) POSTs every request here. eth_accounts and
eth_requestAccounts answer the dev key's address; eth_sendTransaction is completed (nonce, gas,
EIP-1559 fees), signed locally with eth-account and sent raw to the node; everything else is
forwarded to the node as is, errors included (so revert data reaches the page like a real wallet's).
`chain_id_override` makes eth_chainId answer another chain (the wrong-chain warning);
`reject_next` makes the next eth_sendTransaction fail with EIP-1193 code 4001 (user rejected).
Every request the page sends is recorded verbatim (`requests`, JSON text in arrival order), so
the tests can check what left the browser through the wallet and when.
"""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from eth_account import Account

from rpc import RPC


class WalletProxy:
    def __init__(self, node_url, key, chain_id):
        self.node = RPC(node_url)
        self.account = Account.from_key(key)
        self.key = key
        self.chain_id = chain_id
        self.reject_next = False
        self.chain_id_override = None
        self.sent = []
        self.requests = []
        self.lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def cors(self):
                self.send_header("Access-Control-Allow-Origin", "*")
                self.send_header("Access-Control-Allow-Methods", "POST, OPTIONS")
                self.send_header("Access-Control-Allow-Headers", "Content-Type")

            def do_OPTIONS(self):
                self.send_response(204)
                self.cors()
                self.end_headers()

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with proxy.lock:
                    proxy.requests.append(raw.decode("utf-8", "replace"))
                body = json.loads(raw)
                answer = proxy.handle(body)
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.cors()
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d/" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def handle(self, request):
        rid, method, params = request.get("id"), request.get("method"), request.get("params") or []
        try:
            if method in ("eth_accounts", "eth_requestAccounts"):
                return {"jsonrpc": "2.0", "id": rid, "result": [self.account.address]}
            if method == "eth_chainId" and self.chain_id_override:
                return {"jsonrpc": "2.0", "id": rid, "result": self.chain_id_override}
            if method == "eth_sendTransaction":
                return self.send_transaction(rid, params[0])
            answer = self.node.raw(method, params)
            answer["id"] = rid
            return answer
        except Exception as error:  # noqa: BLE001 - reported to the page as a wallet error
            return {"jsonrpc": "2.0", "id": rid, "error": {"code": -32603, "message": str(error)}}

    def send_transaction(self, rid, tx):
        with self.lock:
            if self.reject_next:
                self.reject_next = False
                return {"jsonrpc": "2.0", "id": rid, "error": {"code": 4001, "message": "User rejected the request."}}
            if tx.get("from", "").lower() != self.account.address.lower():
                return {"jsonrpc": "2.0", "id": rid, "error": {"code": 4100, "message": "unknown account"}}
            call = {"from": self.account.address, "to": tx["to"], "data": tx.get("data", "0x")}
            estimate = self.node.raw("eth_estimateGas", [call])
            if "error" in estimate:
                estimate["id"] = rid
                return estimate
            base = int(self.node("eth_getBlockByNumber", "latest", False)["baseFeePerGas"], 16)
            tip = int(self.node("eth_maxPriorityFeePerGas"), 16)
            fields = {
                "type": 2, "chainId": self.chain_id,
                "nonce": int(self.node("eth_getTransactionCount", self.account.address, "pending"), 16),
                "to": tx["to"], "data": call["data"], "value": int(tx.get("value", "0x0"), 16),
                "gas": int(estimate["result"], 16) * 12 // 10 + 10_000,
                "maxFeePerGas": 2 * base + tip, "maxPriorityFeePerGas": tip,
            }
            signed = Account.sign_transaction(fields, self.key)
            answer = self.node.raw("eth_sendRawTransaction", ["0x" + bytes(signed.raw_transaction).hex()])
            answer["id"] = rid
            if "result" in answer:
                self.sent.append((call["data"][:10], answer["result"]))
            return answer
