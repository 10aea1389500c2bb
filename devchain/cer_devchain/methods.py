"""Standard Ethereum JSON-RPC methods (``web3_*``, ``net_*``, ``eth_*``)."""

from __future__ import annotations

import platform
from collections.abc import Callable
from importlib.metadata import version
from typing import Any

from eth_account import Account
from eth_utils import keccak

from . import __version__
from .chain import DevChain
from .config import MAX_FEE_HISTORY_BLOCKS, MAX_LOG_BLOCK_RANGE
from .encoding import (
    address,
    data,
    parse_address,
    parse_bool,
    parse_data,
    parse_hash,
    parse_quantity,
    quantity,
)
from .errors import LIMIT_EXCEEDED, RpcError, invalid_params, server_error
from .fees import fee_history, suggested_gas_price, suggested_priority_fee
from .formatting import format_block, format_log, format_receipt, format_transaction
from .logs import topics_as_bytes
from .params import (
    Params,
    TransactionRequest,
    block_number_or_tag,
    log_query,
    resolve_number,
    state_header,
    transaction_request,
)

Handler = Callable[[list[Any]], Any]


def rpc_method(*names: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Mark an API method as serving the JSON-RPC method(s) ``names``."""

    def decorate(function: Callable[..., Any]) -> Callable[..., Any]:
        function.rpc_names = names  # type: ignore[attr-defined]
        return function

    return decorate


class Api:
    """Base class: collects the ``@rpc_method`` handlers of a subclass."""

    def __init__(self, chain: DevChain) -> None:
        self.chain = chain

    def handlers(self) -> dict[str, Handler]:
        """Map of JSON-RPC method name to bound handler taking the params list."""
        table: dict[str, Handler] = {}
        for attribute in dir(type(self)):
            function = getattr(type(self), attribute)
            for name in getattr(function, "rpc_names", ()):
                table[name] = getattr(self, attribute)
        return table


def client_version() -> str:
    """``web3_clientVersion`` string."""
    return (
        f"cer-devchain/v{__version__}/py-evm-{version('py-evm')}"
        f"/python-{platform.python_version()}"
    )


class EthApi(Api):
    """``web3_*``, ``net_*`` and ``eth_*`` methods."""

    # ------------------------------------------------------------ node info

    @rpc_method("web3_clientVersion")
    def client_version(self, params: list[Any]) -> str:
        Params(params, 0)
        return client_version()

    @rpc_method("web3_sha3")
    def sha3(self, params: list[Any]) -> str:
        payload = Params(params, 1).get(0, parse_data, "data")
        return data(keccak(payload))

    @rpc_method("net_version")
    def net_version(self, params: list[Any]) -> str:
        Params(params, 0)
        return str(self.chain.chain_id)

    @rpc_method("net_listening")
    def net_listening(self, params: list[Any]) -> bool:
        Params(params, 0)
        return True

    @rpc_method("net_peerCount")
    def net_peer_count(self, params: list[Any]) -> str:
        Params(params, 0)
        return quantity(0)

    @rpc_method("eth_chainId")
    def chain_id(self, params: list[Any]) -> str:
        Params(params, 0)
        return quantity(self.chain.chain_id)

    @rpc_method("eth_syncing")
    def syncing(self, params: list[Any]) -> bool:
        Params(params, 0)
        return False

    @rpc_method("eth_blockNumber")
    def block_number(self, params: list[Any]) -> str:
        Params(params, 0)
        return quantity(self.chain.head.block_number)

    @rpc_method("eth_accounts")
    def accounts(self, params: list[Any]) -> list[str]:
        Params(params, 0)
        return [address(account.address) for account in self.chain.accounts]

    # ------------------------------------------------------------ fees

    @rpc_method("eth_gasPrice")
    def gas_price(self, params: list[Any]) -> str:
        Params(params, 0)
        return quantity(suggested_gas_price(self.chain))

    @rpc_method("eth_maxPriorityFeePerGas")
    def max_priority_fee(self, params: list[Any]) -> str:
        Params(params, 0)
        return quantity(suggested_priority_fee(self.chain))

    @rpc_method("eth_feeHistory")
    def fee_history(self, params: list[Any]) -> dict[str, Any]:
        p = Params(params, 3)
        count = p.get(0, parse_quantity, "blockCount")
        if not 1 <= count <= MAX_FEE_HISTORY_BLOCKS:
            raise invalid_params(f"blockCount must be between 1 and {MAX_FEE_HISTORY_BLOCKS}")
        newest = resolve_number(self.chain, p.get(1, block_number_or_tag, "newestBlock"))
        if newest > self.chain.head.block_number:
            raise server_error("header not found")
        percentiles = p.get(2, _percentiles, "rewardPercentiles", None)
        return fee_history(self.chain, count, newest, percentiles)

    # ------------------------------------------------------------ account state

    @rpc_method("eth_getBalance")
    def get_balance(self, params: list[Any]) -> str:
        p = Params(params, 2)
        account = p.get(0, parse_address, "address")
        state = self.chain.state_at(state_header(self.chain, p.raw(1)))
        return quantity(state.get_balance(account))

    @rpc_method("eth_getTransactionCount")
    def get_transaction_count(self, params: list[Any]) -> str:
        p = Params(params, 2)
        account = p.get(0, parse_address, "address")
        state = self.chain.state_at(state_header(self.chain, p.raw(1)))
        return quantity(state.get_nonce(account))

    @rpc_method("eth_getCode")
    def get_code(self, params: list[Any]) -> str:
        p = Params(params, 2)
        account = p.get(0, parse_address, "address")
        state = self.chain.state_at(state_header(self.chain, p.raw(1)))
        return data(state.get_code(account))

    @rpc_method("eth_getStorageAt")
    def get_storage_at(self, params: list[Any]) -> str:
        p = Params(params, 3)
        account = p.get(0, parse_address, "address")
        slot = p.get(1, parse_quantity, "slot")
        state = self.chain.state_at(state_header(self.chain, p.raw(2)))
        return data(state.get_storage(account, slot).to_bytes(32, "big"))

    # ------------------------------------------------------------ execution

    @rpc_method("eth_call")
    def call(self, params: list[Any]) -> str:
        p = Params(params, 3)
        request = p.get(0, transaction_request, "transaction")
        if p.raw(2) is not None:
            raise invalid_params("state overrides are not supported")
        header = state_header(self.chain, p.raw(1))
        return data(self.chain.executor(header).call(request.call_request()))

    @rpc_method("eth_estimateGas")
    def estimate_gas(self, params: list[Any]) -> str:
        p = Params(params, 3)
        request = p.get(0, transaction_request, "transaction")
        if p.raw(2) is not None:
            raise invalid_params("state overrides are not supported")
        header = state_header(self.chain, p.raw(1))
        return quantity(self.chain.executor(header).estimate_gas(request.call_request()))

    @rpc_method("eth_sendRawTransaction")
    def send_raw_transaction(self, params: list[Any]) -> str:
        raw = Params(params, 1).get(0, parse_data, "transaction")
        return data(self.chain.send_raw_transaction(raw))

    @rpc_method("eth_sendTransaction")
    def send_transaction(self, params: list[Any]) -> str:
        request = Params(params, 1).get(0, transaction_request, "transaction")
        raw = self._sign_for_dev_account(request)
        return data(self.chain.send_raw_transaction(raw))

    def _sign_for_dev_account(self, request: TransactionRequest) -> bytes:
        """Fill in defaults and sign ``request`` with the dev account named in ``from``."""
        if request.sender is None:
            raise invalid_params("transaction.from is required")
        account = self.chain.account(request.sender)
        if account is None:
            raise server_error("unknown account")
        if request.chain_id is not None and request.chain_id != self.chain.chain_id:
            raise server_error("Wrong chainId")
        head = self.chain.head
        nonce = request.nonce
        if nonce is None:
            nonce = self.chain.state_at(head).get_nonce(request.sender)
        gas = request.gas
        if gas is None:
            gas = self.chain.executor(head).estimate_gas(request.call_request())
        fields: dict[str, Any] = {
            "chainId": self.chain.chain_id,
            "nonce": nonce,
            "gas": gas,
            "value": request.value,
            "data": request.data,
        }
        if request.to is not None:
            fields["to"] = request.to
        if request.gas_price is not None and request.max_fee_per_gas is None:
            fields["gasPrice"] = request.gas_price
        else:
            tip = request.max_priority_fee_per_gas
            if tip is None:
                tip = suggested_priority_fee(self.chain)
            max_fee = request.max_fee_per_gas
            if max_fee is None:
                max_fee = 2 * self.chain.pending_base_fee + tip
            fields.update(type=2, maxFeePerGas=max_fee, maxPriorityFeePerGas=tip)
        signed = Account.sign_transaction(fields, account.private_key_bytes)
        return bytes(signed.raw_transaction)

    # ------------------------------------------------------------ blocks

    @rpc_method("eth_getBlockByNumber")
    def get_block_by_number(self, params: list[Any]) -> dict[str, Any] | None:
        p = Params(params, 2)
        number = resolve_number(self.chain, p.get(0, block_number_or_tag, "block"))
        full = p.get(1, parse_bool, "fullTransactions", False)
        block = self.chain.block_by_number(number)
        return None if block is None else format_block(block, full_transactions=full)

    @rpc_method("eth_getBlockByHash")
    def get_block_by_hash(self, params: list[Any]) -> dict[str, Any] | None:
        p = Params(params, 2)
        block_hash = p.get(0, parse_hash, "blockHash")
        full = p.get(1, parse_bool, "fullTransactions", False)
        block = self.chain.block_by_hash(block_hash)
        return None if block is None else format_block(block, full_transactions=full)

    @rpc_method("eth_getBlockTransactionCountByNumber")
    def block_transaction_count_by_number(self, params: list[Any]) -> str | None:
        number = resolve_number(self.chain, Params(params, 1).get(0, block_number_or_tag, "block"))
        block = self.chain.block_by_number(number)
        return None if block is None else quantity(len(block.transactions))

    @rpc_method("eth_getBlockTransactionCountByHash")
    def block_transaction_count_by_hash(self, params: list[Any]) -> str | None:
        block = self.chain.block_by_hash(Params(params, 1).get(0, parse_hash, "blockHash"))
        return None if block is None else quantity(len(block.transactions))

    @rpc_method("eth_getBlockReceipts")
    def get_block_receipts(self, params: list[Any]) -> list[dict[str, Any]] | None:
        value = Params(params, 1).raw(0)
        if value is None:
            raise invalid_params("missing value for required argument block")
        if isinstance(value, dict) and "blockHash" in value:
            block = self.chain.block_by_hash(parse_hash(value["blockHash"], "block.blockHash"))
        elif isinstance(value, str) and len(value) == 66:
            block = self.chain.block_by_hash(parse_hash(value, "block"))
        else:
            number = resolve_number(self.chain, block_number_or_tag(value, "block"))
            block = self.chain.block_by_number(number)
        if block is None:
            return None
        receipts = self.chain.receipts(block)
        return [format_receipt(block, i, receipts) for i in range(len(block.transactions))]

    # ------------------------------------------------------------ transactions

    @rpc_method("eth_getTransactionByHash")
    def get_transaction_by_hash(self, params: list[Any]) -> dict[str, Any] | None:
        tx_hash = Params(params, 1).get(0, parse_hash, "transactionHash")
        found = self.chain.find_transaction(tx_hash)
        if found is None:
            return None
        return format_transaction(found.transaction, block=found.block, index=found.index)

    @rpc_method("eth_getTransactionByBlockNumberAndIndex")
    def transaction_by_number_and_index(self, params: list[Any]) -> dict[str, Any] | None:
        p = Params(params, 2)
        number = resolve_number(self.chain, p.get(0, block_number_or_tag, "block"))
        index = p.get(1, parse_quantity, "index")
        block = self.chain.block_by_number(number)
        if block is None or index >= len(block.transactions):
            return None
        return format_transaction(block.transactions[index], block=block, index=index)

    @rpc_method("eth_getTransactionByBlockHashAndIndex")
    def transaction_by_hash_and_index(self, params: list[Any]) -> dict[str, Any] | None:
        p = Params(params, 2)
        block = self.chain.block_by_hash(p.get(0, parse_hash, "blockHash"))
        index = p.get(1, parse_quantity, "index")
        if block is None or index >= len(block.transactions):
            return None
        return format_transaction(block.transactions[index], block=block, index=index)

    @rpc_method("eth_getTransactionReceipt")
    def get_transaction_receipt(self, params: list[Any]) -> dict[str, Any] | None:
        tx_hash = Params(params, 1).get(0, parse_hash, "transactionHash")
        found = self.chain.find_transaction(tx_hash)
        if found is None:
            return None
        return format_receipt(found.block, found.index, self.chain.receipts(found.block))

    # ------------------------------------------------------------ logs

    @rpc_method("eth_getLogs")
    def get_logs(self, params: list[Any]) -> list[dict[str, Any]]:
        query = Params(params, 1).get(0, log_query, "filter")
        if query.block_hash is not None:
            block = self.chain.block_by_hash(query.block_hash)
            if block is None:
                raise server_error("unknown block")
            blocks: list[int] = [block.number]
        else:
            first = resolve_number(self.chain, query.from_block)
            last = resolve_number(self.chain, query.to_block)
            if first > last:
                raise invalid_params("fromBlock is greater than toBlock")
            if last - first > MAX_LOG_BLOCK_RANGE:
                raise RpcError(
                    LIMIT_EXCEEDED, "Requested range exceeds maximum RPC range limit"
                )
            blocks = list(range(first, min(last, self.chain.head.block_number) + 1))

        results: list[dict[str, Any]] = []
        for number in blocks:
            header = self.chain.header_by_number(number)
            if header is None or not query.criteria.may_match_bloom(int(header.bloom)):
                continue
            block = self.chain.block_by_number(number)
            assert block is not None
            log_index = 0
            for tx_index, receipt in enumerate(self.chain.receipts(block)):
                tx = block.transactions[tx_index]
                for log in receipt.logs:
                    if query.criteria.matches(log.address, topics_as_bytes(log.topics)):
                        results.append(
                            format_log(
                                log, block=block, tx=tx, tx_index=tx_index, log_index=log_index
                            )
                        )
                    log_index += 1
        return results


def _percentiles(value: Any, name: str) -> list[float]:
    """Parse ``rewardPercentiles``: ascending numbers in [0, 100]."""
    if not isinstance(value, list) or not all(
        isinstance(v, (int, float)) and not isinstance(v, bool) for v in value
    ):
        raise invalid_params(f"{name}: expected an array of numbers")
    previous = 0.0
    for item in value:
        if not 0 <= item <= 100 or item < previous:
            raise invalid_params(f"{name}: values must be ascending and within [0, 100]")
        previous = item
    return [float(v) for v in value]
