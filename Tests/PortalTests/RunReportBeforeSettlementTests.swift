import Foundation
import PhaseRunner
import SessionReport
import Testing

/// `RunReport.data` of a run whose `report.json` is not written yet (cleared or validated, not
/// settled) counts each member's fills from `clearing.json` and the book: the same bought and
/// sold Wh as the settled report's.
@Suite struct RunReportBeforeSettlementTests {
    @Test func membersFillsWithoutTheSettlementReport() async throws {
        let folder = try await PortalFixture.shared.folder()
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("cer-unsettled-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: copy) }
        try FileManager.default.copyItem(at: folder, to: copy)
        try FileManager.default.removeItem(at: copy.appendingPathComponent("report.json"))

        let settled = try RunReport.data(folder)
        let unsettled = try RunReport.data(copy)
        #expect(unsettled.members.count == settled.members.count)
        #expect(settled.members.contains { $0.boughtWh > 0 } && settled.members.contains { $0.soldWh > 0 })
        for (before, after) in zip(unsettled.members, settled.members) {
            #expect(before.id == after.id)
            #expect(before.boughtWh == after.boughtWh, "\(before.id) bought")
            #expect(before.soldWh == after.soldWh, "\(before.id) sold")
            #expect(before.received == nil, "nothing is paid out before the settlement report")
        }
    }
}
