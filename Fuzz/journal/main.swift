// libFuzzer entry point for the journal reader: the input is written as a journal file and
// read back with Journal.readOnly.
import Chain
import Foundation
import PhaseRunner

let url = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("cer-fuzz-journal-\(getpid()).jsonl")

/// Writes a valid journal into $FUZZ_SEED_DIR (libFuzzer reads the corpus after this).
@_cdecl("LLVMFuzzerInitialize")
public func initialize(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>
) -> CInt {
    guard let folder = ProcessInfo.processInfo.environment["FUZZ_SEED_DIR"] else { return 0 }
    let seed = URL(fileURLWithPath: folder).appendingPathComponent("valid.jsonl")
    try? FileManager.default.removeItem(at: seed)
    guard let journal = try? Journal.open(seed) else { return 0 }
    _ = try? journal.append("header", ["chainId": 1337, "manifest": "0xab", "members": ["anna", "bruno"]])
    _ = try? journal.append("tx.signed", ["step": "commit/anna", "nonce": 3, "ok": true, "none": nil])
    _ = try? journal.append("done", ["nested": ["a": [1, -2, ["c": "é😀"]]]])
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard (try? Data(bytes: data, count: size).write(to: url)) != nil else { fatalError("cannot write \(url.path)") }
    do {
        let records = try Journal.readOnly(url)
        for (i, record) in records.enumerated() where record.sequence != i { fatalError("sequence \(i)") }
    } catch {
        _ = error.description
    }
    return 0
}
