import BigInt

/// Typed field access on a JSON-RPC result object, with errors that name the method and field.
struct JSONFields {
    let object: [String: JSONValue]
    let method: String
    let context: String

    init(_ value: JSONValue, method: String, context: String) throws(RPCError) {
        guard case .object(let object) = value else {
            throw .malformedResponse(
                method: method, reason: "\(context): expected an object, got \(value.jsonText.prefix(80))")
        }
        self.object = object
        self.method = method
        self.context = context
    }

    func fail(_ key: String, _ why: String) -> RPCError {
        .malformedResponse(method: method, reason: "\(context).\(key): \(why)")
    }

    func string(_ key: String) throws(RPCError) -> String {
        guard let s = object[key]?.stringValue else { throw fail(key, "missing or not a string") }
        return s
    }

    func optionalString(_ key: String) -> String? {
        object[key]?.stringValue
    }

    func quantity(_ key: String) throws(RPCError) -> BigUInt {
        do { return try Quantity.decode(try string(key)) } catch let e as QuantityError {
            throw fail(key, "\(e)")
        } catch {
            throw error as! RPCError
        }
    }

    func optionalQuantity(_ key: String) throws(RPCError) -> BigUInt? {
        guard let s = optionalString(key) else { return nil }
        do { return try Quantity.decode(s) } catch { throw fail(key, "\(error)") }
    }

    func u64(_ key: String) throws(RPCError) -> UInt64 {
        let v = try quantity(key)
        guard v.bitWidth <= 64 else { throw fail(key, "exceeds 64 bits") }
        return UInt64(v)
    }

    func optionalU64(_ key: String) throws(RPCError) -> UInt64? {
        guard let v = try optionalQuantity(key) else { return nil }
        guard v.bitWidth <= 64 else { throw fail(key, "exceeds 64 bits") }
        return UInt64(v)
    }

    func bytes(_ key: String) throws(RPCError) -> [UInt8] {
        do { return try Hex.decode(try string(key)) } catch let e as HexError { throw fail(key, "\(e)") } catch {
            throw error as! RPCError
        }
    }

    func hash(_ key: String) throws(RPCError) -> [UInt8] {
        let b = try bytes(key)
        guard b.count == 32 else { throw fail(key, "expected 32 bytes, got \(b.count)") }
        return b
    }

    func optionalHash(_ key: String) throws(RPCError) -> [UInt8]? {
        guard object[key]?.stringValue != nil else { return nil }
        return try hash(key)
    }

    func address(_ key: String) throws(RPCError) -> Address {
        guard let a = try optionalAddress(key) else { throw fail(key, "missing") }
        return a
    }

    func optionalAddress(_ key: String) throws(RPCError) -> Address? {
        guard let s = optionalString(key) else { return nil }
        do { return try Address(s.lowercased()) } catch { throw fail(key, "\(error)") }
    }

    func array(_ key: String) throws(RPCError) -> [JSONValue] {
        guard let a = object[key]?.arrayValue else { throw fail(key, "missing or not an array") }
        return a
    }
}
