"""JSON-RPC envelope handling, batches and HTTP behaviour."""

from __future__ import annotations

import http.client
import json
import threading

from .conftest import Node

RECIPIENT = "0x" + "11" * 20


def test_unknown_method(node: Node) -> None:
    failure = node.error("eth_mineSomeGold")
    assert (failure.code, failure.message) == (-32601, "Method not found")


def test_invalid_params(node: Node) -> None:
    assert node.error("eth_getBalance", "0x1234").code == -32602
    assert node.error("eth_getBalance").code == -32602
    assert node.error("eth_blockNumber", 1).code == -32602
    assert node.error("eth_getBlockByNumber", "0x1", "yes").code == -32602
    assert node.error("eth_getBlockByNumber", "newest", False).code == -32602
    response = node.client.post(
        {"jsonrpc": "2.0", "id": 1, "method": "eth_getBalance", "params": {"a": 1}}
    )
    assert response["error"]["code"] == -32602


def test_parse_error(node: Node) -> None:
    status, body = node.client.post_raw(b'{"jsonrpc": "2.0", "id": 1, "method": ')
    assert status == 200
    response = json.loads(body)
    assert response == {"jsonrpc": "2.0", "id": None,
                        "error": {"code": -32700, "message": "Parse error"}}


def test_invalid_request_objects(node: Node) -> None:
    assert node.client.post(42)["error"]["code"] == -32600
    assert node.client.post({"jsonrpc": "1.0", "id": 3, "method": "eth_chainId"})["error"][
        "code"] == -32600
    assert node.client.post({"jsonrpc": "2.0", "id": 4, "method": 5})["error"]["code"] == -32600


def test_batch_preserves_ids_and_mixes_results_and_errors(node: Node) -> None:
    batch = [
        {"jsonrpc": "2.0", "id": "a", "method": "eth_chainId", "params": []},
        {"jsonrpc": "2.0", "id": 7, "method": "nope", "params": []},
        {"jsonrpc": "2.0", "id": 8, "method": "eth_blockNumber"},
        {"jsonrpc": "2.0", "method": "eth_chainId", "params": []},  # notification
        "junk",
    ]
    responses = node.client.post(batch)
    assert len(responses) == 4
    assert responses[0] == {"jsonrpc": "2.0", "id": "a", "result": "0x539"}
    assert responses[1]["id"] == 7 and responses[1]["error"]["code"] == -32601
    assert responses[2] == {"jsonrpc": "2.0", "id": 8, "result": "0x0"}
    assert responses[3]["error"]["code"] == -32600


def test_batch_limits(node: Node) -> None:
    empty = node.client.post([])
    assert empty["error"]["code"] == -32600
    assert empty["id"] is None
    request = {"jsonrpc": "2.0", "id": 1, "method": "eth_chainId"}
    assert len(node.client.post([request] * 1024)) == 1024
    too_big = node.client.post([request] * 1025)
    assert too_big["error"] == {
        "code": -32005, "message": "Number of requests exceeds max batch size"
    }


def test_batch_of_transactions(node: Node) -> None:
    raws = [
        node.sign({"to": RECIPIENT, "value": 1, "nonce": n}) for n in range(3)
    ]
    batch = [
        {"jsonrpc": "2.0", "id": n, "method": "eth_sendRawTransaction",
         "params": ["0x" + raw.hex()]}
        for n, raw in enumerate(raws)
    ]
    responses = node.client.post(batch)
    assert [r["id"] for r in responses] == [0, 1, 2]
    assert all("result" in r for r in responses)
    assert node.call("eth_blockNumber") == "0x3"


def test_notification_gets_no_content(node: Node) -> None:
    status, body = node.client.post_raw(
        json.dumps({"jsonrpc": "2.0", "method": "eth_chainId"}).encode()
    )
    assert (status, body) == (204, b"")


def test_get_is_not_allowed(node: Node) -> None:
    status, _ = node.client.post_raw(b"", method="GET")
    assert status == 405


def test_chunked_request_body(node: Node) -> None:
    connection = http.client.HTTPConnection(node.client.host, node.client.port, timeout=10)
    try:
        body = json.dumps({"jsonrpc": "2.0", "id": 9, "method": "eth_chainId"}).encode()
        connection.request("POST", "/", body=iter([body[:10], body[10:]]),
                           headers={"Content-Type": "application/json"}, encode_chunked=True)
        response = connection.getresponse()
        assert json.loads(response.read()) == {"jsonrpc": "2.0", "id": 9, "result": "0x539"}
    finally:
        connection.close()


def test_keep_alive_connection_serves_several_requests(node: Node) -> None:
    connection = http.client.HTTPConnection(node.client.host, node.client.port, timeout=10)
    try:
        for request_id in range(3):
            body = json.dumps(
                {"jsonrpc": "2.0", "id": request_id, "method": "eth_chainId"}
            ).encode()
            connection.request("POST", "/", body=body,
                               headers={"Content-Type": "application/json"})
            response = connection.getresponse()
            assert response.status == 200
            assert response.getheader("Content-Type") == "application/json"
            assert json.loads(response.read())["id"] == request_id
    finally:
        connection.close()


def test_concurrent_senders_are_serialised(node: Node) -> None:
    errors: list[BaseException] = []

    def worker(index: int) -> None:
        try:
            account = node.accounts[index]
            for _ in range(3):
                node.send({"to": RECIPIENT, "value": 1}, account)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert node.call("eth_blockNumber") == hex(12)
    assert node.call("eth_getBalance", RECIPIENT) == hex(12)
