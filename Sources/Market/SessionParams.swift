import BigInt
import Chain

/// The on-chain parameters of a session (`newSession`).
public struct SessionParams: Sendable, Hashable {
    /// Unix seconds, compared with block time.
    public var commitDeadline: UInt64
    public var revealDeadline: UInt64
    public var deliveryStart: UInt64
    /// Seconds per slot (3600 for hourly slots).
    public var slotLength: UInt32
    /// 23, 24 or 25 hourly slots on DST days, 96 quarter hours…
    public var slots: UInt16
    /// Token base units locked by each commitment until the reveal.
    public var deposit: BigUInt
    /// Seller collateral in token base units per kWh offered.
    public var sellerBondPerKWh: UInt64
    /// Anchors the off-chain parameters (manifest, clearing plugin) for audit.
    public var manifestHash: [UInt8]

    public init(
        commitDeadline: UInt64, revealDeadline: UInt64, deliveryStart: UInt64, slotLength: UInt32 = 3600,
        slots: UInt16 = 24, deposit: BigUInt, sellerBondPerKWh: UInt64, manifestHash: [UInt8]
    ) {
        self.commitDeadline = commitDeadline
        self.revealDeadline = revealDeadline
        self.deliveryStart = deliveryStart
        self.slotLength = slotLength
        self.slots = slots
        self.deposit = deposit
        self.sellerBondPerKWh = sellerBondPerKWh
        self.manifestHash = manifestHash
    }

    /// End of the last delivery slot.
    public var deliveryEnd: UInt64 { deliveryStart + UInt64(slots) * UInt64(slotLength) }

    /// The `SessionParams` tuple of `newSession`.
    public var abiValue: ABIValue {
        .tuple([
            .unsigned(commitDeadline), .unsigned(revealDeadline), .unsigned(deliveryStart), .unsigned(slotLength),
            .unsigned(slots), .uint(deposit), .unsigned(sellerBondPerKWh), .fixedBytes(manifestHash),
        ])
    }
}

/// Membership states, as the contract numbers them.
public enum MemberStatus: UInt8, Sendable, Codable {
    case none = 0, pending, active, rejected, suspended
}

/// Stored session states, as the contract numbers them.
public enum SessionState: UInt8, Sendable, Codable {
    case none = 0, open, cleared, validated, settled, cancelled
}
