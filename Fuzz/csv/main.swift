// libFuzzer entry point for the meter CSV parser: the first byte picks a format, the rest is
// the file.
import Foundation
import Validation

let rome = TimeZone(identifier: "Europe/Rome")!
let formats: [MeterCSVFormat] = [
    MeterCSVFormat(timeZone: rome),
    MeterCSVFormat(timeZone: rome, label: .end, intervalSeconds: 900),
    MeterCSVFormat(dateOrder: .dayMonthYear, timeZone: rome),
    MeterCSVFormat(
        unit: .kWh, skipLines: 1, pod: .name("POD"), timestamp: .dateAndTime(date: .name("data"), time: .name("ORA")),
        dateOrder: .dayMonthYear, timeZone: rome, withdrawal: .name("Prelievo (kWh)"),
        injection: .name("Immissione (kWh)")),
    MeterCSVFormat(),
    MeterCSVFormat(
        separator: .semicolon, thousandsSeparator: ".", hasHeader: false, pod: .index(1),
        timestamp: .dateAndNumber(date: .index(2), number: .index(3)), offset: nil, dateOrder: .dayMonthYear,
        timeZone: rome, withdrawal: .index(4), injection: nil),
    MeterCSVFormat(offset: .index(3), timeZone: TimeZone(identifier: "Australia/Lord_Howe"), withdrawal: .index(4)),
]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let format = formats[Int(data[0]) % formats.count]
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    do {
        _ = try MeterCSVParser(format: format).parse(bytes, file: "fuzz.csv")
    } catch {
        guard !error.issues.isEmpty else { fatalError("MeterDataError without issues") }
        _ = error.description
    }
    return 0
}
