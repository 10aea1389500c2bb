"""JSON-RPC error type and the error codes/messages the dev chain emits.

Codes and messages for transaction admission follow Hyperledger Besu's
``RpcErrorType`` so a client written against this dev chain behaves the same
against a Besu node.
"""

from __future__ import annotations

from typing import Any

# JSON-RPC 2.0 standard codes.
PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603

# Ethereum / Besu server-defined codes.
SERVER_ERROR = -32000
NONCE_TOO_LOW = -32001
INVALID_SIGNATURE = -32002
INTRINSIC_GAS_EXCEEDS_LIMIT = -32003
UPFRONT_COST_EXCEEDS_BALANCE = -32004
LIMIT_EXCEEDED = -32005  # block gas limit, log range and batch size
NONCE_TOO_HIGH = -32006
GAS_PRICE_TOO_LOW = -32009
EXECUTION_REVERTED = 3


class RpcError(Exception):
    """An error that is reported to the client as a JSON-RPC error object."""

    def __init__(self, code: int, message: str, data: Any = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.data = data

    def to_json(self) -> dict[str, Any]:
        """Return the JSON-RPC ``error`` member for this error."""
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.data is not None:
            error["data"] = self.data
        return error

    def __repr__(self) -> str:
        return f"RpcError({self.code}, {self.message!r}, data={self.data!r})"


def invalid_params(detail: str) -> RpcError:
    """Build a -32602 error; the message is ``Invalid params: <detail>``."""
    return RpcError(INVALID_PARAMS, f"Invalid params: {detail}")


def server_error(message: str) -> RpcError:
    """Build a generic -32000 error."""
    return RpcError(SERVER_ERROR, message)
