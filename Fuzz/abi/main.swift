// libFuzzer entry point for the ABI decoder: the first byte picks a type (or, 0xff, says the
// rest is a type name to parse), the rest is the data; revert data is decoded too.
import Chain

let types: [ABIType] = [
    .uint(256), .int(8), .address, .bool, .fixedBytes(32), .bytes, .string, .array(.uint(256)),
    .array(.string), .array(.array(.bytes)), .tuple([.bytes, .array(.address)]), .fixedArray(.string, 3),
    .array(.tuple([])), .tuple([.uint(8), .array(.fixedArray(.bool, 2))]), .array(.fixedArray(.uint(256), 1_000)),
    .tuple([.string, .tuple([.int(256), .bytes]), .array(.tuple([.uint(16), .bool, .uint(64)]))]),
]
let custom = ABICustomError(name: "TooLate", inputs: [ABIParameter(type: .uint(64)), ABIParameter(type: .string)])

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let body = Array(bytes.dropFirst())
    if bytes[0] == 0xff {
        // A type name: parsed types must describe themselves and decode short data safely.
        guard let type = try? ABIType(parsing: String(decoding: body, as: UTF8.self)) else { return 0 }
        guard (try? ABIType(parsing: type.description)) == type else { fatalError("\(type) does not round-trip") }
        _ = type.headSize
        _ = try? ABI.decode(type, [UInt8](repeating: 0, count: 64))
        return 0
    }
    let type = types[Int(bytes[0]) % types.count]
    do {
        let value = try ABI.decode(type, body)
        // What decodes re-encodes and decodes to the same value.
        let again = try ABI.encode(type, value)
        guard try ABI.decode(type, again) == value else { fatalError("\(type): re-encoding changed the value") }
    } catch {
        _ = error.description
    }
    _ = RevertReason(data: body, errors: [custom]).description
    return 0
}
