import ArgumentParser
import BigInt
import Chain
import Foundation
import Manifest
import PhaseRunner

/// `cer-run member …`: a member without a key in the manifest acts on its own, with a keystore.
struct MemberCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "member",
        abstract: "Act as a member with your own keystore: register, deposit, commit, reveal, execute, withdraw.",
        discussion: """
            Every transaction is journaled (default ~/.cer-run/members/<chain-id>/<address>.jsonl) \
            before it is sent: run a command again after an interruption and it finishes without \
            sending twice. The chain state is checked first; an action that makes no sense is refused \
            in plain words with exit code 2 and nothing is sent.
            """,
        subcommands: [Register.self, Deposit.self, Commit.self, Reveal.self, Execute.self, Withdraw.self, Status.self])

    /// Options every member subcommand takes.
    struct Common: ParsableArguments {
        @OptionGroup var node: AdminCommand.Node

        @Option(help: "Your encrypted keystore v3 file.")
        var keystore: String

        @OptionGroup var password: KeystoreCommand.PasswordOptions

        @Option(help: "Member journal (default $HOME/.cer-run/members/<chain-id>/<address>.jsonl).")
        var journal: String?

        @Option(help: "Token decimals (default: read from the token contract).")
        var decimals: Int?

        @OptionGroup var output: OutputOptions

        /// Decrypts the key and connects; bad input becomes `InputError` (exit 2).
        func connect() async throws -> MemberActions {
            let (url, market) = try node.parsed()
            let key: PrivateKey
            do {
                key = try Keystore.decrypt(file: URL(fileURLWithPath: keystore), password: try password.password())
            } catch let error as KeystoreError { throw InputError(error.description) }
            let settings = MemberSettings(
                rpc: url, chainID: node.chainID, marketplace: market, journal: journal.map { URL(fileURLWithPath: $0) },
                decimals: decimals)
            return MemberActions(try await MemberCommand.mapped { try await MemberConnection.open(settings, key: key) })
        }

        /// Runs an action and prints its outcome.
        func perform(_ action: @Sendable (MemberActions) async throws -> MemberOutcome) async throws {
            let actions = try await connect()
            let outcome = try await MemberCommand.mapped { try await action(actions) }
            show(outcome)
        }

        /// The transactions (with `--verbose`), then the outcome.
        func show(_ outcome: MemberOutcome) {
            let console = output.console()
            for hash in outcome.transactions { console.show(.detail("transaction \(hash)")) }
            console.result(outcome.message, outcome.json)
        }
    }

    /// Refusals (nothing sent) exit with 2; other failures with 1.
    static func mapped<T>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let error as MemberError {
            if error.nothingSent { throw InputError(error.description) }
            throw ActionFailed(error.description)
        }
    }

    /// Parses a token amount such as `5.00`.
    static func amount(_ text: String, decimals: Int) throws -> BigUInt {
        guard let value = DecimalAmount.parse(text, decimals: decimals) else {
            throw InputError(
                "\"\(text)\" is not an amount with at most \(decimals) decimals (write e.g. 5.00; no sign, no exponent)"
            )
        }
        return value
    }

    /// Today's date (UTC): the default reference of deposits and withdrawals.
    static var today: String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: Date())
    }

    struct Register: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register with the keccak256 of your signed adhesion document (the admin then approves).")
        @OptionGroup var common: Common
        @Option(help: "The signed adhesion document (its hash goes on chain, not the file).")
        var document: String

        func run() async throws {
            let url = URL(fileURLWithPath: document)
            try await common.perform { try await $0.register(document: url) }
        }
    }

    struct Deposit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Move tokens from your wallet into the marketplace (EIP-2612 permit when the token has it).")
        @OptionGroup var common: Common
        @Argument(help: "Amount in token units, e.g. 5.00.")
        var amount: String
        @Option(help: "Names this deposit in the journal; one deposit per reference (default: today's UTC date).")
        var ref: String?

        func run() async throws {
            let actions = try await common.connect()
            let value = try MemberCommand.amount(amount, decimals: actions.connection.decimals)
            let reference = ref ?? MemberCommand.today
            let outcome = try await MemberCommand.mapped {
                try await actions.deposit(amount: value, reference: reference)
            }
            common.show(outcome)
        }
    }

    struct Commit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Seal your orders for a session: journal orders and salt, then send the commitment.")
        @OptionGroup var common: Common
        @Option(help: "Session id.")
        var session: UInt64
        @Option(help: "Orders file: YAML list of {slot, side, kwh, price} or CSV slot,side,kwh,price.")
        var orders: String

        func run() async throws {
            let (id, file) = (session, orders)
            try await common.perform { try await $0.commit(session: id, ordersFile: file) }
        }
    }

    struct Reveal: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Reveal the orders journaled for your commitment (between the commit and reveal deadlines).")
        @OptionGroup var common: Common
        @Option(help: "Session id.")
        var session: UInt64

        func run() async throws {
            let id = session
            try await common.perform { try await $0.reveal(session: id) }
        }
    }

    struct Execute: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Collect what your validated fills earned in a session.")
        @OptionGroup var common: Common
        @Option(help: "Session id.")
        var session: UInt64

        func run() async throws {
            let id = session
            try await common.perform { try await $0.execute(session: id) }
        }
    }

    struct Withdraw: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Withdraw available funds from the marketplace to your wallet.")
        @OptionGroup var common: Common
        @Argument(help: "Amount in token units, e.g. 5.00 (or --all).")
        var amount: String?
        @Flag(help: "Withdraw everything available.")
        var all = false
        @Option(help: "Names this withdrawal in the journal; one per reference (default: today's UTC date).")
        var ref: String?

        func validate() throws {
            if (amount == nil) == !all { throw ValidationError("give an AMOUNT or --all (one of them)") }
        }

        func run() async throws {
            let actions = try await common.connect()
            let value = try amount.map { try MemberCommand.amount($0, decimals: actions.connection.decimals) }
            let reference = ref ?? MemberCommand.today
            let outcome = try await MemberCommand.mapped {
                try await actions.withdraw(amount: value, reference: reference)
            }
            common.show(outcome)
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Your membership, funds and (with --session) participation: committed, revealed, cleared…")
        @OptionGroup var common: Common
        @Option(help: "Session id.")
        var session: UInt64?

        func run() async throws {
            let actions = try await common.connect()
            let id = session
            let report = try await MemberCommand.mapped { try await actions.status(session: id) }
            let now = try await actions.connection.chainTime()
            let console = common.output.console()
            let lines = report.lines(decimals: actions.connection.decimals, chainTime: now)
            console.result(lines.joined(separator: "\n"), report.json)
        }
    }
}

/// A failure after something may have been sent (exit 1), with its message.
struct ActionFailed: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
