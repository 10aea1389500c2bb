"""Deterministic, prefunded development accounts.

The keys are derived from the well-known development mnemonic
``test test test test test test test test test test test junk`` with the
BIP-44 path ``m/44'/60'/0'/0/{i}``, exactly like Hardhat and Anvil, so account
0 is ``0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266``. These keys are public
knowledge: never use them on a real network.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from eth_account.hdaccount import HDPath, seed_from_mnemonic
from eth_keys.datatypes import PrivateKey

DEV_MNEMONIC = "test test test test test test test test test test test junk"
DERIVATION_PATH_PREFIX = "m/44'/60'/0'/0"


@dataclass(frozen=True)
class DevAccount:
    """A dev account: its index, private key and derived address."""

    index: int
    private_key: PrivateKey

    @property
    def address(self) -> bytes:
        """The 20-byte canonical address."""
        return self.private_key.public_key.to_canonical_address()

    @property
    def private_key_bytes(self) -> bytes:
        """The 32-byte raw private key."""
        return self.private_key.to_bytes()


@lru_cache(maxsize=1)
def _seed() -> bytes:
    return seed_from_mnemonic(DEV_MNEMONIC, "")


def derive_account(index: int) -> DevAccount:
    """Derive dev account ``index`` (0-based) from the dev mnemonic."""
    if index < 0:
        raise ValueError("account index must be non-negative")
    raw_key = HDPath(f"{DERIVATION_PATH_PREFIX}/{index}").derive(_seed())
    return DevAccount(index=index, private_key=PrivateKey(raw_key))


def derive_accounts(count: int) -> tuple[DevAccount, ...]:
    """Derive the first ``count`` dev accounts."""
    if count < 1:
        raise ValueError("at least one account is required")
    return tuple(derive_account(i) for i in range(count))
