import Chain
import Foundation
import Market

extension Phases {
    /// Journal record of a chunk's composition, written before its transaction is signed.
    static let chunkRecord = "chunk"
    /// Journal record of a chunk whose transaction was mined reverted (its entries had no
    /// effect and go into later chunks).
    static let revertedChunkRecord = "chunk.reverted"

    /// Sends `keys` (stable names: member addresses or participant ids) in consecutive chunks,
    /// one transaction each, steps `<step>/<n>`, every chunk under `batching.max_gas`.
    ///
    /// The first chunk of a step starts with an `eth_estimateGas` probe of `probeSize` entries:
    /// a revert there stops the run with nothing sent. When the probe is far under the cap, the
    /// chunk grows to what the probe extrapolates to; later chunks are sized from the previous
    /// receipt (`planChunk`), without another estimate or dry run, since each runs the whole
    /// chunk again on the node. Each chunk's keys and gas limit are journaled (fsync) before its
    /// transaction is signed, so a resumed run sends exactly the chunks journaled, then chunks
    /// the rest the same way. A chunk mined reverted (an entry the extrapolation under-counted,
    /// state changed since the probe) had no effect: it is journaled as `chunk.reverted`, its
    /// entries go into later chunks, and from then on every chunk of the step is estimated first,
    /// so a bad entry stops the run with nothing more sent; a second reverted chunk in the step
    /// stops the run. The gas cap is `batching.max_gas`, at most the latest block's gas limit. `done` lists keys the chain already
    /// has (they are left out of new chunks); `proceed` is asked before each new chunk (false
    /// stops, e.g. when the session has moved on).
    @discardableResult
    static func sendChunked(
        _ c: RunContext, step: String, progress: String, keys: [String], done: Set<String> = [],
        sender: JournaledSender, to: Address, abi: ContractABI, proceed: () async throws -> Bool = { true },
        encode encodeKeys: ([String]) async throws -> [UInt8]
    ) async throws -> [JournaledSender.Outcome] {
        // Sizing a chunk encodes it, then it is sent: the last encoding is kept for the send (a
        // 1,000-member publication's calldata is megabytes of ABI encoding).
        var lastEncoding: (keys: [String], data: [UInt8])?
        func encode(_ keys: [String]) async throws -> [UInt8] {
            if let last = lastEncoding, last.keys == keys { return last.data }
            let data = try await encodeKeys(keys)
            lastEncoding = (keys, data)
            return data
        }
        // A chunk's gas limit never exceeds the block's: a transaction above it is never mined.
        var cap = c.manifest.batching.maxGas
        if !c.planning, let block = try await c.client.block(.latest), block.gasLimit > 0 {
            cap = min(cap, block.gasLimit)
        }
        var remaining = keys.filter { !done.contains($0) }
        var outcomes = [JournaledSender.Outcome]()
        var number = 0
        var size = probeSize
        var sent = 0
        /// What the last chunk mined cost, to size the next without a gas estimate.
        var cost: ChunkCost?
        /// After a reverted chunk: every new chunk is estimated.
        var estimateEach = false
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
                    c, name: name, candidates: remaining, size: size, cap: cap, cost: estimateEach ? nil : cost,
                    estimateEach: estimateEach, from: from, to: to, abi: abi, encode: encode)
                try c.journal.append(
                    chunkRecord,
                    [
                        "step": .string(name), "keys": .array(part.map { .string($0) }),
                        "gasLimit": gasLimit.map { .int(Int64($0)) } ?? .null,
                    ])
            }
            if journaled != nil, !c.journal.records(ofType: revertedChunkRecord, where: "step", is: name).isEmpty {
                // Journaled as mined reverted (after its receipt was confirmed): final, whether
                // or not the node still serves that receipt.
                estimateEach = true
                cost = nil
                number += 1
                continue
            }
            let data = try await encode(part)
            let outcome: JournaledSender.Outcome
            do {
                outcome = try await sender.ensure(step: name, to: to, data: data, gasLimit: gasLimit, abi: abi)
            } catch SendError.reverted(let hash, let receipt, let reason) where !estimateEach {
                // The first reverted chunk of a step; a second one (estimated, and still
                // reverted on chain) stops the run like any reverted transaction.
                try noteRevertedChunk(c, name: name, hash: hash, receipt: receipt, reason: reason)
                estimateEach = true
                cost = nil
                number += 1
                continue
            }
            outcomes.append(outcome)
            if !part.isEmpty, !outcome.planned {
                cost = ChunkCost(gasUsed: outcome.receipt.gasUsed, entries: part.count, bytes: data.count)
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

    /// Entries in the first probe of a step.
    static let probeSize = 16

    /// Journals (once) that chunk `name` was mined reverted, and warns.
    private static func noteRevertedChunk(
        _ c: RunContext, name: String, hash: [UInt8], receipt: Receipt, reason: RevertReason?
    ) throws {
        let why = reason.map { "\($0)" } ?? "no reason given"
        if c.journal.records(ofType: revertedChunkRecord, where: "step", is: name).isEmpty {
            try c.journal.append(
                revertedChunkRecord,
                [
                    "step": .string(name), "hash": .string(hash.hex), "gasUsed": .int(Int64(receipt.gasUsed)),
                    "reason": .string(why),
                ])
        }
        c.emit(
            .warning(
                "\(name): transaction \(hash.hex) was mined reverted (\(why), \(receipt.gasUsed) gas); "
                    + "its entries had no effect and go into the next chunks, each estimated first"))
    }

    /// What a mined chunk cost: gas used, entries and calldata bytes.
    struct ChunkCost {
        var gasUsed: UInt64
        var entries: Int
        var bytes: Int

        /// The gas `entries` entries in `bytes` of calldata are expected to need: the larger of
        /// the per-entry and the per-byte extrapolation (entries differ in size: members with
        /// many fills cost more than members with none).
        func expected(entries count: Int, bytes size: Int) -> UInt64 {
            let byEntry = gasUsed / UInt64(max(1, entries)) * UInt64(count)
            let byByte = gasUsed * UInt64(size) / UInt64(max(1, bytes))
            return max(byEntry, byByte)
        }
    }

    /// The next chunk from `candidates` and its gas limit (at most `cap`).
    ///
    /// With `cost` (the previous chunk's receipt) the chunk takes as many entries as are
    /// expected to need at most 60 % of the cap (`ChunkCost.expected`), with the cap as its gas
    /// limit: the margin covers entries up to 1.6 times costlier than extrapolated, and a
    /// transaction pays only the gas it uses. Otherwise `eth_estimateGas` decides (it runs the
    /// transaction two or more times on most nodes), on `size` entries first; a probe far under
    /// the cap grows the chunk by extrapolation from the probe, except when `estimateEach`,
    /// where the grown chunk is estimated again.
    private static func planChunk(
        _ c: RunContext, name: String, candidates: [String], size: Int, cap: UInt64, cost: ChunkCost?,
        estimateEach: Bool, from: Address, to: Address, abi: ContractABI,
        encode: ([String]) async throws -> [UInt8]
    ) async throws -> ([String], UInt64?) {
        if let cost, !c.planning {
            return try await extrapolated(candidates: candidates, cap: cap, cost: cost, encode: encode)
        }
        var count = min(max(1, size), candidates.count)
        var resized = false
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
                resized = true
                continue
            }
            if estimate > cap {
                throw RunnerError.input(
                    "\(name): one entry needs \(estimate) gas, more than batching.max_gas (\(cap)); raise the cap")
            }
            if !resized, count < candidates.count, estimate < cap * 4 / 10 {
                resized = true
                if !estimateEach {
                    let probe = ChunkCost(gasUsed: estimate, entries: count, bytes: data.count)
                    let grown = try await extrapolated(candidates: candidates, cap: cap, cost: probe, encode: encode)
                    if grown.0.count > count { return grown }
                } else {
                    let target = Int(UInt64(count) * (cap * 7 / 10) / max(estimate, 1))
                    if target > count {
                        count = min(candidates.count, target)
                        continue
                    }
                }
            }
            return (part, min(cap, estimate + estimate / 4))
        }
    }

    /// The longest prefix of `candidates` that `cost` expects to need at most 60 % of `cap`
    /// (at least one entry), with `cap` as its gas limit.
    private static func extrapolated(
        candidates: [String], cap: UInt64, cost: ChunkCost, encode: ([String]) async throws -> [UInt8]
    ) async throws -> ([String], UInt64) {
        let target = cap * 6 / 10
        let perEntry = max(1, cost.gasUsed / UInt64(max(1, cost.entries)))
        var count = Int(min(UInt64(candidates.count), max(1, target / perEntry)))
        while true {
            let part = Array(candidates.prefix(count))
            let data = try await encode(part)
            let expected = cost.expected(entries: count, bytes: data.count)
            if expected <= target || count == 1 {
                return (part, CrashHook.starveExtrapolatedChunks ? starvedLimit(data) : cap)
            }
            count = max(1, min(count - 1, Int(UInt64(count) * target / max(expected, 1))))
        }
    }

    /// The test hook's gas limit (`CER_RUN_TEST_STARVE_CHUNKS`): 2,000 above the calldata floor
    /// of EIP-7623 (21,000 + 10 per token, a token per zero byte and four per other byte), so the
    /// transaction is accepted and runs out of gas executing.
    private static func starvedLimit(_ data: [UInt8]) -> UInt64 {
        let tokens = data.reduce(UInt64(0)) { $0 + ($1 == 0 ? 1 : 4) }
        return 21_000 + 10 * tokens + 2_000
    }
}
