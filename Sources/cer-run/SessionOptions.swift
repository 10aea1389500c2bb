import ArgumentParser
import Foundation
import Manifest

/// The manifest, delivery date and runs folder that name one session run.
struct SessionOptions: ParsableArguments {
    @Argument(help: "The session manifest.")
    var manifest: String

    @Option(help: "Delivery date for {date} (YYYY-MM-DD; default: tomorrow in the session's time zone).")
    var date: String?

    @Option(help: "Folder of the run folders.")
    var runs: String = "runs"

    func validate() throws {
        if let date, DeliveryCalendar.Day(date) == nil { throw ValidationError("--date \(date) is not YYYY-MM-DD") }
    }

    var day: DeliveryCalendar.Day? { date.flatMap { DeliveryCalendar.Day($0) } }
    var runsRoot: URL { URL(fileURLWithPath: runs) }
}
