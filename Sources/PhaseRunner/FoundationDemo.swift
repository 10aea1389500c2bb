import BigInt
import Chain
import Foundation
import Manifest
import Market

/// The foundation's end-to-end demonstration: deploys the Notary contract from its artifact,
/// funds a new member with a legacy EIP-155 transaction, and has the member notarise an
/// adhesion document with an EIP-1559 transaction — every transaction signed here, sent raw, and
/// confirmed from its receipt, its recovered sender and its decoded event.
public struct FoundationDemo: Sendable {
    public let client: EthClient
    public let operatorKey: PrivateKey
    public let artifacts: ArtifactStore
    /// Receives each line of the human-readable account.
    public let log: @Sendable (String) -> Void

    public init(
        client: EthClient, operatorKey: PrivateKey, artifacts: ArtifactStore, log: @escaping @Sendable (String) -> Void
    ) {
        self.client = client
        self.operatorKey = operatorKey
        self.artifacts = artifacts
        self.log = log
    }

    /// What the demo did, for tests and `--json`.
    public struct Report: Sendable {
        public var chainID: UInt64
        public var notary: Address
        public var member: Address
        public var transactions: [(label: String, hash: [UInt8], type: UInt64, gasUsed: UInt64, block: UInt64)]
        public var notarisation: NotaryContract.Notarisation
        public var duplicateRejection: String
    }

    public func run(document: [UInt8], label: String) async throws -> Report {
        let chainID = try await client.chainID()
        let head = try await client.block(.latest)
        log(
            "chain id \(chainID), block \(head?.number ?? 0), base fee \(head?.baseFeePerGas.map { "\($0) wei" } ?? "none")"
        )
        var transactions = [(label: String, hash: [UInt8], type: UInt64, gasUsed: UInt64, block: UInt64)]()

        let operatorSender = TransactionSender(client: client, key: operatorKey, chainID: chainID, fees: .eip1559Auto)
        log("operator \(operatorKey.address) balance \(formatEther(try await client.balance(of: operatorKey.address)))")

        let (notary, deployReceipt) = try await NotaryContract.deploy(artifacts: artifacts, sender: operatorSender)
        try await confirm(deployReceipt, expectedSender: operatorKey.address, label: "deploy Notary (EIP-1559)")
        transactions.append(
            (
                "deploy", deployReceipt.transactionHash, deployReceipt.type, deployReceipt.gasUsed,
                deployReceipt.blockNumber
            ))
        log(
            "Notary deployed at \(notary.contract.address), \(try await client.code(at: notary.contract.address).count) bytes of code"
        )

        let member = PrivateKey.random()
        let legacy = TransactionSender(client: client, key: operatorKey, chainID: chainID, fees: .legacyNodePrice)
        let funding = try await legacy.send(to: member.address, data: [], value: BigUInt(10).power(17))
        try await confirm(funding, expectedSender: operatorKey.address, label: "fund member (legacy EIP-155)")
        transactions.append(("fund", funding.transactionHash, funding.type, funding.gasUsed, funding.blockNumber))
        log("member \(member.address) funded with \(formatEther(try await client.balance(of: member.address)))")

        let memberSender = TransactionSender(client: client, key: member, chainID: chainID, fees: .eip1559Auto)
        let docHash = Keccak256.hash(document)
        let (notarisation, receipt) = try await notary.notarise(docHash: docHash, label: label, sender: memberSender)
        try await confirm(receipt, expectedSender: member.address, label: "notarise document (EIP-1559)")
        transactions.append(("notarise", receipt.transactionHash, receipt.type, receipt.gasUsed, receipt.blockNumber))
        guard notarisation.by == member.address, notarisation.docHash == docHash, notarisation.label == label else {
            throw DemoError("the Notarised event does not match what was sent: \(notarisation)")
        }
        log(
            "event Notarised(by: \(notarisation.by), docHash: \(docHash.hex), label: \"\(label)\", at: \(notarisation.timestamp))"
        )
        guard try await notary.isNotarised(docHash) else {
            throw DemoError("isNotarised returned false after notarising")
        }

        var rejection = ""
        do {
            _ = try await notary.notarise(docHash: docHash, label: label, sender: memberSender)
            throw DemoError("a second notarisation of the same document was accepted")
        } catch let SendError.wouldRevert(reason) {
            rejection = reason.description
            log("second notarisation refused before sending: \(reason)")
        }
        return Report(
            chainID: chainID, notary: notary.contract.address, member: member.address, transactions: transactions,
            notarisation: notarisation, duplicateRejection: rejection)
    }

    /// Checks a receipt succeeded and that the node's transaction has the sender our signature
    /// recovers to.
    private func confirm(_ receipt: Receipt, expectedSender: Address, label: String) async throws {
        guard receipt.succeeded else { throw DemoError("\(label): receipt status 0") }
        guard let tx = try await client.transaction(receipt.transactionHash) else {
            throw DemoError("\(label): the node does not know transaction \(receipt.transactionHash.hex)")
        }
        guard tx.from == expectedSender, receipt.from == expectedSender else {
            throw DemoError("\(label): node reports sender \(tx.from), expected \(expectedSender)")
        }
        log(
            "✔ \(label): tx \(receipt.transactionHash.hex) type \(receipt.type) in block \(receipt.blockNumber), gas \(receipt.gasUsed), sender \(tx.from)"
        )
    }

    func formatEther(_ wei: BigUInt) -> String { DecimalAmount.format(wei, decimals: 18) + " ETH" }
}

/// A demo step that did not go as it must.
public struct DemoError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
