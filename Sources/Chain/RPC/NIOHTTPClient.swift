import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// A small HTTP/1.1 client on SwiftNIO for JSON-RPC: POST a body, get status and body back, over
/// plain TCP or TLS, with keep-alive connections reused (up to `maxIdle`) and a per-request
/// timeout. It replaces Foundation's URLSession for node traffic: on Linux, URLSession's libcurl
/// loop kept the runner's CPU busy while it waited for a long answer (a 15 M-gas publication
/// being estimated), taking CPU from a dev chain on the same machine.
final class NIOHTTPClient: Sendable {
    struct Response: Sendable {
        var status: Int
        var body: Data
    }

    enum Failure: Error, CustomStringConvertible {
        case timedOut(TimeInterval)
        case closed
        case connect(String)

        var description: String {
            switch self {
            case .timedOut(let seconds): return "no answer within \(Int(seconds)) s"
            case .closed: return "the connection closed before the answer"
            case .connect(let reason): return "cannot connect: \(reason)"
            }
        }
    }

    let host: String
    let port: Int
    let path: String
    let useTLS: Bool
    let timeout: TimeInterval
    let headers: [(String, String)]
    let maxIdle = 8
    private let idle = Mutex<[Channel]>([])
    private let sslContext: NIOSSLContext?

    init(url: URL, timeout: TimeInterval, headers: [String: String]) throws {
        host = url.host ?? "127.0.0.1"
        useTLS = url.scheme?.lowercased() == "https"
        port = url.port ?? (useTLS ? 443 : 80)
        var target = url.path.isEmpty ? "/" : url.path
        if let query = url.query { target += "?" + query }
        path = target
        self.timeout = timeout
        self.headers = headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        sslContext = useTLS ? try NIOSSLContext(configuration: .makeClientConfiguration()) : nil
    }

    deinit {
        for channel in idle.withLock({ $0 }) { channel.close(promise: nil) }
    }

    /// POSTs `body`. A reused connection that the server closed meanwhile is replaced once by a
    /// fresh one (a node that drops idle connections); anything else is the caller's to retry.
    func post(_ body: Data) async throws -> Response {
        if let channel = idle.withLock({ $0.popLast() }) {
            if channel.isActive, let response = try? await exchange(body, on: channel) {
                return response
            }
            channel.close(promise: nil)
        }
        return try await exchange(body, on: try await connect())
    }

    private func connect() async throws -> Channel {
        let sslContext = self.sslContext
        let host = self.host
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.milliseconds(Int64(min(timeout, 10) * 1000)))
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let sslContext {
                        let tls = try NIOSSLClientHandler(
                            context: sslContext, serverHostname: host.first?.isNumber == true ? nil : host)
                        try channel.pipeline.syncOperations.addHandler(tls)
                    }
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(ResponseCollector())
                }
            }
        do { return try await bootstrap.connect(host: host, port: port).get() } catch {
            throw Failure.connect("\(error)")
        }
    }

    private func exchange(_ body: Data, on channel: Channel) async throws -> Response {
        let promise = channel.eventLoop.makePromise(of: (Response, Bool).self)
        var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: path)
        head.headers.add(name: "Host", value: port == (useTLS ? 443 : 80) ? host : "\(host):\(port)")
        head.headers.add(name: "Content-Type", value: "application/json")
        head.headers.add(name: "Content-Length", value: String(body.count))
        head.headers.add(name: "Connection", value: "keep-alive")
        for (name, value) in headers { head.headers.replaceOrAdd(name: name, value: value) }
        let timeout = self.timeout
        let deadline = channel.eventLoop.scheduleTask(in: .milliseconds(Int64(timeout * 1000))) {
            promise.fail(Failure.timedOut(timeout))
            channel.close(promise: nil)
        }
        promise.futureResult.whenComplete { _ in deadline.cancel() }
        let bytes = channel.allocator.buffer(bytes: body)
        channel.eventLoop.execute {
            do {
                let collector = try channel.pipeline.syncOperations.handler(type: ResponseCollector.self)
                collector.start(promise)
            } catch {
                promise.fail(error)
                return
            }
            channel.write(HTTPClientRequestPart.head(head), promise: nil)
            channel.write(HTTPClientRequestPart.body(.byteBuffer(bytes)), promise: nil)
            channel.writeAndFlush(HTTPClientRequestPart.end(nil)).whenFailure { promise.fail($0) }
        }
        let (response, keepAlive) = try await promise.futureResult.get()
        if keepAlive && channel.isActive {
            let kept = idle.withLock { idle -> Bool in
                guard idle.count < maxIdle else { return false }
                idle.append(channel)
                return true
            }
            if !kept { channel.close(promise: nil) }
        } else {
            channel.close(promise: nil)
        }
        return response
    }
}

/// Collects one response at a time (status, body, keep-alive) into the waiting promise.
private final class ResponseCollector: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart

    private var promise: EventLoopPromise<(NIOHTTPClient.Response, Bool)>?
    private var status = 0
    private var keepAlive = false
    private var body = ByteBuffer()

    func start(_ promise: EventLoopPromise<(NIOHTTPClient.Response, Bool)>) {
        self.promise = promise
        status = 0
        keepAlive = false
        body.clear()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            status = Int(head.status.code)
            keepAlive = head.isKeepAlive
        case .body(var part):
            body.writeBuffer(&part)
        case .end:
            let response = NIOHTTPClient.Response(status: status, body: Data(body.readableBytesView))
            promise?.succeed((response, keepAlive))
            promise = nil
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise?.fail(NIOHTTPClient.Failure.closed)
        promise = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        promise?.fail(error)
        promise = nil
        context.close(promise: nil)
    }
}
