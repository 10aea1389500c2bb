import Chain
import Foundation

/// Typed binding of `contracts/src/dev/Notary.sol`.
public struct NotaryContract: Sendable {
    public let contract: Contract

    /// A notarisation as the `Notarised` event reports it.
    public struct Notarisation: Sendable, Equatable {
        public var by: Address
        public var docHash: [UInt8]
        public var label: String
        public var timestamp: UInt64
    }

    public init(contract: Contract) { self.contract = contract }

    /// Deploys a new Notary.
    public static func deploy(artifacts: ArtifactStore, sender: TransactionSender) async throws -> (
        NotaryContract, Receipt
    ) {
        let (contract, receipt) = try await sender.deploy(try artifacts.artifact("Notary"))
        return (NotaryContract(contract: contract), receipt)
    }

    /// Sends `notarise(docHash, label)` and returns the decoded event with the receipt.
    public func notarise(docHash: [UInt8], label: String, sender: TransactionSender) async throws -> (
        Notarisation, Receipt
    ) {
        let receipt = try await sender.transact(contract, "notarise", [.fixedBytes(docHash), .string(label)])
        guard let event = contract.events(in: receipt).first(where: { $0.event.name == "Notarised" }) else {
            throw ContractCallError.rpc(
                .malformedResponse(method: "eth_getTransactionReceipt", reason: "no Notarised event in the receipt"))
        }
        return (try Self.notarisation(event), receipt)
    }

    /// True when `docHash` is on record.
    public func isNotarised(_ docHash: [UInt8]) async throws -> Bool {
        try await contract.call("isNotarised", [.fixedBytes(docHash)]).first?.boolValue == true
    }

    static func notarisation(_ event: DecodedEvent) throws -> Notarisation {
        guard case .value(.address(let by))? = event["by"], case .value(.fixedBytes(let hash))? = event["docHash"],
            case .value(.string(let label))? = event["label"], case .value(.uint(let at))? = event["at"]
        else {
            throw ABIError.typeMismatch(
                path: "Notarised", expected: "(address,bytes32,string,uint64)", found: "\(event)")
        }
        return Notarisation(by: by, docHash: hash, label: label, timestamp: UInt64(at))
    }
}
