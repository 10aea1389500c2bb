import Chain
import Foundation
import Market

extension Phases {
    /// Journal record of a chunk's composition, written before its transaction is signed.
    static let chunkRecord = "chunk"

    /// Sends `keys` (stable names: member addresses or participant ids) in consecutive chunks,
    /// one transaction each, steps `<step>/<n>`, every chunk under `batching.max_gas`.
    ///
    /// A new chunk is sized by `eth_estimateGas`: it starts at the previous chunk's size (32 at
    /// first), grows once towards 80 % of the cap when far under it, and is cut down until under
    /// the cap (an entry that alone exceeds the cap is an error naming the step; nothing is sent).
    /// Its keys and gas limit are journaled (fsync) before the transaction is signed, so a
    /// resumed run sends exactly the chunks journaled, then chunks the rest the same way.
    /// `done` lists keys the chain already has (they are left out of new chunks); `proceed` is
    /// asked before each new chunk (false stops, e.g. when the session has moved on).
    @discardableResult
    static func sendChunked(
        _ c: RunContext, step: String, progress: String, keys: [String], done: Set<String> = [],
        sender: JournaledSender, to: Address, abi: ContractABI, proceed: () async throws -> Bool = { true },
        encode: ([String]) async throws -> [UInt8]
    ) async throws -> [JournaledSender.Outcome] {
        let cap = c.manifest.batching.maxGas
        var remaining = keys.filter { !done.contains($0) }
        var outcomes = [JournaledSender.Outcome]()
        var number = 0
        var size = 32
        var sent = 0
        /// Gas per entry of the last chunk mined (its receipt), to size the next without a
        /// gas estimate.
        var perEntry: UInt64?
        let from = await sender.sender.address
        while true {
            let name = "\(step)/\(number)"
            let journaled = c.journal.records(ofType: chunkRecord, where: "step", is: name).last
            if journaled == nil, remaining.isEmpty { break }
            var part: [String]
            var gasLimit: UInt64?
            if let journaled {
                part = journaled.data["keys"]?.arrayValue?.compactMap(\.stringValue) ?? []
                if case .int(let gas)? = journaled.data["gasLimit"] { gasLimit = UInt64(gas) }
            } else {
                guard try await proceed() else { break }
                (part, gasLimit) = try await planChunk(
                    c, name: name, candidates: remaining, size: size, cap: cap, perEntry: perEntry, from: from, to: to,
                    abi: abi, encode: encode)
                try c.journal.append(
                    chunkRecord,
                    [
                        "step": .string(name), "keys": .array(part.map { .string($0) }),
                        "gasLimit": gasLimit.map { .int(Int64($0)) } ?? .null,
                    ])
            }
            let data = try await encode(part)
            let outcome = try await sender.ensure(step: name, to: to, data: data, gasLimit: gasLimit, abi: abi)
            outcomes.append(outcome)
            if !part.isEmpty, !outcome.planned {
                perEntry = outcome.receipt.gasUsed / UInt64(part.count) + 1
            }
            let members = Set(part)
            remaining.removeAll { members.contains($0) }
            sent += part.count
            size = max(1, part.count)
            number += 1
            c.emit(.progress(phase: progress, done: sent, total: sent + remaining.count))
        }
        return outcomes
    }

    /// The next chunk from `candidates` and its gas limit (at most `cap`).
    ///
    /// With `perEntry` (the gas per entry of the previous chunk's receipt) the chunk is sized
    /// from it and its limit — 30 % over the extrapolation — is checked with one `eth_call` at
    /// that gas: a call that succeeds with that gas means the transaction will, on the same
    /// state (the operator is the only writer of these steps). Otherwise, or when that call
    /// fails, `eth_estimateGas` decides (it runs the transaction several times on most nodes).
    private static func planChunk(
        _ c: RunContext, name: String, candidates: [String], size: Int, cap: UInt64, perEntry: UInt64?,
        from: Address, to: Address, abi: ContractABI, encode: ([String]) async throws -> [UInt8]
    ) async throws -> ([String], UInt64?) {
        if let perEntry, !c.planning {
            let count = Int(min(UInt64(candidates.count), max(1, (cap * 7 / 10) / (perEntry * 13 / 10))))
            let part = Array(candidates.prefix(count))
            let limit = min(cap, UInt64(count) * perEntry * 13 / 10 + 30_000)
            let data = try await encode(part)
            if (try? await c.client.call(CallRequest(from: from, to: to, data: data, gas: limit))) != nil {
                return (part, limit)
            }
        }
        var count = min(max(1, size), candidates.count)
        var grown = false
        while true {
            let part = Array(candidates.prefix(count))
            let data = try await encode(part)
            if c.planning { return (part, nil) }
            let estimate: UInt64
            do {
                estimate = try await c.client.estimateGas(CallRequest(from: from, to: to, data: data))
            } catch let error {
                if let revert = error.revertData {
                    throw SendError.wouldRevert(RevertReason(data: revert, errors: abi.errors))
                }
                throw error
            }
            if estimate > cap * 8 / 10 && count > 1 {
                // Over the target: scale down in proportion (at least halving's worth of progress).
                count = max(1, min(count / 2, Int(UInt64(count) * (cap * 7 / 10) / max(estimate, 1))))
                grown = true
                continue
            }
            if estimate > cap {
                throw RunnerError.input(
                    "\(name): one entry needs \(estimate) gas, more than batching.max_gas (\(cap)); raise the cap")
            }
            if !grown, count < candidates.count, estimate < cap * 4 / 10 {
                grown = true
                let target = Int(UInt64(count) * (cap * 7 / 10) / max(estimate, 1))
                if target > count {
                    count = min(candidates.count, target)
                    continue
                }
            }
            return (part, min(cap, estimate + estimate / 4))
        }
    }
}
