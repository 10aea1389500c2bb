import Foundation

/// Finds the portal's files (`Public/`) and the OpenAPI copy without SwiftPM's generated
/// `Bundle.module`, which stops the process with `fatalError` when its folder is missing.
///
/// Looked for, in order: `$CER_RUN_PORTAL_RESOURCES`; `cer-run_Portal.resources` next to the
/// running executable (where `swift build` puts it; copy it along when installing the binary);
/// the package's own `Sources/Portal` (a build run from its checkout).
public enum PortalResources {
    /// The name SwiftPM gives the resource folder of the `Portal` target.
    public static let bundleName = "cer-run_Portal.resources"

    /// The first candidate folder that holds `Public/index.html`, or nil.
    public static func folder(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL? {
        candidates(environment: environment).first {
            FileManager.default.fileExists(atPath: $0.appendingPathComponent("Public/index.html").path)
        }
    }

    /// Where `folder` looks, in order.
    public static func candidates(environment: [String: String] = ProcessInfo.processInfo.environment) -> [URL] {
        var list = [URL]()
        if let explicit = environment["CER_RUN_PORTAL_RESOURCES"], !explicit.isEmpty {
            list.append(URL(fileURLWithPath: explicit, isDirectory: true))
        }
        let executable = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
        list.append(executable.deletingLastPathComponent().appendingPathComponent(bundleName))
        list.append(Bundle.main.bundleURL.appendingPathComponent(bundleName))
        list.append(URL(fileURLWithPath: #filePath).deletingLastPathComponent())
        return list
    }

    /// A message naming every place looked at, for a missing folder.
    public static func missingMessage(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        "the portal's files were not found (looked in "
            + candidates(environment: environment).map(\.path).joined(separator: ", ")
            + "): copy \(bundleName) next to the cer-run binary or set CER_RUN_PORTAL_RESOURCES to it"
    }
}
