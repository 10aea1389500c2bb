import Foundation

/// A compiled contract as committed under `contracts/artifacts/`: ABI, creation and runtime
/// bytecode, and the compiler's metadata.
public struct ContractArtifact: Sendable {
    public var contractName: String
    public var abi: ContractABI
    /// Creation code (constructor arguments are appended at deploy time).
    public var bytecode: [UInt8]
    /// Runtime code, as `eth_getCode` returns it after deployment.
    public var deployedBytecode: [UInt8]
    /// solc's metadata JSON text (lists each source's keccak256), when present.
    public var metadata: String?

    /// Errors reading an artifact, naming its file.
    public struct LoadError: Error, CustomStringConvertible {
        public var path: String
        public var reason: String
        public init(path: String, reason: String) {
            self.path = path
            self.reason = reason
        }
        public var description: String { "artifact \(path): \(reason)" }
    }

    public init(
        contractName: String, abi: ContractABI, bytecode: [UInt8], deployedBytecode: [UInt8] = [],
        metadata: String? = nil
    ) {
        self.contractName = contractName
        self.abi = abi
        self.bytecode = bytecode
        self.deployedBytecode = deployedBytecode
        self.metadata = metadata
    }

    /// Reads an artifact JSON file with `abi`, `bytecode` and optionally `contractName`,
    /// `deployedBytecode` and `metadata` (hardhat/foundry-style files also load).
    public init(contentsOf url: URL) throws(LoadError) {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw LoadError(path: url.path, reason: error.localizedDescription)
        }
        try self.init(json: data, label: url.path, defaultName: url.deletingPathExtension().lastPathComponent)
    }

    /// Parses artifact JSON.
    public init(json data: Data, label: String = "<json>", defaultName: String = "Contract") throws(LoadError) {
        let root: JSONValue
        do { root = try JSONValue.parse(data) } catch { throw LoadError(path: label, reason: "not JSON: \(error)") }
        guard let abiJSON = root["abi"], abiJSON.arrayValue != nil else {
            throw LoadError(path: label, reason: "missing \"abi\" array")
        }
        do { abi = try ContractABI(json: Data(abiJSON.jsonText.utf8)) } catch {
            throw LoadError(path: label, reason: "\(error)")
        }
        func code(_ key: String) throws(LoadError) -> [UInt8]? {
            // Accept "0x…", bare hex, or foundry's {"object": "0x…"}.
            guard let value = root[key] else { return nil }
            guard let text = value.stringValue ?? value["object"]?.stringValue else {
                throw LoadError(path: label, reason: "\"\(key)\" must be hex text")
            }
            do { return try Hex.decode(text) } catch { throw LoadError(path: label, reason: "\"\(key)\": \(error)") }
        }
        guard let creation = try code("bytecode"), !creation.isEmpty else {
            throw LoadError(path: label, reason: "missing or empty \"bytecode\" (abstract contract or interface?)")
        }
        bytecode = creation
        deployedBytecode = try code("deployedBytecode") ?? []
        contractName = root["contractName"]?.stringValue ?? defaultName
        metadata =
            root["metadata"]?.stringValue ?? root["metadata"].flatMap { $0.objectValue == nil ? nil : $0.jsonText }
    }

    /// Creation code followed by the ABI-encoded constructor arguments.
    public func deploymentData(_ arguments: [ABIValue] = []) throws(ABIError) -> [UInt8] {
        let inputs = abi.constructor?.inputs.types ?? []
        return bytecode + (try ABI.encodeTuple(inputs, arguments, path: "\(contractName) constructor"))
    }
}
