"""cer-run local development chain.

A small JSON-RPC-over-HTTP Ethereum node for tests and local development,
built on eth-tester's py-evm backend. See ``devchain/README.md``.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
