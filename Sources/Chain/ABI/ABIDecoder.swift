import BigInt
import Foundation

extension ABI {
    /// Decodes `data` as the tuple `(types…)`. Every offset and length is bounds-checked, padding
    /// must be clean, and bools must be 0 or 1: malformed input ends in an `ABIError`, never a trap.
    public static func decode(_ types: [ABIType], _ data: [UInt8]) throws(ABIError) -> [ABIValue] {
        var decoder = Decoder(data: data)
        return try decoder.tuple(types, base: 0, path: "result")
    }

    /// Decodes one value of one type (as a 1-tuple).
    public static func decode(_ type: ABIType, _ data: [UInt8]) throws(ABIError) -> ABIValue {
        try decode([type], data)[0]
    }

    struct Decoder {
        let data: [UInt8]
        /// Elements that may still be decoded, bounding work on hostile input.
        var budget: Int

        init(data: [UInt8]) {
            self.data = data
            self.budget = max(data.count, 1 << 16)
        }

        func word(at offset: Int, path: String) throws(ABIError) -> ArraySlice<UInt8> {
            guard offset >= 0, offset <= data.count - 32 else {
                throw .truncated(path: path, offset: offset, needed: 32, available: max(0, data.count - offset))
            }
            return data[offset..<offset + 32]
        }

        func integer(at offset: Int, path: String) throws(ABIError) -> Int {
            let w = try word(at: offset, path: path)
            let value = BigUInt(Data(w))
            guard value.bitWidth <= 48 else { throw .badOffset(path: path, offset: "\(value)") }
            return Int(value)
        }

        mutating func tuple(_ types: [ABIType], base: Int, path: String) throws(ABIError) -> [ABIValue] {
            var values = [ABIValue]()
            values.reserveCapacity(types.count)
            var head = base
            for (index, type) in types.enumerated() {
                let itemPath = "\(path) → \(index)"
                if type.isDynamic {
                    let offset = try integer(at: head, path: itemPath)
                    let target = base + offset
                    guard target <= data.count else { throw .badOffset(path: itemPath, offset: "\(offset)") }
                    values.append(try value(type, at: target, path: itemPath))
                    head += 32
                } else {
                    values.append(try value(type, at: head, path: itemPath))
                    head += type.headSize
                }
            }
            return values
        }

        mutating func value(_ type: ABIType, at offset: Int, path: String) throws(ABIError) -> ABIValue {
            switch type {
            case .uint(let bits), .fixed(false, let bits, _):
                let v = BigUInt(Data(try word(at: offset, path: path)))
                guard v.bitWidth <= bits else { throw .dirtyPadding(path: path, type: type.description) }
                return .uint(v)
            case .int(let bits), .fixed(true, let bits, _):
                let raw = BigUInt(Data(try word(at: offset, path: path)))
                let value: BigInt =
                    raw.bitWidth == 256 && raw >> 255 == 1
                    ? -BigInt((BigUInt(1) << 256) - raw) : BigInt(raw)
                let limit = BigInt(1) << (bits - 1)
                guard value >= -limit, value < limit else {
                    throw .dirtyPadding(path: path, type: type.description)
                }
                return .int(value)
            case .address:
                let w = try word(at: offset, path: path)
                guard w.prefix(12).allSatisfy({ $0 == 0 }) else { throw .dirtyPadding(path: path, type: "address") }
                return .address(Address(unchecked: Array(w.suffix(20))))
            case .bool:
                let w = try word(at: offset, path: path)
                guard w.prefix(31).allSatisfy({ $0 == 0 }), w.last! <= 1 else { throw .invalidBool(path: path) }
                return .bool(w.last! == 1)
            case .fixedBytes(let n):
                return .fixedBytes(try fixedBytes(n, at: offset, path: path, type: type))
            case .function:
                return .fixedBytes(try fixedBytes(24, at: offset, path: path, type: type))
            case .bytes, .string:
                let length = try integer(at: offset, path: path)
                let start = offset + 32
                guard length <= data.count - start else {
                    throw .truncated(path: path, offset: start, needed: length, available: data.count - start)
                }
                try spend((length + 31) / 32, path: path)
                let bytes = Array(data[start..<start + length])
                if case .bytes = type { return .bytes(bytes) }
                guard let text = String(validating: bytes, as: UTF8.self) else { throw .invalidUTF8(path: path) }
                return .string(text)
            case .array(let inner):
                let count = try integer(at: offset, path: path)
                let (size, overflow) = count.multipliedReportingOverflow(by: inner.headSize)
                guard !overflow, size <= data.count - offset - 32 else {
                    throw .badOffset(path: path, offset: "array length \(count)")
                }
                try spend(count, path: path)
                return .array(try tuple(Array(repeating: inner, count: count), base: offset + 32, path: path))
            case .fixedArray(let inner, let n):
                try spend(n, path: path)
                return .array(try tuple(Array(repeating: inner, count: n), base: offset, path: path))
            case .tuple(let types):
                return .tuple(try tuple(types, base: offset, path: path))
            }
        }

        func fixedBytes(_ n: Int, at offset: Int, path: String, type: ABIType) throws(ABIError) -> [UInt8] {
            let w = try word(at: offset, path: path)
            guard w.dropFirst(n).allSatisfy({ $0 == 0 }) else {
                throw .dirtyPadding(path: path, type: type.description)
            }
            return Array(w.prefix(n))
        }

        /// Counts decoded elements so that offsets pointing back into the same data cannot make
        /// decoding of a small input explode.
        mutating func spend(_ amount: Int, path: String) throws(ABIError) {
            budget -= amount
            guard budget >= 0 else { throw .badOffset(path: path, offset: "lengths exceed the data size") }
        }
    }
}
