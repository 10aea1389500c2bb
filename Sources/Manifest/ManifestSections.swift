import BigInt
import Chain
import ClearingPlugins
import Foundation
import Market

extension ManifestParser {
    static func parseSession(_ f: YAMLField) -> SessionManifest.Session? {
        guard f.isPresent else {
            f.fail("missing", hint: "add a `session:` section with id, community, timezone, delivery_day")
            return nil
        }
        f.checkKeys([
            "id", "community", "timezone", "delivery_day", "slot_minutes", "token_decimals", "deposit",
            "seller_bond_per_kwh",
        ])
        let id = f["id"].string()
        if let id, id.contains("{") {
            f["id"].fail("unresolved template in \"\(id)\"", hint: "only {date} is substituted")
        }
        let community = f["community"].string()
        let zoneName = f["timezone"].string(hint: "an IANA zone such as Europe/Rome")
        let zone = zoneName.flatMap { TimeZone(identifier: $0) }
        if let zoneName, zone == nil {
            f["timezone"].fail("unknown time zone \"\(zoneName)\"", hint: "an IANA zone such as Europe/Rome")
        }
        let dayText = f["delivery_day"].string(hint: "YYYY-MM-DD, or \"{date}\" with --date")
        var day: DeliveryCalendar.Day?
        if let dayText {
            if dayText.contains("{date}") {
                f["delivery_day"].fail("{date} is not set", hint: "pass --date YYYY-MM-DD (default: tomorrow)")
            } else if let parsed = DeliveryCalendar.Day(dayText) {
                day = parsed
            } else {
                f["delivery_day"].fail("\"\(dayText)\" is not a date", hint: "YYYY-MM-DD")
            }
        }
        let slotMinutes = f["slot_minutes"].isPresent ? f["slot_minutes"].integer() : 60
        if let slotMinutes, slotMinutes != 60 && slotMinutes != 15 {
            f["slot_minutes"].fail("slots of \(slotMinutes) minutes are not supported", hint: "60 or 15")
        }
        let decimals = f["token_decimals"].isPresent ? f["token_decimals"].integer(range: 0...18) : 6
        let deposit = amount(f["deposit"], decimals: decimals, limit: BigUInt(1) << 128)
        let bond = amount(f["seller_bond_per_kwh"], decimals: decimals, limit: BigUInt(1) << 64)
        guard let id, let community, let zone, let day, let slotMinutes, slotMinutes == 60 || slotMinutes == 15,
            let decimals, let deposit, let bond
        else { return nil }
        let calendar = DeliveryCalendar(timeZone: zone)
        guard let start = calendar.startOfDay(day), let length = calendar.length(of: day) else {
            f["delivery_day"].fail("\(day) does not exist in \(zone.identifier)")
            return nil
        }
        return SessionManifest.Session(
            id: id, community: community, timeZone: zone.identifier, deliveryDay: day, slotMinutes: slotMinutes,
            slots: Int(length / Int64(slotMinutes * 60)), deliveryStart: start, tokenDecimals: decimals,
            deposit: deposit, sellerBondPerKWh: bond)
    }

    /// A token amount written as decimal text ("5", "0.05"), converted exactly to base units.
    static func amount(_ f: YAMLField, decimals: Int?, limit: BigUInt) -> BigUInt? {
        guard let text = f.string(hint: "a token amount such as 5.00"), let decimals else { return nil }
        guard let value = DecimalAmount.parse(text, decimals: decimals) else {
            f.fail(
                "\"\(text)\" is not an amount with at most \(decimals) decimals",
                hint: "write digits with an optional point, e.g. 0.05; no sign, no exponent")
            return nil
        }
        guard value < limit else {
            f.fail(
                "\(text) is too large for the contract",
                hint: "below \(DecimalAmount.format(limit, decimals: decimals))")
            return nil
        }
        return value
    }

