import Foundation
import Logging
import Manifest
import NIOSSL
import PostgresNIO
import Validation

/// Runs the manifest's SQL query with `$1` = day start, `$2` = day end (timestamptz) and `$3` =
/// the session's PODs (text[]). Rows must have columns `pod` (text), `interval_start`
/// (timestamptz), `withdrawal_wh` and `injection_wh` (integers, Wh), and optionally
/// `interval_minutes` (15 or 60; default 60).
struct PostgresMeterQuery {
    let settings: SessionManifest.PostgresMeterSource
    let password: String?

    var sourceName: String { "postgres \(settings.user)@\(settings.host):\(settings.port)/\(settings.database)" }

    func readings(pods: [String], dayStart: Int64, dayEnd: Int64) async throws(MeterSourceError) -> [MeterReading] {
        let tls: PostgresConnection.Configuration.TLS
        do {
            switch settings.tls {
            case .disable: tls = .disable
            case .prefer: tls = .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
            case .require: tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
            }
        } catch {
            throw MeterSourceError(source: sourceName, message: "cannot set up TLS: \(error)")
        }
        let configuration = PostgresConnection.Configuration(
            host: settings.host, port: settings.port, username: settings.user, password: password,
            database: settings.database, tls: tls)
        let logger: Logger = {
            var logger = Logger(label: "cer-run.meters.postgres")
            logger.logLevel = .critical
            return logger
        }()
        let connection: PostgresConnection
        do {
            connection = try await withTimeout {
                try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
            }
        } catch {
            throw MeterSourceError(
                source: sourceName, message: "cannot connect: \(Self.describe(error))",
                hint: "check host, port, user, database and $\(settings.passwordEnv ?? "(password_env not set)")")
        }
        defer { Task { try? await connection.close() } }
        let binds: PostgresBindings = {
            var binds = PostgresBindings()
            binds.append(Date(timeIntervalSince1970: TimeInterval(dayStart)))
            binds.append(Date(timeIntervalSince1970: TimeInterval(dayEnd)))
            binds.append(pods)
            return binds
        }()
        var readings = [MeterReading]()
        do {
            let rows = try await withTimeout {
                try await connection.query(PostgresQuery(unsafeSQL: settings.query, binds: binds), logger: logger)
                    .collect()
            }
            for (index, row) in rows.enumerated() {
                let cells = row.makeRandomAccess()
                for column in ["pod", "interval_start", "withdrawal_wh", "injection_wh"] where !cells.contains(column) {
                    throw MeterSourceError(
                        source: sourceName, message: "the query returns no column `\(column)`",
                        hint: "alias it: SELECT … AS \(column)")
                }
                let pod = try cells["pod"].decode(String.self)
                let start = try cells["interval_start"].decode(Date.self)
                let minutes = cells.contains("interval_minutes") ? try cells["interval_minutes"].decode(Int64.self) : 60
                let withdrawal = try cells["withdrawal_wh"].decode(Int64.self)
                let injection = try cells["injection_wh"].decode(Int64.self)
                let location = Validation.SourceLocation(file: sourceName, line: index + 1)
                guard withdrawal >= 0, injection >= 0 else {
                    throw MeterSourceError(
                        source: "\(sourceName) row \(index + 1)",
                        message: "negative energy for POD \(pod) (withdrawal \(withdrawal), injection \(injection))")
                }
                guard minutes == 15 || minutes == 60 else {
                    throw MeterSourceError(
                        source: "\(sourceName) row \(index + 1)",
                        message: "interval_minutes is \(minutes), not 15 or 60")
                }
                let seconds = start.timeIntervalSince1970
                guard seconds == seconds.rounded() else {
                    throw MeterSourceError(
                        source: "\(sourceName) row \(index + 1)", message: "interval_start has fractions of a second")
                }
                readings.append(
                    MeterReading(
                        pod: pod, start: Int64(seconds), lengthSeconds: minutes * 60, withdrawalWh: UInt64(withdrawal),
                        injectionWh: UInt64(injection), location: location))
            }
        } catch let error as MeterSourceError {
            throw error
        } catch {
            throw MeterSourceError(
                source: sourceName, message: "the query failed: \(Self.describe(error))",
                hint: "columns pod, interval_start, withdrawal_wh, injection_wh; $1/$2 timestamptz, $3 text[]")
        }
        return readings
    }

    /// Runs `body`, failing after the configured timeout.
    func withTimeout<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let seconds = settings.timeoutSeconds
        return try await withThrowingTaskGroup(of: T.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: .seconds(seconds))
                throw MeterSourceError(source: sourceName, message: "no answer within \(seconds) s")
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }

    static func describe(_ error: any Error) -> String {
        if let psql = error as? PSQLError {
            if let message = psql.serverInfo?[.message] { return message }
            return "\(psql.code)"
        }
        return "\(error)"
    }
}
