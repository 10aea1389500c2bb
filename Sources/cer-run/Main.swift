import ArgumentParser
import Foundation

/// Entry point: parses, runs, and maps errors to the documented exit codes (2 for bad input).
@main
enum Main {
    static func main() async {
        do {
            var command = try CerRun.parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as InputError {
            FileHandle.standardError.write(Data("error: \(error.description)\n".utf8))
            exit(2)
        } catch let error as CouldNotRun {
            FileHandle.standardError.write(Data("error: \(error.description)\n".utf8))
            exit(3)
        } catch {
            let code = CerRun.exitCode(for: error)
            let message = CerRun.fullMessage(for: error)
            if !message.isEmpty {
                let stream = code == .success ? FileHandle.standardOutput : FileHandle.standardError
                stream.write(Data((message + "\n").utf8))
            }
            exit(code == .validationFailure ? 2 : code.rawValue)
        }
    }
}

/// A check that could not be carried out (node unreachable, dev chain not starting): exit code
/// 3, so that cron tells it from a check that found something (`replay`, `audit`: exit 1).
struct CouldNotRun: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Bad input from the user (file, flag, environment): exit code 2, nothing sent.
struct InputError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Writes one line to standard output at once (unbuffered, so progress shows in pipes and logs).
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
