#!/usr/bin/env bash
# Builds and runs the libFuzzer targets in Fuzz/<target>/main.swift (docs/reliability.md,
# "Fuzzing"). Each target links an instrumented (-sanitize=fuzzer,address) copy of the module
# holding the decoder, recompiled from Sources/, with every other module's objects from the
# package's own debug build (so `swift build` never sees Fuzz/).
#
#   Fuzz/run.sh [TARGET...]          targets: rlp abi manifest csv journal (default: all)
#   FUZZ_SECONDS=60                  time per target (-max_total_time)
#   FUZZ_RUNS=-1                     executions per target (-runs; -1: until the time is up)
#
# Outputs go to .build/fuzz/: binaries, the growing corpus per target (kept between runs),
# crash artifacts (artifacts/<target>-crash-*) and logs. Exit status 1 if any target crashed.
set -euo pipefail
cd "$(dirname "$0")/.."
SWIFT=${SWIFT:-swift}
SWIFTC=${SWIFTC:-swiftc}
SECONDS_PER_TARGET=${FUZZ_SECONDS:-60}
RUNS=${FUZZ_RUNS:--1}
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(rlp abi manifest csv journal)
OUT=.build/fuzz
mkdir -p "$OUT/artifacts" "$OUT/seeds"

module_of() {
    case "$1" in
    rlp | abi) echo Chain ;;
    manifest) echo Manifest ;;
    csv) echo Validation ;;
    journal) echo PhaseRunner ;;
    *) echo "unknown fuzz target $1" >&2; exit 2 ;;
    esac
}

echo "== swift build (the modules the targets link)"
$SWIFT build --product cer-run >/dev/null
BIN=$($SWIFT build --show-bin-path)
LINKLIST=$BIN/cer-run.product/Objects.LinkFileList
[ -f "$LINKLIST" ] || { echo "error: $LINKLIST is missing" >&2; exit 1; }

