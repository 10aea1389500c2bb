import Foundation

/// Reads a manifest file and checks the files it references (adhesion documents, keystores,
/// order CSVs, password files) relative to the manifest's folder. The only I/O of the module.
public enum ManifestLoader {
    /// Tomorrow in the session's time zone, when the manifest uses `{date}` (daily cron use).
    static func defaultDate(_ text: String) -> DeliveryCalendar.Day? {
        guard text.contains("{date}"), let zone = ManifestParser.timeZone(in: text) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        guard let tomorrow = calendar.date(byAdding: .day, value: 1, to: Date()) else { return nil }
        let c = calendar.dateComponents([.year, .month, .day], from: tomorrow)
        return DeliveryCalendar.Day(year: c.year!, month: c.month!, day: c.day!)
    }

    /// Loads and checks a manifest; without `date`, `{date}` becomes tomorrow in the session's
    /// time zone.
    public static func load(path: String, date: DeliveryCalendar.Day? = nil) throws(ManifestErrors) -> SessionManifest {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ManifestErrors([
                ManifestIssue(
                    file: path, line: 0, column: 0, path: "", message: "cannot read the file", hint: "check the path")
            ])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ManifestErrors([
                ManifestIssue(file: path, line: 0, column: 0, path: "", message: "the file is not UTF-8 text")
            ])
        }
        let manifest = try ManifestParser.parse(text, file: path, date: date ?? defaultDate(text))
        let base = URL(fileURLWithPath: path).deletingLastPathComponent()
        var missing = [ManifestIssue]()
        func check(_ relative: String, _ field: String) {
            let url = relative.hasPrefix("/") ? URL(fileURLWithPath: relative) : base.appendingPathComponent(relative)
            if !FileManager.default.fileExists(atPath: url.path) {
                let at = manifest.locations[field]
                missing.append(
                    ManifestIssue(
                        file: path, line: at?.line ?? 0, column: at?.column ?? 0, path: field,
                        message: "file \(relative) does not exist",
                        hint: "paths are relative to the manifest's folder"))
            }
        }
        func check(_ key: SessionManifest.KeySource?, _ field: String) {
            guard case .keystore(let keystore, let password)? = key else { return }
            check(keystore, "\(field).keystore")
            if case .file(let file) = password { check(file, "\(field).password_file") }
        }
        check(manifest.operatorKey, "operator")
        for (i, p) in manifest.participants.enumerated() {
            check(p.adhesionDocument, "participants[\(i)].adhesion")
            check(p.key, "participants[\(i)].key")
            if let csv = p.ordersCSV { check(csv, "participants[\(i)].orders_csv") }
        }
        guard missing.isEmpty else { throw ManifestErrors(missing) }
        return manifest
    }
}
