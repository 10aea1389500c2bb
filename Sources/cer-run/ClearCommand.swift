import ArgumentParser
import Chain
import ClearingPlugins
import Foundation

/// `cer-run clear`: runs a clearing mechanism on a book outside any session.
struct ClearCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clear",
        abstract: "Clear an order book (cer-clearing/1 JSON on stdin) and print the verified result on stdout.",
        discussion: """
            Built-in mechanisms: \(BuiltInClearing.names.joined(separator: ", ")); external plugins: exec:COMMAND, \
            http:URL (params.timeout_seconds, default 30). See docs/clearing.md.
            """)

    @Option(help: "The mechanism: a built-in name, exec:COMMAND or http:URL.")
    var plugin: String

    @Option(help: "Parameters as a JSON object; they override the request's own params.")
    var params: String?

    func run() async throws {
        let input = FileHandle.standardInput.readDataToEndOfFile()
        let json: JSONValue
        do { json = try JSONValue.parse(input) } catch { throw InputError("stdin is not JSON: \(error)") }
        let request: ClearingProtocol.Request
        do { request = try ClearingProtocol.decodeRequest(json) } catch { throw InputError(error.description) }
        var merged = request.params
        if let params {
            guard case .object(let extra) = try? JSONValue.parse(Data(params.utf8)) else {
                throw InputError("--params must be a JSON object")
            }
            var base = merged.objectValue ?? [:]
            for (key, value) in extra { base[key] = value }
            merged = .object(base)
        }
        let plugin: ClearingPlugin
        do { plugin = try ClearingPlugin.resolve(self.plugin, params: merged) } catch {
            throw InputError(error.description)
        }
        let result: ClearingResult
        do { result = try await plugin.clear(orders: request.orders, slots: request.slots, params: merged) } catch {
            throw InputError("\(error)")
        }
        say(ClearingProtocol.encodeResult(result).jsonText)
    }
}
