"""eth_call, eth_estimateGas, storage reads and revert data."""

from __future__ import annotations

from .conftest import CHAIN_ID, Node
from .evm import CANCUN_PROBE, EMITTER, assemble, error_string, returns_word, reverter

CUSTOM_ERROR = bytes.fromhex("deadbeef") + (42).to_bytes(32, "big")


def test_call_reports_custom_revert_data_verbatim(node: Node) -> None:
    contract = node.deploy(reverter(CUSTOM_ERROR))
    failure = node.error("eth_call", {"to": contract, "data": "0x"}, "latest")
    assert failure.code == 3
    assert failure.message == "execution reverted"
    assert failure.data == "0x" + CUSTOM_ERROR.hex()


def test_call_decodes_error_string_reason(node: Node) -> None:
    payload = error_string("market closed")
    contract = node.deploy(reverter(payload))
    failure = node.error("eth_call", {"to": contract})
    assert failure.code == 3
    assert failure.message == "execution reverted: market closed"
    assert failure.data == "0x" + payload.hex()


def test_bare_revert_has_empty_data(node: Node) -> None:
    contract = node.deploy(reverter(b""))
    failure = node.error("eth_call", {"to": contract})
    assert (failure.code, failure.message, failure.data) == (3, "execution reverted", "0x")


def test_estimate_gas_reports_revert_data(node: Node) -> None:
    contract = node.deploy(reverter(CUSTOM_ERROR))
    failure = node.error("eth_estimateGas", {"from": node.accounts[0].address, "to": contract})
    assert failure.code == 3
    assert failure.data == "0x" + CUSTOM_ERROR.hex()


def test_invalid_opcode_is_a_server_error(node: Node) -> None:
    contract = node.deploy(bytes([0xFE]))
    failure = node.error("eth_call", {"to": contract})
    assert (failure.code, failure.message) == (-32000, "invalid opcode")


def test_call_returns_output_and_sees_chain_context(node: Node) -> None:
    chain_id_contract = node.deploy(returns_word("CHAINID"))
    assert int(node.call("eth_call", {"to": chain_id_contract}), 16) == CHAIN_ID
    clock = node.deploy(returns_word("TIMESTAMP"))
    latest = node.call("eth_getBlockByNumber", "latest", False)
    assert node.call("eth_call", {"to": clock}, "latest") == "0x" + int(
        latest["timestamp"], 16
    ).to_bytes(32, "big").hex()
    number = node.deploy(returns_word("NUMBER"))
    assert int(node.call("eth_call", {"to": number}, "0x3"), 16) == 3


def test_cancun_opcodes_work(node: Node) -> None:
    contract = node.deploy(CANCUN_PROBE)
    assert int(node.call("eth_call", {"to": contract}), 16) == 7
    receipt = node.send({"to": contract})
    assert receipt["status"] == "0x1"


def test_estimate_gas_for_transfer_and_contract_call(node: Node) -> None:
    sender = node.accounts[0].address
    transfer = {"from": sender, "to": "0x" + "11" * 20, "value": "0x1"}
    assert node.call("eth_estimateGas", transfer) == hex(21000)

    contract = node.deploy(EMITTER)
    call = {"from": sender, "to": contract, "data": "0x" + "00" * 31 + "09"}
    estimate = int(node.call("eth_estimateGas", call), 16)
    assert 21000 < estimate < 100_000
    # 10% less than the estimate is not enough (the state is unchanged by the failure)
    short = node.send({"to": contract, "data": call["data"], "gas": int(estimate * 0.9)})
    assert short["status"] == "0x0"
    receipt = node.send({"to": contract, "data": call["data"], "gas": estimate})
    assert receipt["status"] == "0x1"
    assert int(receipt["gasUsed"], 16) == estimate  # no refunds here: the estimate is exact


def test_estimate_gas_of_a_refunding_call_is_the_smallest_limit(node: Node) -> None:
    """A call that clears a storage slot gets a refund after it ran: the limit must still
    cover the gas used before the refund, and the estimate is exactly that (one gas less
    runs out), in two executions (at the cap, then at the gas used)."""
    contract = node.deploy(assemble("PUSH0", "CALLDATALOAD", "PUSH0", "SSTORE", "STOP"))
    node.send({"to": contract, "data": "0x" + "00" * 31 + "01"})
    clear = {"from": node.accounts[0].address, "to": contract, "data": "0x" + "00" * 32}
    runs = []
    executor = node.chain.executor(node.chain.head)
    original = executor.execute

    def counted(request, gas):  # type: ignore[no-untyped-def]
        runs.append(gas)
        return original(request, gas)

    executor.execute = counted  # type: ignore[method-assign]
    estimate = int(node.call("eth_estimateGas", clear), 16)
    assert len(runs) == 2 and runs[1] == estimate
    assert node.call("eth_call", dict(clear, gas=hex(estimate)), "latest") == "0x"
    assert node.error("eth_call", dict(clear, gas=hex(estimate - 1)), "latest").message == "out of gas"
    receipt = node.send({"to": contract, "data": clear["data"], "gas": estimate})
    assert receipt["status"] == "0x1"
    assert int(receipt["gasUsed"], 16) < estimate  # the refund comes after the execution


