import Foundation

/// The portal's static files (the bundle's `Public` folder): `/` and folders answer their
/// `index.html`, no listing, nothing outside the folder (no `..`, no hidden files, no symlink
/// out of it).
public struct StaticFiles: Sendable {
    /// The folder served.
    public let root: URL

    /// Serves `root`.
    public init(root: URL) { self.root = root.resolvingSymlinksInPath().standardizedFileURL }

    /// The bundle's `Public` folder.
    public static func bundled() -> StaticFiles? {
        PortalResources.folder().map { StaticFiles(root: $0.appendingPathComponent("Public")) }
    }

    /// The file at URL path `path` (percent-encoded, as requested) and its content type.
    public func file(_ path: String) throws(PortalError) -> (bytes: [UInt8], contentType: String) {
        guard let decoded = path.removingPercentEncoding else {
            throw .badRequest("\(path) is not a valid percent-encoded path")
        }
        var parts = decoded.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        for part in parts where part == ".." || part.hasPrefix(".") || part.contains("\\") || part.contains("\0") {
            throw .badRequest(
                "\(path): a path may not contain `..`, hidden names or backslashes; ask for a file of the portal")
        }
        let fm = FileManager.default
        var url = parts.reduce(root) { $0.appendingPathComponent($1) }
        var isDirectory: ObjCBool = false
        if decoded.hasSuffix("/") || parts.isEmpty
            || (fm.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue)
        {
            parts.append("index.html")
            url = url.appendingPathComponent("index.html")
        }
        let resolved = url.resolvingSymlinksInPath().standardizedFileURL
        guard resolved.path.hasPrefix(root.path + "/"),
            fm.fileExists(atPath: resolved.path, isDirectory: &isDirectory), !isDirectory.boolValue,
            let data = fm.contents(atPath: resolved.path)
        else {
            throw .notFound(
                "no file \(decoded) in the portal: the API is under /api/v1, its description at /openapi.yaml")
        }
        return (Array(data), Self.contentType(resolved.pathExtension))
    }

    /// The content type for a file extension.
    public static func contentType(_ fileExtension: String) -> String {
        switch fileExtension.lowercased() {
        case "html", "htm": "text/html; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "js", "mjs": "text/javascript; charset=utf-8"
        case "json", "map": "application/json"
        case "webmanifest": "application/manifest+json"
        case "yaml", "yml": "application/yaml"
        case "txt", "md": "text/plain; charset=utf-8"
        case "csv": "text/csv; charset=utf-8"
        case "svg": "image/svg+xml"
        case "png": "image/png"
        case "jpg", "jpeg": "image/jpeg"
        case "gif": "image/gif"
        case "webp": "image/webp"
        case "ico": "image/x-icon"
        case "pdf": "application/pdf"
        case "woff": "font/woff"
        case "woff2": "font/woff2"
        case "wasm": "application/wasm"
        default: "application/octet-stream"
        }
    }
}
