"""Dev account derivation: the cached-parent shortcut gives exactly eth-account's HD keys."""

from __future__ import annotations

from eth_account.hdaccount import HDPath, seed_from_mnemonic

from cer_devchain.accounts import DERIVATION_PATH_PREFIX, DEV_MNEMONIC, derive_accounts


def test_derived_keys_match_full_path_derivation() -> None:
    seed = seed_from_mnemonic(DEV_MNEMONIC, "")
    accounts = derive_accounts(1001)
    for index in (0, 1, 2, 9, 57, 255, 256, 1000):
        expected = HDPath(f"{DERIVATION_PATH_PREFIX}/{index}").derive(seed)
        assert accounts[index].private_key_bytes == expected
        assert accounts[index].index == index
    assert accounts[0].address.hex() == "f39fd6e51aad88f6f4ce6ab8827279cfffb92266"
    assert len({a.address for a in accounts}) == 1001
