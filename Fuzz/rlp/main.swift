// libFuzzer entry point for the RLP decoder and the signed-transaction decoder (built by
// Fuzz/run.sh against an instrumented copy of the Chain module; not part of `swift build`).
import Chain

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    do {
        let item = try RLP.decode(bytes)
        // Non-canonical input is rejected, so what is accepted re-encodes to the same bytes.
        guard RLP.encode(item) == bytes else { fatalError("accepted non-canonical RLP \(bytes.hex)") }
        if case .bytes = item {
            _ = try? item.bigUInt()
            _ = try? item.uint64()
        }
    } catch {
        _ = error.description
    }
    do {
        let tx = try SignedTransaction(raw: bytes)
        guard tx.raw == bytes else { fatalError("accepted a non-canonical transaction") }
    } catch {
        _ = error.description
    }
    return 0
}
