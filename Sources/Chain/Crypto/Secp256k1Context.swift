import CSecp256k1

/// The single libsecp256k1 context shared by the process: created once, randomized once
/// (side-channel blinding), then used read-only, which libsecp256k1 documents as thread-safe.
final class Secp256k1Context: @unchecked Sendable {
    static let shared = Secp256k1Context()

    let pointer: OpaquePointer

    private init() {
        guard let context = secp256k1_context_create(UInt32(SECP256K1_CONTEXT_NONE)) else {
            fatalError("libsecp256k1: cannot create a context")
        }
        var seed = [UInt8](repeating: 0, count: 32)
        var rng = SystemRandomNumberGenerator()
        for i in seed.indices { seed[i] = UInt8.random(in: .min ... .max, using: &rng) }
        guard secp256k1_context_randomize(context, seed) == 1 else {
            fatalError("libsecp256k1: cannot randomize the context")
        }
        pointer = context
    }
}
