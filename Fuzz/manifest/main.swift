// libFuzzer entry point for the session manifest parser: the input is the manifest's text.
import Manifest

let day = DeliveryCalendar.Day(year: 2026, month: 10, day: 25)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    do {
        _ = try ManifestParser.parse(text, file: "fuzz.yaml", date: day)
    } catch {
        guard !error.issues.isEmpty else { fatalError("ManifestErrors without issues") }
        _ = error.description
    }
    return 0
}
