import BigInt
import Chain

/// The sealed-order commitment, computed exactly as `Marketplace.computeCommitment`:
/// keccak256(abi.encode(chainId, marketplace, sessionId, member, orders, salt)).
public enum Commitment {
    public static func compute(
        chainID: UInt64, marketplace: Address, sessionID: UInt64, member: Address, orders: [MarketOrder],
        salt: [UInt8]
    ) throws -> [UInt8] {
        Keccak256.hash(
            try ABI.encode(
                [.uint(256), .address, .uint(256), .address, .array(.uint(256)), .fixedBytes(32)],
                [
                    .unsigned(chainID), .address(marketplace), .unsigned(sessionID), .address(member), orders.abiValue,
                    .fixedBytes(salt),
                ]))
    }

    /// 32 random bytes from the system's secure generator.
    public static func randomSalt() -> [UInt8] {
        var rng = SystemRandomNumberGenerator()
        return (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &rng) }
    }
}
