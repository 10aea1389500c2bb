import ArgumentParser
import Chain
import Foundation
import Market
import PhaseRunner

/// `cer-run admin …`: the community admin's operations on members.
struct AdminCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admin", abstract: "Administer the community's members (approve, reject, suspend, reinstate).",
        subcommands: [Members.self])

    /// The node and the marketplace (every `admin` and `member` subcommand).
    struct Node: ParsableArguments {
        @Option(help: "JSON-RPC endpoint of the node.")
        var rpc: String = "http://127.0.0.1:8545"

        @Option(name: .customLong("chain-id"), help: "Chain id the node must report.")
        var chainID: UInt64

        @Option(help: "Address of the Marketplace contract.")
        var marketplace: String

        /// The parsed endpoint and marketplace; bad input is `InputError` (exit 2).
        func parsed() throws -> (rpc: URL, marketplace: Address) {
            guard let url = URL(string: rpc), url.scheme != nil else { throw InputError("--rpc \(rpc) is not a URL") }
            do { return (url, try Address(marketplace)) } catch {
                throw InputError("--marketplace \(marketplace): \(error)")
            }
        }

        /// A client of the node, checked to report `--chain-id` and to hold a contract at `--marketplace`.
        func client() async throws -> (EthClient, Address) {
            let (url, market) = try parsed()
            let client = EthClient(url: url)
            let reported: UInt64
            do { reported = try await client.chainID() } catch {
                throw InputError("cannot reach the node at \(url.absoluteString): \(error)")
            }
            guard reported == chainID else {
                throw InputError(
                    "the node at \(url.absoluteString) reports chain id \(reported), not \(chainID); check --rpc and --chain-id"
                )
            }
            guard try await !client.code(at: market).isEmpty else {
                throw InputError("no contract at \(market.checksummed) on chain \(reported); check --marketplace")
            }
            return (client, market)
        }
    }

    /// The admin's key and journal (the changing subcommands).
    struct Key: ParsableArguments {
        @Option(help: "The admin's encrypted keystore v3 file.")
        var keystore: String

        @OptionGroup var password: KeystoreCommand.PasswordOptions

        @Option(help: "Admin journal (default ~/.cer-run/admin/<chain-id>/<address>.jsonl).")
        var journal: String?
    }

    /// Admin refusals (nothing sent) exit with 2; other failures with 1.
    static func mapped<T>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let error as AdminError {
            if error.nothingSent { throw InputError(error.description) }
            throw ActionFailed(error.description)
        }
    }

    struct Members: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "members", abstract: "List members; approve, reject, suspend or reinstate them.",
            discussion: """
                Changes are signed with the admin keystore and journaled (default \
                ~/.cer-run/admin/<chain-id>/<address>.jsonl) before they are sent: run a command again \
                after an interruption and it finishes without sending twice. A member already in the \
                target status is reported and nothing is sent. A change its status does not allow, or a \
                bad address, stops the whole command with exit code 2 before anything is sent (only a \
                change an interrupted earlier run had signed is finished first). See docs/admin.md.
                """,
            subcommands: [List.self, Approve.self, Reject.self, Suspend.self, Reinstate.self])
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Registered members with their status, adhesion document hash and registration time (no key).")
        @OptionGroup var node: Node
        @Option(help: "Only members with this status: pending, active, suspended or rejected.")
        var status: String?
        @Option(
            name: .customLong("from-block"),
            help: "First block of the log queries (best: the marketplace's deployment block).")
        var fromBlock: UInt64 = 0
        @OptionGroup var output: OutputOptions

        func run() async throws {
            var filter: MemberStatus?
            if let status {
                guard let parsed = MemberDirectory.status(named: status), parsed != .none else {
                    throw InputError("--status \(status): use pending, active, suspended or rejected")
                }
                filter = parsed
            }
            let (client, market) = try await node.client()
            let entries = try await AdminCommand.mapped {
                try await MemberDirectory.list(
                    client: client, marketplace: market, fromBlock: fromBlock, status: filter)
            }
            let console = output.console()
            if output.json {
                for entry in entries { console.result("", entry.json) }
                return
            }
            var lines = entries.map { entry in
                [
                    entry.address.checksummed, MemberDirectory.statusName(entry.status).padding(9),
                    MemberText.time(entry.registeredAt), "block \(entry.registeredBlock)", entry.adhesionHash.hex,
                ].joined(separator: "  ")
            }
            let what = filter.map { " " + MemberDirectory.statusName($0) } ?? ""
            lines.append(entries.count == 1 ? "1\(what) member" : "\(entries.count)\(what) members")
            console.lines(lines)
        }
    }

    /// What every changing subcommand takes: the node, the key, the addresses, the output.
    struct Change: ParsableArguments {
        @OptionGroup var node: Node
        @OptionGroup var key: Key
        @Argument(help: "Member addresses (0x…; several in one call).")
        var addresses: [String]
        @OptionGroup var output: OutputOptions

        func validate() throws {
            if addresses.isEmpty { throw ValidationError("give at least one member ADDRESS") }
        }

        /// Checks every address and every member's status first (exit 2, nothing sent, on any
        /// problem), then applies `action` to each, printing each outcome as it comes.
        func perform(_ action: AdminAction) async throws {
            var members = [Address]()
            var bad = [String]()
            for text in addresses {
                do {
                    let address = try Address(text)
                    if !members.contains(address) { members.append(address) }
                } catch { bad.append("\(text) is not an address: \(error)") }
            }
            guard bad.isEmpty else { throw InputError(bad.joined(separator: "\n") + "\nnothing was sent") }
            let (url, market) = try node.parsed()
            let secret: PrivateKey
            do {
                secret = try Keystore.decrypt(
                    file: URL(fileURLWithPath: key.keystore), password: try key.password.password())
            } catch let error as KeystoreError { throw InputError(error.description) }
            let journal = key.journal.map { URL(fileURLWithPath: $0) }
            let settings = MemberSettings(rpc: url, chainID: node.chainID, marketplace: market, journal: journal)
            let actions = try await AdminCommand.mapped {
                try await AdminActions.open(settings, key: secret)
            }
            // What an earlier run signed and never saw confirmed is finished first; when it was
            // this very request's change, that is its outcome.
            let console = output.console()
            for earlier in try await AdminCommand.mapped({ try await actions.finishEarlier() }) {
                show(earlier, console)
                if earlier.action == action { members.removeAll { $0 == earlier.member } }
            }
            var impossible = [String]()
            for member in members {
                do { try await actions.check(action, to: member) } catch let error as AdminError {
                    guard case .impossible = error else { throw InputError(error.description) }
                    impossible.append(error.description)
                }
            }
            guard impossible.isEmpty else {
                let text = impossible.map { $0.replacingOccurrences(of: "; nothing was sent", with: "") }
                throw InputError(text.joined(separator: "\n") + "\nnothing was sent")
            }
            for member in members {
                show(try await AdminCommand.mapped { try await actions.apply(action, to: member) }, console)
            }
        }

        /// The outcome's message (and journal step with `--verbose`), or its JSON with the step.
        func show(_ outcome: AdminOutcome, _ console: Console) {
            var json = outcome.json
            if let step = outcome.step, case .object(var fields) = json {
                if !output.json { console.show(.detail("journal step \(step)")) }
                fields["step"] = .string(step)
                json = .object(fields)
            }
            console.result(outcome.message, json)
        }
    }

    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Approve pending members (they become active).")
        @OptionGroup var change: Change
        func run() async throws { try await change.perform(.approve) }
    }

    struct Reject: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Reject pending members (they may register again).")
        @OptionGroup var change: Change
        func run() async throws { try await change.perform(.reject) }
    }

    struct Suspend: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Suspend active members (they cannot trade until reinstated).")
        @OptionGroup var change: Change
        func run() async throws { try await change.perform(.suspend) }
    }

    struct Reinstate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Reinstate suspended members (active again).")
        @OptionGroup var change: Change
        func run() async throws { try await change.perform(.reinstate) }
    }
}

extension String {
    /// The string padded with spaces to `width` characters.
    fileprivate func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