    static func parseChain(_ f: YAMLField, session: SessionManifest.Session?) -> SessionManifest.ChainSettings? {
        guard f.isPresent else {
            f.fail("missing", hint: "`chain: {dev: true}` for the local dev chain, or rpc and chain_id")
            return nil
        }
        f.checkKeys(["dev", "rpc", "chain_id", "confirmations", "tx_type", "gas_price", "genesis_time"])
        let chainID = f["chain_id"].isPresent ? f["chain_id"].integer(range: 1...Int(Int32.max)).map(UInt64.init) : nil
        if f["dev"].isPresent, f["dev"].bool() == true {
            if f["rpc"].isPresent { f["rpc"].fail("`rpc` and `dev: true` exclude each other") }
            var genesis: Int64?
            if f["genesis_time"].isPresent, let session {
                genesis = deadline(f["genesis_time"], session: session)
                if genesis == nil { return nil }
            }
            return .dev(chainID: chainID ?? 1337, genesisTime: genesis)
        }
        if f["genesis_time"].isPresent { f["genesis_time"].fail("only a dev chain has a genesis time to choose") }
        guard let url = f["rpc"].string(hint: "the node's JSON-RPC URL, or `dev: true`") else { return nil }
        if URL(string: url)?.scheme.map({ ["http", "https"].contains($0) }) != true {
            f["rpc"].fail("\"\(url)\" is not an http(s) URL")
        }
        if !f["chain_id"].isPresent { f["chain_id"].fail("missing", hint: "the chain id the node must report") }
        let confirmations = f["confirmations"].isPresent ? f["confirmations"].integer(range: 1...64) : 1
        let txType = f["tx_type"].choice(["eip1559", "legacy"], required: false) ?? "eip1559"
        var gasPrice: SessionManifest.GasPrice? = .auto
        if let text = f["gas_price"].string(required: false) {
            switch text {
            case "auto": gasPrice = .auto
            case "zero": gasPrice = .zero
            default:
                if let wei = DecimalAmount.parse(text, decimals: 0) {
                    gasPrice = .fixed(wei: wei)
                } else {
                    f["gas_price"].fail("\"\(text)\" is not auto, zero or a price in wei")
                    gasPrice = nil
                }
            }
        }
        guard let chainID, let confirmations, let gasPrice, let type = SessionManifest.TransactionType(rawValue: txType)
        else { return nil }
        return .rpc(url: url, chainID: chainID, confirmations: confirmations, transactionType: type, gasPrice: gasPrice)
    }

    static func parseContracts(_ f: YAMLField) -> SessionManifest.ContractsSettings? {
        guard f.isPresent else {
            f.fail("missing", hint: "`contracts: {deploy: true}` or the marketplace address")
            return nil
        }
        f.checkKeys(["deploy", "marketplace", "token"])
        if f["deploy"].bool(required: false) == true {
            if f["marketplace"].isPresent {
                f["marketplace"].fail("`marketplace` and `deploy: true` exclude each other")
            }
            return .deploy
        }
        guard let marketplace = address(f["marketplace"]) else { return nil }
        let token = f["token"].isPresent ? address(f["token"]) : nil
        return .existing(marketplace: marketplace, token: token)
    }

    static func address(_ f: YAMLField) -> Address? {
        guard let text = f.string(hint: "a 0x-prefixed 20-byte address") else { return nil }
        do { return try Address(text) } catch {
            f.fail("\(error)")
            return nil
        }
    }

    static func parseKey(_ f: YAMLField, isDev: Bool, required: Bool) -> SessionManifest.KeySource? {
        guard f.isPresent else {
            if required { f.fail("missing", hint: "a keystore file with password_env or password_file") }
            return nil
        }
        f.checkKeys(["keystore", "password_env", "password_file", "dev_account"])
        if f["dev_account"].isPresent {
            guard isDev else {
                f["dev_account"].fail("dev accounts are allowed only with `chain: {dev: true}`", hint: "use a keystore")
                return nil
            }
            return f["dev_account"].integer(range: 0...99_999).map { .devAccount(index: $0) }
        }
        guard let path = f["keystore"].string(hint: "path to an encrypted keystore v3 file") else { return nil }
        switch (f["password_env"].string(required: false), f["password_file"].string(required: false)) {
        case (let env?, nil): return .keystore(path: path, password: .environment(env))
        case (nil, let file?): return .keystore(path: path, password: .file(file))
        case (nil, nil):
            f.fail("no password source", hint: "add password_env: VAR or password_file: path")
            return nil
        default:
            f["password_file"].fail("give password_env or password_file, not both")
            return nil
        }
    }

    static func parsePlugin(_ f: YAMLField) -> SessionManifest.PluginSettings? {
        guard f.isPresent else {
            f.fail("missing", hint: "e.g. `clearing: {plugin: uniform-price}`")
            return nil
        }
        f.checkKeys(["plugin", "params"])
        guard let plugin = f["plugin"].string(hint: "a built-in name, exec:COMMAND or http:URL") else { return nil }
        let params = f["params"].isPresent ? json(f["params"].node!, issues: f.issues) : .object([:])
        if f["params"].isPresent, params.objectValue == nil { f["params"].fail("expected a mapping of parameters") }
        if let problem = ClearingPlugin.nameProblem(plugin) {
            f["plugin"].fail(problem)
        } else if params.objectValue != nil {
            do { _ = try ClearingPlugin.resolve(plugin, params: params) } catch {
                // "params.k" → the `k` entry if written, else the params mapping (or the plugin).
                let key = error.path.hasPrefix("params.") ? String(error.path.dropFirst(7)) : nil
                let field =
                    key.map { f["params"][$0].isPresent ? f["params"][$0] : f["params"] } ?? f["plugin"]
                (field.isPresent ? field : f["plugin"]).fail(error.problem)
            }
        }
        return .init(plugin: plugin, params: params)
    }
}