# Module maps of the C targets, for importing modules that depend on them.
CLANG_FLAGS=(-Xcc -fmodule-map-file=Sources/CSecp256k1/module.modulemap)
for map in "$BIN"/*.build/module.modulemap .build/checkouts/*/Sources/*/include/module.modulemap; do
    [ -f "$map" ] || continue
    CLANG_FLAGS+=(-Xcc "-fmodule-map-file=$map")
done
for include in .build/checkouts/*/Sources/*/include; do CLANG_FLAGS+=(-Xcc -I -Xcc "$include"); done
SWIFT_FLAGS=(-swift-version 6 -parse-as-library -O -g -sanitize=fuzzer,address -I "$BIN/Modules" -D SWIFT_PACKAGE)

# Seeds: valid inputs of each decoder (libFuzzer mutates them).
python3 - "$OUT/seeds" <<'EOF'
import glob, os, sys
root = sys.argv[1]
def put(target, name, data):
    os.makedirs(f"{root}/{target}", exist_ok=True)
    with open(f"{root}/{target}/{name}", "wb") as f:
        f.write(data)
h = bytes.fromhex
word = lambda n: n.to_bytes(32, "big")
put("rlp", "list", h("c88363617483646f67"))
put("rlp", "empty", h("80"))
put("rlp", "long", h("b838") + b"x" * 56)
put("rlp", "nested", h("c7c0c1c0c3c0c1c0"))
put("rlp", "eip155", h("f86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a7640000"
                      "8025a028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb70"
                      "3304b3800ccf555c9f3dc64214b297fb1966a3b6d83"))
put("abi", "uint", bytes([0]) + word(7))
put("abi", "string", bytes([6]) + word(32) + word(2) + b"hi".ljust(32, b"\0"))
put("abi", "array", bytes([7]) + word(32) + word(2) + word(1) + word(2))
put("abi", "strings", bytes([8]) + word(32) + word(2) + word(64) + word(128) + word(1) + b"a".ljust(32, b"\0")
    + word(1) + b"b".ljust(32, b"\0"))
put("abi", "revert", bytes([5]) + h("08c379a0") + word(32) + word(3) + b"bad".ljust(32, b"\0"))
put("abi", "type", b"\xff(address,(uint8,string)[])[2]")
for path in glob.glob("fixtures/manifests/*.yaml") + ["manifests/demo.yaml"]:
    put("manifest", os.path.basename(path), open(path, "rb").read())
fixtures = ["hourly-2026-06-15.csv", "quarter-hourly-2026-06-15.csv", "dst-october-2026-10-25.csv",
            "italian-2026-06-15.csv", "utc-2026-06-15.csv"]
for index, name in zip([0, 1, 2, 3, 4], fixtures):
    put("csv", name, bytes([index]) + open(f"fixtures/meters/{name}", "rb").read())
put("csv", "numbered", bytes([5]) + b"IT001E00000001;25/10/2026;1;1.000\nIT001E00000001;25/10/2026;25;2\n")
put("csv", "offsets", bytes([6]) + b"pod,timestamp,x,withdrawal\nP,2026-06-15 00:00,+10:00,1\n")
EOF
mkdir -p "$OUT/seeds/journal"  # written by the journal target's LLVMFuzzerInitialize

status=0
for target in "${TARGETS[@]}"; do
    module=$(module_of "$target")
    echo "== $target: instrumented $module + Fuzz/$target/main.swift"
    mkdir -p "$OUT/$module" "$OUT/corpus/$target"
    if [ ! -f "$OUT/$module/$module.o" ] || [ -n "$(find "Sources/$module" -name '*.swift' -newer "$OUT/$module/$module.o")" ]; then
        $SWIFTC -module-name "$module" "${SWIFT_FLAGS[@]}" "${CLANG_FLAGS[@]}" -wmo -enable-testing \
            -emit-module -emit-module-path "$OUT/$module/$module.swiftmodule" -c -o "$OUT/$module/$module.o" \
            $(find "Sources/$module" -name '*.swift' | sort)
    fi
    # Every object of the package's build except the decoder's module (replaced by the
    # instrumented copy) and cer-run's own main.
    grep -v -e "/$module.build/" -e "/cer_run.build/" "$LINKLIST" >"$OUT/$target.objects"
    $SWIFTC -module-name "fuzz_$target" "${SWIFT_FLAGS[@]}" -I "$OUT/$module" "${CLANG_FLAGS[@]}" \
        "Fuzz/$target/main.swift" "$OUT/$module/$module.o" @"$OUT/$target.objects" -lsecp256k1 -o "$OUT/fuzz-$target" \
        2>"$OUT/$target.link.log" || { cat "$OUT/$target.link.log"; exit 1; }
    echo "== $target: fuzzing for ${SECONDS_PER_TARGET}s (runs: $RUNS)"
    set +e
    ASAN_OPTIONS=detect_leaks=0 FUZZ_SEED_DIR="$OUT/seeds/$target" "$OUT/fuzz-$target" \
        -max_total_time="$SECONDS_PER_TARGET" -runs="$RUNS" -timeout=10 -rss_limit_mb=2048 -max_len=4096 \
        -print_final_stats=1 -artifact_prefix="$OUT/artifacts/$target-" \
        "$OUT/corpus/$target" "$OUT/seeds/$target" >"$OUT/$target.log" 2>&1
    rc=$?
    set -e
    grep -E "^(#[0-9]+ *DONE|Done [0-9]+ runs|stat::number_of_executed_units|stat::peak_rss_mb|==[0-9]+==ERROR|SUMMARY|artifact_prefix|Test unit written)" "$OUT/$target.log" || true
    grep -m1 -E "Fatal error|Swift runtime failure" "$OUT/$target.log" || true
    if [ $rc -ne 0 ]; then
        echo "== $target: FAILED (exit $rc); see $OUT/$target.log and $OUT/artifacts/"
        status=1
    else
        echo "== $target: no crash ($(ls "$OUT/corpus/$target" | wc -l) corpus entries)"
    fi
done
exit $status
