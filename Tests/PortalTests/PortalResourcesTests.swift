import Foundation
import Portal
import Testing

@Suite struct PortalResourcesTests {
    @Test func theBuiltResourcesAreFound() throws {
        let folder = try #require(PortalResources.folder(environment: [:]))
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("OpenAPI/openapi.yaml").path))
        #expect(StaticFiles.bundled() != nil)
    }

    @Test func anExplicitFolderComesFirstAndAnEmptyOneIsPassedOver() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("cer-res-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let good = root.appendingPathComponent("good")
        let empty = root.appendingPathComponent("empty")
        try FileManager.default.createDirectory(
            at: good.appendingPathComponent("Public"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        try Data("<html></html>".utf8).write(to: good.appendingPathComponent("Public/index.html"))

        #expect(PortalResources.folder(environment: ["CER_RUN_PORTAL_RESOURCES": good.path])?.path == good.path)
        let fallback = PortalResources.folder(environment: ["CER_RUN_PORTAL_RESOURCES": empty.path])
        #expect(fallback != nil && fallback?.path != empty.path)
        let message = PortalResources.missingMessage(environment: ["CER_RUN_PORTAL_RESOURCES": empty.path])
        #expect(message.contains(empty.path) && message.contains(PortalResources.bundleName))
    }
}
