#!/usr/bin/env python3
"""Compile contracts/src/**/*.sol with the solc on PATH into contracts/artifacts/<Name>.json.

Deterministic output (sorted keys, fixed settings), so a recompile with the same compiler gives
byte-identical artifacts. The artifacts' solc metadata lists every source with its keccak256;
`make test` checks those against contracts/src without needing a compiler.
"""

import json
import re
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent
SETTINGS = {
    "evmVersion": "cancun",
    "optimizer": {"enabled": True, "runs": 200},
    "metadata": {"bytecodeHash": "ipfs"},
    "viaIR": True,
    "outputSelection": {
        "*": {"*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object", "metadata"]}
    },
}


def main() -> int:
    sources = sorted((ROOT / "src").rglob("*.sol"))
    standard_input = {
        "language": "Solidity",
        "sources": {
            str(path.relative_to(ROOT)): {"content": path.read_text(encoding="utf-8")}
            for path in sources
        },
        "settings": SETTINGS,
    }
    version = subprocess.run(["solc", "--version"], capture_output=True, text=True, check=True)
    version_line = [line for line in version.stdout.splitlines() if line.startswith("Version:")][0]
    compiler_version = version_line.split(":", 1)[1].strip()
    result = subprocess.run(
        ["solc", "--standard-json"], input=json.dumps(standard_input), capture_output=True, text=True, check=True
    )
    output = json.loads(result.stdout)
    errors = [e for e in output.get("errors", []) if e.get("severity") == "error"]
    for message in output.get("errors", []):
        print(message.get("formattedMessage", message.get("message")), file=sys.stderr)
    if errors:
        return 1
    out_dir = ROOT / "artifacts"
    out_dir.mkdir(exist_ok=True)
    written = set()
    for source_name, contracts in sorted(output.get("contracts", {}).items()):
        for name, data in sorted(contracts.items()):
            bytecode = data["evm"]["bytecode"]["object"]
            source = standard_input["sources"][source_name]["content"]
            if not bytecode or re.search(rf"^library\s+{name}\b", source, re.MULTILINE):
                continue  # interfaces, abstract contracts and internal libraries
            artifact = {
                "contractName": name,
                "sourceName": source_name,
                "abi": data["abi"],
                "bytecode": "0x" + bytecode,
                "deployedBytecode": "0x" + data["evm"]["deployedBytecode"]["object"],
                "metadata": data["metadata"],
                "compiler": {"name": "solc", "version": compiler_version},
                "settings": {k: v for k, v in SETTINGS.items() if k != "outputSelection"},
            }
            path = out_dir / f"{name}.json"
            path.write_text(json.dumps(artifact, indent=2, sort_keys=True) + "\n", encoding="utf-8")
            written.add(path.name)
            print(f"wrote {path.relative_to(ROOT.parent)}")
    for stale in out_dir.glob("*.json"):
        if stale.name not in written:
            stale.unlink()
            print(f"removed stale {stale.relative_to(ROOT.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
