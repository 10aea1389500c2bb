import Chain
import Hummingbird

extension Response {
    /// A JSON response: compact, sorted keys (JSONValue's canonical text), UTF-8.
    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok, contentType: String = "application/json")
        -> Response
    {
        bytes(Array(value.jsonText.utf8), status: status, contentType: contentType)
    }

    /// A response holding `bytes` as they are.
    static func bytes(_ bytes: [UInt8], status: HTTPResponse.Status = .ok, contentType: String) -> Response {
        Response(
            status: status, headers: [.contentType: contentType, .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
