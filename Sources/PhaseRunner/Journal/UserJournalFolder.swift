import Foundation

/// Where per-user journals live by default: `$HOME/.cer-run/<kind>/<chain-id>/<address>.jsonl`.
///
/// `$HOME` wins over the password database's home directory (Foundation's
/// `homeDirectoryForCurrentUser` ignores `HOME` on Linux), so `HOME=/srv/cer cer-run member …`
/// and test runs with a temporary `HOME` keep their journals apart.
public enum UserJournalFolder {
    /// The user's home: a non-empty absolute `HOME` from `environment`, else the account's.
    public static func home(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let home = environment["HOME"], home.hasPrefix("/") {
            return URL(fileURLWithPath: home, isDirectory: true)
        }
        return FileManager.default.homeDirectoryForCurrentUser
    }

    /// `<home>/.cer-run/<kind>/<chainID>/<address>.jsonl`.
    public static func journal(
        kind: String, address: String, chainID: UInt64,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> URL {
        home(environment: environment).appendingPathComponent(".cer-run").appendingPathComponent(kind)
            .appendingPathComponent(String(chainID)).appendingPathComponent("\(address).jsonl")
    }
}
