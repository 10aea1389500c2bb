import Foundation
import Hummingbird
import SessionReport

/// `GET /api/v1/sessions/{id}/report.html[?slot=N]`: the session report's page (the same
/// renderer as `cer-run report`: SVG charts, no scripts) drawn from the run's
/// `report-data.json`, with slot `N`'s supply and demand curves large — the portal shows it for
/// the member's own slots.
enum ReportPage {
    static func add(to router: Router<BasicRequestContext>, data: PortalData) {
        APIRoutes.get(router, "/api/v1/sessions/{id}/report.html") { request, context in
            let slot = try slotParameter(request.uri.queryParameters.get("slot"))
            let html = try data.reportPage(try context.parameters.require("id"), slot: slot)
            return .bytes(Array(html.utf8), contentType: "text/html; charset=utf-8")
        }
    }

    /// `?slot=`: a whole number, or absent.
    static func slotParameter(_ text: String?) throws(PortalError) -> Int? {
        guard let text else { return nil }
        guard let slot = Int(text), slot >= 0, slot < 1_000 else {
            throw .badRequest("slot=\(text) is not a slot number: give the slot index (0 for the first slot)")
        }
        return slot
    }
}

extension PortalData {
    /// The report page of session `id`; `slot` must be one of the session's slots.
    public func reportPage(_ id: String, slot: Int?) throws(PortalError) -> String {
        let bytes = try report(id)
        let report: SessionReportData
        do { report = try JSONDecoder().decode(SessionReportData.self, from: Data(bytes)) } catch {
            throw .unavailable(
                "the report-data.json of session \(id) does not decode (\(error)): rewrite it with `cer-run report`")
        }
        if let slot, !report.slots.contains(where: { $0.slot == slot }) {
            throw .notFound(
                "session \(id) has no slot \(slot): its slots are 0 to \(report.slots.count - 1); give one of them")
        }
        return SessionReportRenderer.html(report, selectedSlot: slot)
    }
}
