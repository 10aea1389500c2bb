import Chain
import Foundation
import Logging
import Market
import PhaseRunner

/// The data behind the API: run folders under the runs root and, when configured, the node.
/// Everything here returns the API's JSON (or bytes) or a `PortalError`; nothing knows HTTP.
public struct PortalData: Sendable {
    /// The tool's version, as `cer-run --version` prints it.
    public static let version = "0.1.0"

    public let catalog: RunCatalog
    /// The node and marketplace, nil when the server reads no node.
    public let chain: ChainAccess?
    /// Whether the admin endpoints are enabled.
    public let adminEnabled: Bool
    /// Where warnings go (a session list answered partly from the journals).
    public var logger: Logger

    public init(
        catalog: RunCatalog, chain: ChainAccess?, adminEnabled: Bool = false,
        logger: Logger = Logger(label: "cer-run.serve")
    ) {
        self.catalog = catalog
        self.chain = chain
        self.adminEnabled = adminEnabled
        self.logger = logger
    }

    /// `GET /api/v1/info`.
    public func info() -> JSONValue {
        let newest = catalog.runs().first.map(RunFacts.init)
        let marketplace = chain?.marketplace.address ?? newest?.marketplace
        let sameMarket = newest != nil && newest?.marketplace == marketplace
        return [
            "version": .string(Self.version),
            "community": newest.map { .string($0.run.manifest.session.community) } ?? .null,
            "chainId": (chain?.chainID ?? newest?.run.chainID).map { .int(Int64($0)) } ?? .null,
            "marketplace": marketplace.map { .string($0.checksummed) } ?? .null,
            "token": (sameMarket ? newest?.token : nil).map { .string($0.checksummed) } ?? .null,
            "tokenSymbol": (sameMarket ? newest?.tokenSymbol : nil).map { .string($0) } ?? .null,
            "tokenDecimals": (sameMarket ? newest?.run.manifest.session.tokenDecimals : nil).map { .int(Int64($0)) }
                ?? .null,
            "chain": .bool(chain != nil), "admin": .bool(adminEnabled),
        ]
    }

    /// `GET /api/v1/sessions`. A session the node fails to answer for is given as the journal
    /// has it (and a warning logged): one bad read does not fail the whole list.
    public func sessions(_ page: Page) async -> JSONValue {
        let runs = catalog.runs()
        var items = [JSONValue]()
        let first = min(page.offset, runs.count)
        // Only the page's sessions are read from the chain; the rest are counted.
        for (index, run) in runs.enumerated() {
            let facts = RunFacts(run)
            var onChain: OnChainSession?
            if index >= first && index < first + page.limit {
                do { onChain = try await chainSession(facts) } catch {
                    logger.warning(
                        "GET /api/v1/sessions: session \(run.manifest.session.id): \(error.logDescription); answering the journal's view"
                    )
                }
            }
            items.append(.object(SessionViews.summary(facts, chain: onChain)))
        }
        return page.answer(items)
    }

    /// `GET /api/v1/sessions/{id}`.
    public func session(_ id: String) async throws(PortalError) -> JSONValue {
        let facts = RunFacts(try catalog.run(id))
        return SessionViews.detail(facts, chain: try await chainSession(facts))
    }

    /// `GET /api/v1/sessions/{id}/results`.
    public func results(_ id: String, member: Address?) async throws(PortalError) -> JSONValue {
        let facts = RunFacts(try catalog.run(id))
        let state = try await chainSession(facts).map { "\($0.state)" } ?? facts.state
        return try SessionResults.json(facts, state: state, member: member)
    }

    /// `GET /api/v1/sessions/{id}/report`: `report-data.json` as it is.
    public func report(_ id: String) throws(PortalError) -> [UInt8] {
        try SessionExports.file(try catalog.run(id), "report-data.json")
    }

    /// `GET /api/v1/sessions/{id}/exports`.
    public func exports(_ id: String) throws(PortalError) -> JSONValue {
        let items = SessionExports.list(try catalog.run(id)).map { item -> JSONValue in
            ["name": .string(item.name), "mediaType": .string(item.mediaType), "bytes": .int(Int64(item.bytes))]
        }
        return ["items": .array(items)]
    }

    /// `GET /api/v1/sessions/{id}/exports/{name}`: the file and its media type.
    public func export(_ id: String, _ name: String) throws(PortalError) -> (bytes: [UInt8], mediaType: String) {
        (try SessionExports.file(try catalog.run(id), name), SessionExports.mediaType(name))
    }

    /// The session as the node has it, when the node is the run's chain and the server's
    /// marketplace is the run's; nil otherwise (the journal speaks).
    func chainSession(_ facts: RunFacts) async throws(PortalError) -> OnChainSession? {
        guard let chain, chain.chainID == facts.run.chainID, facts.genesis == chain.genesis,
            facts.marketplace == chain.marketplace.address,
            let id = facts.chainSessionID
        else { return nil }
        return try await chain.session(id)
    }
}
