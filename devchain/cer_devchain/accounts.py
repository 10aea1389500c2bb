"""Deterministic, prefunded development accounts.

The keys are derived from the well-known development mnemonic
``test test test test test test test test test test test junk`` with the
BIP-44 path ``m/44'/60'/0'/0/{i}``, exactly like Hardhat and Anvil, so account
0 is ``0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266``. These keys are public
knowledge: never use them on a real network.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache

from eth_account.hdaccount import HDPath, seed_from_mnemonic
from eth_account.hdaccount._utils import SECP256K1_N, ec_point, hmac_sha512
from eth_account.hdaccount.deterministic import derive_child_key
from eth_keys.datatypes import PrivateKey

DEV_MNEMONIC = "test test test test test test test test test test test junk"
DERIVATION_PATH_PREFIX = "m/44'/60'/0'/0"


@dataclass(frozen=True)
class DevAccount:
    """A dev account: its index, private key and derived address."""

    index: int
    private_key: PrivateKey

    @cached_property
    def address(self) -> bytes:
        """The 20-byte canonical address (computed once)."""
        return self.private_key.public_key.to_canonical_address()

    @property
    def private_key_bytes(self) -> bytes:
        """The 32-byte raw private key."""
        return self.private_key.to_bytes()


@lru_cache(maxsize=1)
def _seed() -> bytes:
    return seed_from_mnemonic(DEV_MNEMONIC, "")


@lru_cache(maxsize=1)
def _parent_node() -> tuple[bytes, bytes, bytes]:
    """Private key, chain code and compressed public key of ``m/44'/60'/0'/0``.

    Computed once: every account is a non-hardened child of this node, so each
    further account costs one HMAC-SHA512 instead of a whole path derivation
    (which recomputes the master key and an elliptic-curve point per level).
    """
    key, chain_code = _master_node()
    for node in HDPath(DERIVATION_PATH_PREFIX)._path:
        key, chain_code = derive_child_key(key, chain_code, node)
    return key, chain_code, ec_point(key)


def _master_node() -> tuple[bytes, bytes]:
    master = hmac_sha512(b"Bitcoin seed", _seed())
    return master[:32], master[32:]


def _child_key(index: int) -> bytes:
    """BIP-32 CKDpriv of ``m/44'/60'/0'/0`` for the non-hardened ``index``."""
    parent_key, chain_code, parent_point = _parent_node()
    child = hmac_sha512(chain_code, parent_point + index.to_bytes(4, "big"))
    tweak = int.from_bytes(child[:32], "big")
    key = (tweak + int.from_bytes(parent_key, "big")) % SECP256K1_N
    if tweak >= SECP256K1_N or key == 0:  # probability < 2**-127: let eth-account handle it
        return HDPath(f"{DERIVATION_PATH_PREFIX}/{index}").derive(_seed())
    return key.to_bytes(32, "big")


def derive_account(index: int) -> DevAccount:
    """Derive dev account ``index`` (0-based) from the dev mnemonic."""
    if index < 0:
        raise ValueError("account index must be non-negative")
    if index >= 2**31:
        raise ValueError("account index must be below 2**31 (non-hardened)")
    return DevAccount(index=index, private_key=PrivateKey(_child_key(index)))


def derive_accounts(count: int) -> tuple[DevAccount, ...]:
    """Derive the first ``count`` dev accounts."""
    if count < 1:
        raise ValueError("at least one account is required")
    return tuple(derive_account(i) for i in range(count))
