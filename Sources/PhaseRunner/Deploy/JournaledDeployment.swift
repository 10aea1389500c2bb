import Chain
import Foundation
import Market

/// `cer-run deploy`: deploys the `CommunityToken` (unless an existing token is given) and the
/// `Marketplace` exactly once, through a journal (steps `deploy/token` and `deploy/marketplace`,
/// as the session runner names them). Running it again finds both in the journal and sends
/// nothing.
public struct JournaledDeployment: Sendable {
    /// What was deployed.
    public struct Result: Sendable {
        public var chainID: UInt64
        /// The settlement token (deployed now, earlier, or given with `--token`).
        public var token: Address
        public var marketplace: Address
        /// The marketplace's admin (the deployer, unless transferred since).
        public var admin: Address
        /// The marketplace's operator.
        public var operatorAddress: Address
        /// False when both contracts were already in the journal.
        public var sentNow: Bool
        /// Whether this call deployed the token.
        public var tokenDeployedNow: Bool

        /// The `contracts:` section of a session manifest.
        public var manifestSnippet: [String] {
            ["contracts:", "  marketplace: \"\(marketplace.checksummed)\"", "  token: \"\(token.checksummed)\""]
        }

        /// The result as one JSON object (`--json`).
        public var json: JSONValue {
            [
                "chainId": .int(Int64(chainID)), "token": .string(token.checksummed),
                "marketplace": .string(marketplace.checksummed), "admin": .string(admin.checksummed),
                "operator": .string(operatorAddress.checksummed), "sent": .bool(sentNow),
            ]
        }
    }

    /// `deployments/<chainId>.jsonl` under `folder`.
    public static func defaultJournal(chainID: UInt64, folder: URL) -> URL {
        folder.appendingPathComponent("deployments").appendingPathComponent("\(chainID).jsonl")
    }

    /// Deploys with `key` as admin; `operatorAddress` (default: the deployer) runs sessions.
    public static func deploy(
        rpc: URL, chainID expected: UInt64, key: PrivateKey, operatorAddress: Address?, token existingToken: Address?,
        journal journalURL: URL?, fees: FeePolicy = .eip1559Auto
    ) async throws -> Result {
        let client = EthClient(url: rpc)
        let chainID: UInt64
        do { chainID = try await client.chainID() } catch {
            throw MemberError.refused("cannot reach the node at \(rpc.absoluteString): \(error)")
        }
        guard chainID == expected else {
            throw MemberError.refused(
                "the node at \(rpc.absoluteString) reports chain id \(chainID), not \(expected); nothing was sent")
        }
        if let existingToken, try await client.code(at: existingToken).isEmpty {
            throw MemberError.refused(
                "--token \(existingToken.checksummed) has no code on chain \(chainID); nothing was sent")
        }
        let artifacts: ArtifactStore
        let tokenArtifact: ContractArtifact
        let marketArtifact: ContractArtifact
        do {
            artifacts = try ArtifactStore.locate()
            tokenArtifact = try artifacts.artifact("CommunityToken")
            marketArtifact = try artifacts.artifact("Marketplace")
        } catch { throw MemberError.refused("\(error)") }
        let url =
            journalURL
            ?? defaultJournal(chainID: chainID, folder: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        let journal: Journal
        do { journal = try Journal.open(url) } catch { throw MemberError.refused(error.description) }
        // The journal is bound to this chain (chain id and block 0's hash, as a member journal
        // is): on a restarted dev chain — same id, same deployer, same addresses — a journal of
        // the old chain would report contracts that are not there. One written before the header
        // existed is bound only when the node has its mined transactions.
        if journal.records(ofType: MemberConnection.RecordType.header).isEmpty,
            let mined = journal.last(ofType: JournaledSender.RecordType.mined),
            let hash = mined.data["hash"]?.stringValue.flatMap({ try? Hex.decode($0) })
        {
            let receipt: Receipt?
            do { receipt = try await client.receipt(hash) } catch {
                throw MemberError.refused("cannot read a receipt from the node at \(rpc.absoluteString): \(error)")
            }
            guard receipt != nil else {
                throw MemberError.refused(
                    "the journal \(url.path) records transaction \(Hex.encode(hash)) as mined, which the node does not have: it was written on another chain with chain id \(chainID) (a restarted or different chain). Move the journal away or pass another --journal; nothing was sent"
                )
            }
        }
        try MemberConnection.checkHeader(
            journal, address: key.address, chainID: chainID,
            genesis: try await MemberConnection.genesisHash(client, rpc), checkOwner: false)
        let sender = TransactionSender(client: client, key: key, chainID: chainID, fees: fees)
        let journaled = JournaledSender(journal: journal, sender: sender)
        let operatorAddress = operatorAddress ?? key.address
        func ensure(_ step: String, _ data: [UInt8], _ abi: ContractABI) async throws -> JournaledSender.Outcome {
            do {
                return try await journaled.ensure(step: step, to: nil, data: data, abi: abi)
            } catch let error as SendError {
                guard case .wouldRevert(let reason) = error else { throw error }
                throw MemberError.refused("\(step) would fail: \(reason); nothing was sent")
            }
        }
        var tokenAddress: Address
        var tokenNow = false
        if let existingToken {
            tokenAddress = existingToken
        } else {
            let outcome = try await ensure(
                "deploy/token", try tokenArtifact.deploymentData([.string("CER Euro"), .string("CEUR")]),
                tokenArtifact.abi)
            guard let address = outcome.receipt.contractAddress else {
                throw MemberError.failed("the token deployment's receipt has no contract address")
            }
            tokenAddress = address
            tokenNow = outcome.sentNow
        }
        let market = try await ensure(
            "deploy/marketplace",
            try marketArtifact.deploymentData([.address(tokenAddress), .address(operatorAddress)]), marketArtifact.abi)
        guard let marketAddress = market.receipt.contractAddress else {
            throw MemberError.failed("the marketplace deployment's receipt has no contract address")
        }
        // Report what the marketplace holds now (a journaled one may differ from today's options).
        let bound = Contract(address: marketAddress, abi: marketArtifact.abi, client: client)
        if let actual = try? await bound.call("token").first?.addressValue { tokenAddress = actual }
        let admin = (try? await bound.call("admin").first?.addressValue) ?? key.address
        let currentOperator = (try? await bound.call("operator").first?.addressValue) ?? operatorAddress
        return Result(
            chainID: chainID, token: tokenAddress, marketplace: marketAddress, admin: admin,
            operatorAddress: currentOperator, sentNow: tokenNow || market.sentNow, tokenDeployedNow: tokenNow)
    }
}