def test_storage_reads_at_blocks(node: Node) -> None:
    contract = node.deploy(EMITTER)
    node.send({"to": contract, "data": "0x" + "00" * 31 + "2a"})
    before = hex(int(node.call("eth_blockNumber"), 16))
    node.send({"to": contract, "data": "0x" + "00" * 31 + "2b"})
    assert node.call("eth_getStorageAt", contract, "0x0", "latest") == "0x" + "00" * 31 + "2b"
    assert node.call("eth_getStorageAt", contract, "0x0", before) == "0x" + "00" * 31 + "2a"
    assert node.call("eth_getStorageAt", contract, "0x" + "00" * 32) == "0x" + "00" * 31 + "2b"
    assert node.call("eth_getStorageAt", contract, "0x1") == "0x" + "00" * 32


def test_call_with_value_beyond_balance_fails(node: Node) -> None:
    failure = node.error("eth_call", {"from": "0x" + "33" * 20, "to": "0x" + "11" * 20,
                                      "value": "0x1"})
    assert failure.code == -32000
    assert "insufficient funds" in failure.message


def test_call_parameter_validation(node: Node) -> None:
    assert node.error("eth_call", {"to": "0x1234"}).code == -32602
    assert node.error("eth_call").code == -32602
    assert node.error("eth_call", {"to": "0x" + "11" * 20}, "latest", {}, 4).code == -32602
    failure = node.error("eth_call", {"data": "0x01", "input": "0x02"})
    assert failure.code == -32602


def test_calls_at_one_block_share_nothing_but_the_state(node: Node) -> None:
    """Calls at one block reuse one executor: each still starts cold and sees that block.

    The first contract returns what a cold SLOAD costs (GAS before and after, 2,100 + 2 for the
    GAS opcode): a warm mark left by an earlier call would make it 102. The second returns an
    account's balance, which a transfer in a new block changes.
    """
    cold = node.deploy(
        assemble("GAS", 1, "SLOAD", "POP", "GAS", "SWAP1", "SUB", "PUSH0", "MSTORE", 32, "PUSH0", "RETURN")
    )
    costs = {node.call("eth_call", {"to": cold}, "latest") for _ in range(3)}
    estimates = {node.call("eth_estimateGas", {"to": cold}) for _ in range(2)}
    assert len(costs) == 1 and len(estimates) == 1
    (cost,) = costs
    assert int(cost, 16) > 2_100
    payee = node.accounts[5].address
    balance = node.deploy(assemble(bytes.fromhex(payee[2:]), "BALANCE", "PUSH0", "MSTORE", 32, "PUSH0", "RETURN"))
    before = int(node.call("eth_call", {"to": balance}), 16)
    assert before == int(node.call("eth_getBalance", payee, "latest"), 16)
    node.send({"to": payee, "value": 12345})
    assert int(node.call("eth_call", {"to": balance}), 16) == before + 12345
    # An older block still answers with its own state.
    head = int(node.call("eth_blockNumber"), 16)
    assert int(node.call("eth_call", {"to": balance}, hex(head - 1)), 16) == before


def test_account_reads_at_one_block_see_that_block(node: Node) -> None:
    """Balance, nonce, code and storage reads share the block's executor state: each block's
    reads answer with that block's state, also after calls ran on it and at older blocks."""
    sender = node.accounts[3]
    payee = node.accounts[6].address
    store = node.deploy(assemble(7, "PUSH0", "SSTORE", "STOP"))
    start = int(node.call("eth_blockNumber"), 16)
    balance = int(node.call("eth_getBalance", payee, "latest"), 16)
    nonce = node.nonce(sender)
    # Executions on the shared state (value sent, a storage write) are rolled back.
    node.call("eth_call", {"from": sender.address, "to": payee, "value": hex(10**18)}, "latest")
    node.call("eth_call", {"from": sender.address, "to": store}, "latest")
    assert int(node.call("eth_getBalance", payee, "latest"), 16) == balance
    assert int(node.call("eth_getStorageAt", store, "0x0", "latest"), 16) == 0
    assert node.nonce(sender) == nonce
    node.send({"to": payee, "value": 777}, sender)
    node.send({"to": store}, sender)
    assert int(node.call("eth_getBalance", payee, "latest"), 16) == balance + 777
    assert node.nonce(sender) == nonce + 2
    assert int(node.call("eth_getStorageAt", store, "0x0", "latest"), 16) == 7
    assert int(node.call("eth_getBalance", payee, hex(start)), 16) == balance
    assert int(node.call("eth_getTransactionCount", sender.address, hex(start)), 16) == nonce
    assert int(node.call("eth_getStorageAt", store, "0x0", hex(start)), 16) == 0
    assert node.call("eth_getCode", store, hex(start - 1)) == "0x"
