import Chain
import Foundation
import Manifest
import Market
import Validation

/// The inputs a run used, stored next to the journal so that the run folder is self-contained:
/// `cer-run replay` recomputes every off-chain step from them on a machine that never saw the
/// chain. Each file is canonical JSON (sorted keys, no spaces, amounts as decimal strings) and
/// its keccak-256 is journaled with the step that used it.
public enum RunSnapshots {
    /// `resolved-<manifest hash>.json`: the manifest as the run resolved it (deadlines, slots,
    /// amounts), one per manifest the run used, next to `manifest-<hash>.json`.
    public static func resolvedFile(_ manifestHash: String) -> String { "resolved-\(manifestHash).json" }
    /// `reveals.json`: the members that committed and the revealed orders and salts, in the
    /// order of the chain's events (the clearing's input and the order a replay reveals in).
    public static let revealsFile = "reveals.json"
    /// `meters.json`: the meter day validation used, aggregated into slots.
    public static let metersFile = "meters.json"

    /// The resolution of a manifest: what a manifest means once `{date}`, DST and the
    /// deadlines are worked out. Orders are not part of it (`reveals.json` holds what was
    /// revealed).
    public static func resolved(_ m: SessionManifest) -> JSONValue {
        func s<T: BinaryInteger>(_ v: T) -> JSONValue { .string(String(v)) }
        var validation: JSONValue = .null
        if let v = m.validation {
            validation = [
                "sellerPenaltyPerKWh": s(v.sellerPenaltyPerKWh), "buyerPenaltyPerKWh": s(v.buyerPenaltyPerKWh),
                "toleranceWh": s(v.toleranceWh), "tolerancePerMille": s(v.tolerancePerMille),
                "attribution": .string(v.attribution == .validated ? "validated" : "own-meter"),
            ]
        }
        return [
            "version": "cer-resolved/1",
            "manifestHash": .string(m.canonicalHash.hex),
            "session": [
                "id": .string(m.session.id), "community": .string(m.session.community),
                "timeZone": .string(m.session.timeZone), "deliveryDay": .string(m.session.deliveryDay.description),
                "slotMinutes": s(m.session.slotMinutes), "slots": s(m.session.slots),
                "deliveryStart": s(m.session.deliveryStart), "tokenDecimals": s(m.session.tokenDecimals),
                "deposit": s(m.session.deposit), "sellerBondPerKWh": s(m.session.sellerBondPerKWh),
            ],
            "deadlines": ["commit": s(m.deadlines.commit), "reveal": s(m.deadlines.reveal)],
            "participants": .array(
                m.participants.map {
                    [
                        "id": .string($0.id), "address": .string($0.address.hex), "pod": .string($0.pod),
                        "role": .string($0.role.rawValue), "agent": .bool($0.key != nil),
                    ]
                }),
            "clearing": ["plugin": .string(m.clearing.plugin), "params": m.clearing.params],
            "validation": validation,
            "settlement": ["mode": .string(m.settlement.mode.rawValue), "withdraw": .bool(m.settlement.withdraw)],
        ]
    }

    /// What was committed and revealed in a session.
    public struct Reveals: Sendable, Equatable {
        /// Members that committed, in commitment order.
        public var committed: [Address]
        /// Revealed orders and salts, in reveal order.
        public var revealed: [RevealedEntry]

        /// What was committed and revealed, in the chain's event order.
        public init(committed: [Address], revealed: [RevealedEntry]) {
            self.committed = committed
            self.revealed = revealed
        }

        /// One member's `OrdersRevealed`: its orders (fills index them) and its salt.
        public struct RevealedEntry: Sendable, Equatable {
            public var member: Address
            public var orders: [MarketOrder]
            public var salt: [UInt8]

            /// A revealed member.
            public init(member: Address, orders: [MarketOrder], salt: [UInt8]) {
                self.member = member
                self.orders = orders
                self.salt = salt
            }
        }

        /// The revealed members as the clearing and the audit see them.
        public var book: [RevealedMember] {
            revealed.map { RevealedMember(address: $0.member, orders: $0.orders, salt: $0.salt) }
        }

        /// `reveals.json`'s content (`cer-reveals/1`): addresses lowercase hex, quantities and
        /// prices decimal strings, salts hex.
        public var json: JSONValue {
            [
                "version": "cer-reveals/1",
                "committed": .array(committed.map { .string($0.hex) }),
                "revealed": .array(
                    revealed.map { entry in
                        [
                            "member": .string(entry.member.hex), "salt": .string(entry.salt.hex),
                            "orders": .array(entry.orders.map(RunSnapshots.orderJSON)),
                        ]
                    }),
            ]
        }

