/// One entry of an EIP-2930 access list.
public struct AccessListEntry: Equatable, Sendable, Codable {
    public var address: Address
    /// 32-byte storage keys.
    public var storageKeys: [[UInt8]]

    public init(address: Address, storageKeys: [[UInt8]] = []) {
        self.address = address
        self.storageKeys = storageKeys
    }

    var rlp: RLPItem { .list([.bytes(address.bytes), .list(storageKeys.map { .bytes($0) })]) }

    init(rlp item: RLPItem) throws(TransactionError) {
        guard case .list(let parts) = item, parts.count == 2, let a = parts[0].byteValue,
            let address = Address(bytes: a), let keys = parts[1].listValue
        else { throw .malformed("access list entry must be [address, [keys]]") }
        var storageKeys = [[UInt8]]()
        for key in keys {
            guard let k = key.byteValue, k.count == 32 else { throw .malformed("storage key must have 32 bytes") }
            storageKeys.append(k)
        }
        self.init(address: address, storageKeys: storageKeys)
    }

    enum CodingKeys: String, CodingKey { case address, storageKeys }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        address = try c.decode(Address.self, forKey: .address)
        storageKeys = try c.decode([String].self, forKey: .storageKeys).map { try Hex.decode($0, count: 32) }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(address, forKey: .address)
        try c.encode(storageKeys.map(\.hex), forKey: .storageKeys)
    }
}
