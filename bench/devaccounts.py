"""Addresses of the dev chain's prefunded accounts 0..COUNT-1, one EIP-55 address per line.

Runs under the dev chain's venv (devchain/.venv/bin/python: eth_account, eth_keys); the same
derivation as devchain/cer_devchain/accounts.py — BIP-44 m/44'/60'/0'/0/{i} from the standard
test mnemonic — but the parent m/44'/60'/0'/0 is derived once and each account is one soft
child step from it, so 10,000 accounts take seconds.

    devchain/.venv/bin/python bench/devaccounts.py COUNT > addresses.txt
"""
import sys

from eth_account.hdaccount import seed_from_mnemonic
from eth_account.hdaccount._utils import SECP256K1_N, ec_point, hmac_sha512
from eth_account.hdaccount.deterministic import HardNode, SoftNode, derive_child_key
from eth_keys.datatypes import PrivateKey

MNEMONIC = "test test test test test test test test test test test junk"


def main() -> None:
    count = int(sys.argv[1])
    master = hmac_sha512(b"Bitcoin seed", seed_from_mnemonic(MNEMONIC, ""))
    key, chain = master[:32], master[32:]
    for node in (HardNode(44), HardNode(60), HardNode(0), SoftNode(0)):
        key, chain = derive_child_key(key, chain, node)
    parent_point = ec_point(key)  # the same for every child: computed once
    parent = int.from_bytes(key, "big")
    out = sys.stdout
    for i in range(count):
        digest = hmac_sha512(chain, parent_point + i.to_bytes(4, "big"))
        tweak = int.from_bytes(digest[:32], "big")
        child = (tweak + parent) % SECP256K1_N
        if tweak >= SECP256K1_N or child == 0:  # < 2^-127: let eth_account skip to the next node
            child_key, _ = derive_child_key(key, chain, SoftNode(i))
        else:
            child_key = child.to_bytes(32, "big")
        out.write(PrivateKey(child_key).public_key.to_checksum_address() + "\n")


if __name__ == "__main__":
    main()
