"""JSON-RPC 2.0 protocol handling: parsing, batches, dispatch and error envelopes."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from .chain import DevChain
from .config import MAX_BATCH_SIZE
from .devmethods import DevApi
from .errors import (
    INTERNAL_ERROR,
    INVALID_PARAMS,
    INVALID_REQUEST,
    LIMIT_EXCEEDED,
    METHOD_NOT_FOUND,
    PARSE_ERROR,
    RpcError,
)
from .methods import EthApi

logger = logging.getLogger(__name__)

Response = dict[str, Any]


def error_response(request_id: Any, error: RpcError) -> Response:
    """A JSON-RPC error response object."""
    return {"jsonrpc": "2.0", "id": request_id, "error": error.to_json()}


class RpcDispatcher:
    """Turns request bodies into response bodies.

    All method handlers run while holding ``lock``, so the (non-thread-safe)
    chain sees one request at a time even though the HTTP server is threaded.
    """

    def __init__(self, chain: DevChain, lock: threading.Lock | None = None) -> None:
        self.lock = lock if lock is not None else threading.Lock()
        self.stats = chain.stats
        self.handlers: dict[str, Callable[[list[Any]], Any]] = {
            **EthApi(chain).handlers(),
            **DevApi(chain).handlers(),
        }

    def handle_body(self, body: bytes) -> bytes | None:
        """Process one HTTP body; ``None`` means "no response" (only notifications)."""
        try:
            payload = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            return _encode(error_response(None, RpcError(PARSE_ERROR, "Parse error")))
        if isinstance(payload, list):
            if not payload:
                return _encode(
                    error_response(None, RpcError(INVALID_REQUEST, "Invalid Request: empty batch"))
                )
            if len(payload) > MAX_BATCH_SIZE:
                return _encode(
                    error_response(
                        None, RpcError(LIMIT_EXCEEDED, "Number of requests exceeds max batch size")
                    )
                )
            responses = [r for r in map(self.handle_request, payload) if r is not None]
            return _encode(responses) if responses else None
        response = self.handle_request(payload)
        return None if response is None else _encode(response)

    def handle_request(self, request: Any) -> Response | None:
        """Process one request object; ``None`` for a notification (no ``id``)."""
        invalid = RpcError(INVALID_REQUEST, "Invalid Request")
        if not isinstance(request, dict):
            return error_response(None, invalid)
        request_id = request.get("id")
        if request_id is not None and (
            isinstance(request_id, bool) or not isinstance(request_id, (str, int, float))
        ):
            return error_response(None, invalid)
        if request.get("jsonrpc", "2.0") != "2.0" or not isinstance(request.get("method"), str):
            return error_response(request_id, invalid)
        is_notification = "id" not in request

        try:
            result = self.call(request["method"], request.get("params"))
        except RpcError as error:
            response = error_response(request_id, error)
        else:
            response = {"jsonrpc": "2.0", "id": request_id, "result": result}
        return None if is_notification else response

    def call(self, method: str, params: Any) -> Any:
        """Invoke ``method`` with positional ``params``; raise :class:`RpcError` on failure."""
        handler = self.handlers.get(method)
        if handler is None:
            raise RpcError(METHOD_NOT_FOUND, "Method not found")
        if params is None:
            params = []
        if not isinstance(params, list):
            raise RpcError(INVALID_PARAMS, "Invalid params: params must be an array")
        with self.lock:
            started = time.perf_counter()
            failed = True
            try:
                result = handler(params)
                failed = False
                return result
            except RpcError:
                raise
            except Exception as exc:  # a bug or an unexpected py-evm error
                logger.exception("internal error in %s", method)
                raise RpcError(INTERNAL_ERROR, "Internal error", str(exc)) from exc
            finally:
                self.stats.record_call(method, time.perf_counter() - started, failed)


def _encode(payload: Any) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode()