        /// Reads `reveals.json`; an error names `file` and the field.
        public init(json: JSONValue, file: String) throws(RunnerError) {
            func bad(_ path: String) -> RunnerError {
                .input("\(file): \(path) is missing or malformed; restore the file from the run's backup")
            }
            guard json["version"]?.stringValue == "cer-reveals/1" else { throw bad("version") }
            guard let committed = json["committed"]?.arrayValue, let revealed = json["revealed"]?.arrayValue else {
                throw bad("committed/revealed")
            }
            var members = [Address]()
            for (i, item) in committed.enumerated() {
                guard let text = item.stringValue, let a = try? Address(text) else { throw bad("committed[\(i)]") }
                members.append(a)
            }
            var entries = [RevealedEntry]()
            for (i, item) in revealed.enumerated() {
                guard let text = item["member"]?.stringValue, let member = try? Address(text) else {
                    throw bad("revealed[\(i)].member")
                }
                guard let saltText = item["salt"]?.stringValue, let salt = try? Hex.decode(saltText, count: 32) else {
                    throw bad("revealed[\(i)].salt")
                }
                guard let orders = item["orders"]?.arrayValue else { throw bad("revealed[\(i)].orders") }
                var parsed = [MarketOrder]()
                for (k, o) in orders.enumerated() {
                    guard let order = RunSnapshots.order(o) else { throw bad("revealed[\(i)].orders[\(k)]") }
                    parsed.append(order)
                }
                entries.append(RevealedEntry(member: member, orders: parsed, salt: salt))
            }
            self.init(committed: members, revealed: entries)
        }
    }

    static func orderJSON(_ o: MarketOrder) -> JSONValue {
        [
            "slot": .int(Int64(o.slot)), "side": .string(o.side == .buy ? "buy" : "sell"),
            "quantityWh": .string(String(o.quantityWh)), "limitPrice": .string(String(o.limitPrice)),
        ]
    }

    static func order(_ o: JSONValue) -> MarketOrder? {
        guard case .int(let slot)? = o["slot"], (0...Int64(UInt16.max)).contains(slot),
            let q = o["quantityWh"]?.stringValue.flatMap({ UInt64($0) }),
            let p = o["limitPrice"]?.stringValue.flatMap({ UInt64($0) })
        else { return nil }
        let side: OrderSide
        switch o["side"]?.stringValue {
        case "buy": side = .buy
        case "sell": side = .sell
        default: return nil
        }
        return MarketOrder(slot: UInt16(slot), side: side, quantityWh: q, limitPrice: p)
    }

    /// The meter day as canonical JSON: per POD, one withdrawal and one injection value (Wh)
    /// per slot, and the meter-data warnings the aggregation raised.
    public static func metersJSON(_ day: MeterDay, warnings: [String]) -> JSONValue {
        var pods = [String: JSONValue]()
        for pod in day.pods {
            pods[pod] = [
                "withdrawalWh": .array((day.withdrawalWh[pod] ?? []).map { .string(String($0)) }),
                "injectionWh": .array((day.injectionWh[pod] ?? []).map { .string(String($0)) }),
            ]
        }
        return [
            "version": "cer-meters/1", "dayStart": .string(String(day.dayStart)),
            "slotLength": .string(String(day.slotLength)), "slotCount": .int(Int64(day.slotCount)),
            "pods": .object(pods), "warnings": .array(warnings.map { .string($0) }),
        ]
    }

    /// Reads `metersJSON` back; errors name the field.
    public static func meterDay(_ json: JSONValue, file: String) throws(RunnerError) -> MeterDay {
        func bad(_ path: String) -> RunnerError {
            .input("\(file): \(path) is missing or malformed (whole numbers of Wh as decimal strings)")
        }
        guard json["version"]?.stringValue == "cer-meters/1" else { throw bad("version") }
        guard let dayStart = json["dayStart"]?.stringValue.flatMap({ Int64($0) }) else { throw bad("dayStart") }
        guard let slotLength = json["slotLength"]?.stringValue.flatMap({ Int64($0) }), slotLength > 0 else {
            throw bad("slotLength")
        }
        guard case .int(let count)? = json["slotCount"], (1...10_000).contains(count) else { throw bad("slotCount") }
        guard let pods = json["pods"]?.objectValue else { throw bad("pods") }
        var withdrawal = [String: [UInt64]]()
        var injection = [String: [UInt64]]()
        for (pod, values) in pods {
            for (key, path) in [
                ("withdrawalWh", "pods.\(pod).withdrawalWh"), ("injectionWh", "pods.\(pod).injectionWh"),
            ] {
                guard let list = values[key]?.arrayValue, list.count == Int(count) else {
                    throw bad("\(path) (\(count) values expected)")
                }
                var numbers = [UInt64]()
                for (slot, v) in list.enumerated() {
                    guard let n = v.stringValue.flatMap({ UInt64($0) }) else { throw bad("\(path)[\(slot)]") }
                    numbers.append(n)
                }
                if key == "withdrawalWh" { withdrawal[pod] = numbers } else { injection[pod] = numbers }
            }
        }
        return MeterDay(
            dayStart: dayStart, slotLength: slotLength, slotCount: Int(count), withdrawalWh: withdrawal,
            injectionWh: injection)
    }

    /// Writes `value`'s canonical text durably; returns its keccak-256 (hex).
    @discardableResult
    static func write(_ value: JSONValue, _ name: String, in folder: URL) throws -> String {
        let data = Data(value.jsonText.utf8)
        try DurableFile.write(data, to: folder.appendingPathComponent(name))
        return Keccak256.hash(Array(data)).hex
    }
}
