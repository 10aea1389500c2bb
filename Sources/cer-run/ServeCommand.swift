import ArgumentParser
import Chain
import Foundation
import Logging
import Manifest
import PhaseRunner
import Portal

/// `cer-run serve`: the member portal and the JSON API over HTTP (docs/server.md).
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Serve the member portal and the JSON API over HTTP.",
        discussion: """
            Read-only by default: the run folders under --runs (or the manifest's) and, when there is \
            one, the node (--rpc, else the manifest's chain.rpc). Admin endpoints are enabled only with \
            --admin-token-env (a non-empty variable) and --admin-keystore. Prints `listening on \
            http://HOST:PORT` first; SIGINT/SIGTERM stop it gracefully. See docs/server.md.
            """)

    @Option(help: "A session manifest: its chain.rpc and contracts.marketplace are used.")
    var manifest: String?

    @Option(help: "The runs folder (runs/<session-id>/journal.jsonl); default: runs.")
    var runs: String?

    @Option(help: "TCP port (0: a free one).")
    var port: Int = 8080

    @Option(help: "Address to bind (default loopback only).")
    var bind: String = "127.0.0.1"

    @Option(help: "JSON-RPC endpoint of a node (default: the manifest's chain.rpc).")
    var rpc: String?

    @Option(help: "The Marketplace contract (default: the manifest's, else the newest run's).")
    var marketplace: String?

    @Option(
        help: ArgumentHelp(
            "First block of the member list's log reads (default: the marketplace's deployment block in a run's journal, else 0).",
            valueName: "N"))
    var fromBlock: UInt64?

    @Option(help: "Environment variable holding the admin bearer token (enables admin, with --admin-keystore).")
    var adminTokenEnv: String?

    @Option(help: "The admin's encrypted keystore v3 file.")
    var adminKeystore: String?

    @Option(help: "The admin journal (default $HOME/.cer-run/admin/<chain-id>/<address>.jsonl).")
    var adminJournal: String?

    @OptionGroup var password: KeystoreCommand.PasswordOptions

    func validate() throws {
        if manifest == nil && runs == nil { throw ValidationError("give --manifest FILE or --runs DIR") }
        guard (0...65535).contains(port) else { throw ValidationError("--port \(port): use 0 to 65535") }
        if adminJournal != nil && adminKeystore == nil {
            throw ValidationError("--admin-journal needs --admin-keystore")
        }
        if (adminTokenEnv == nil) != (adminKeystore == nil) {
            throw ValidationError("admin needs both --admin-token-env NAME and --admin-keystore FILE")
        }
    }

    func run() async throws {
        // Checked before anything else: a missing resource folder is a set-up error, not a crash.
        guard PortalResources.folder() != nil else { throw InputError(PortalResources.missingMessage()) }
        let sources: PortalSources
        let data: PortalData
        do {
            sources = try PortalSources.resolve(
                manifest: manifest, runs: runs, rpc: rpc, marketplace: marketplace, fromBlock: fromBlock)
            data = try await sources.data(adminEnabled: adminTokenEnv != nil)
        } catch { throw InputError(error.description) }
        let logger = Logger(label: "cer-run.serve")
        let admin = try await adminGate(data)
        let settings = PortalServer.Settings(host: bind, port: port, data: data, admin: admin)
        let app = PortalServer.application(settings, logger: logger) { [bind] port in
            say("listening on http://\(bind.contains(":") ? "[\(bind)]" : bind):\(port)")
        }
        try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
    }

    /// The admin gate, when admin is configured: the token from the environment, the keystore
    /// decrypted, the admin's journaled actions opened on the server's node and marketplace.
    func adminGate(_ data: PortalData) async throws -> AdminGate? {
        guard let adminTokenEnv, let adminKeystore else { return nil }
        guard let token = ProcessInfo.processInfo.environment[adminTokenEnv], !token.isEmpty else {
            throw InputError(
                "--admin-token-env \(adminTokenEnv): the variable is not set or empty; set it to a long random token")
        }
        guard let chain = data.chain else {
            throw InputError("admin needs a node: pass --rpc URL (and --marketplace) or a manifest with chain.rpc")
        }
        let key: PrivateKey
        do {
            key = try Keystore.decrypt(file: URL(fileURLWithPath: adminKeystore), password: try password.password())
        } catch {
            throw InputError("--admin-keystore \(adminKeystore): \(error)")
        }
        do {
            return try await ServeAdmin.gate(
                token: token, key: key, chain: chain, journal: adminJournal.map { URL(fileURLWithPath: $0) })
        } catch let error as AdminError where error.nothingSent {
            throw InputError("admin: " + ChainAccess.redacting(chain.rpc, error.description))
        } catch let error as AdminError {
            throw ActionFailed("admin: " + ChainAccess.redacting(chain.rpc, error.description))
        } catch {
            // A node that fails while the admin's actions open: named without user and password.
            throw InputError("admin: " + ChainAccess.redacting(chain.rpc, "\(error)"))
        }
    }
}
