import BigInt
import Chain

/// Binding of an ERC-20 token (our `CommunityToken` adds `mint` and EIP-2612 `permit`).
public struct TokenContract: Sendable {
    public let contract: Contract

    public init(contract: Contract) { self.contract = contract }

    public var address: Address { contract.address }

    public func balance(of account: Address) async throws -> BigUInt {
        try await contract.call("balanceOf", [.address(account)])[0].uintValue ?? 0
    }

    @discardableResult
    public func mint(to: Address, amount: BigUInt, sender: TransactionSender) async throws -> Receipt {
        try await sender.transact(contract, "mint", [.address(to), .uint(amount)])
    }

    @discardableResult
    public func approve(spender: Address, amount: BigUInt, sender: TransactionSender) async throws -> Receipt {
        try await sender.transact(contract, "approve", [.address(spender), .uint(amount)])
    }

    @discardableResult
    public func transfer(to: Address, amount: BigUInt, sender: TransactionSender) async throws -> Receipt {
        try await sender.transact(contract, "transfer", [.address(to), .uint(amount)])
    }

    /// Signs an EIP-2612 permit of `owner` (the key) for `spender`.
    public func signPermit(key: PrivateKey, spender: Address, value: BigUInt, deadline: UInt64, chainID: UInt64)
        async throws -> Signature
    {
        let name = try await contract.call("name")[0].stringValue ?? ""
        let nonce = try await contract.call("nonces", [.address(key.address)])[0].uintValue ?? 0
        let data = TypedData(
            types: [
                "EIP712Domain": [
                    .init(name: "name", type: "string"), .init(name: "version", type: "string"),
                    .init(name: "chainId", type: "uint256"), .init(name: "verifyingContract", type: "address"),
                ],
                "Permit": [
                    .init(name: "owner", type: "address"), .init(name: "spender", type: "address"),
                    .init(name: "value", type: "uint256"), .init(name: "nonce", type: "uint256"),
                    .init(name: "deadline", type: "uint256"),
                ],
            ],
            primaryType: "Permit",
            domain: [
                "name": .string(name), "version": "1", "chainId": .string(String(chainID)),
                "verifyingContract": .string(address.hex),
            ],
            message: [
                "owner": .string(key.address.hex), "spender": .string(spender.hex), "value": .string(String(value)),
                "nonce": .string(String(nonce)), "deadline": .string(String(deadline)),
            ])
        return try data.sign(with: key)
    }
}
