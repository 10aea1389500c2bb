import Foundation
import Manifest
import MeterSources
import Testing
import Validation

/// The `postgres` source against a real PostgreSQL server: a throwaway cluster on loopback
/// started by scripts/pg-test-cluster.sh (installed by `make test` from Debian's packages).
@Suite(.serialized) struct PostgresSourceTests {
    /// Runs the cluster script; returns its standard output.
    static func script(_ arguments: [String]) async throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments =
            [MeterSourceFixture.root.appendingPathComponent("scripts/pg-test-cluster.sh").path] + arguments
        // A file, not a pipe: the server the script starts must not hold our end open.
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("pg-\(UUID().uuidString).out")
        _ = FileManager.default.createFile(atPath: file.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: file) }
        let handle = try FileHandle(forWritingTo: file)
        process.standardOutput = handle
        try process.run()
        let status = try await Self.exitStatus(of: process)
        try handle.close()
        guard status == 0 else {
            throw MeterSourceError(source: "pg-test-cluster.sh", message: "exit \(status)")
        }
        return try String(contentsOf: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Waits for `process` by `waitpid` itself: Foundation was seen leaving the cluster script
    /// (whose server lives on) a zombie with `isRunning` true forever.
    static func exitStatus(of process: Process) async throws -> Int32 {
        let pid = process.processIdentifier
        while true {
            var status: Int32 = 0
            let waited = waitpid(pid, &status, WNOHANG)
            if waited == pid { return (status >> 8) & 0xff }
            if waited == -1 && errno == ECHILD, !process.isRunning { return process.terminationStatus }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    static func psql(port: String, _ sql: String) async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "psql", "-h", "127.0.0.1", "-p", port, "-U", "cer", "-d", "meters", "-q", "-v",
            "ON_ERROR_STOP=1", "-c", sql,
        ]
        process.environment = ["PGPASSWORD": "cer-test", "PATH": "/usr/bin:/bin"]
        try process.run()
        let status = try await Self.exitStatus(of: process)
        guard status == 0 else {
            throw MeterSourceError(source: "psql", message: "exit \(status) for \(sql.prefix(60))")
        }
    }

    @Test func aQueryRebuildsTheFixtureDay() async throws {
        let fixture = try MeterSourceFixture()
        defer { fixture.remove() }
        // initdb runs as the postgres user when we are root: the folder must be reachable.
        let base = URL(fileURLWithPath: "/tmp/cer-run-pg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: base.path)
        let cluster = base.appendingPathComponent("cluster").path
        let port = try await Self.script(["start", cluster])
        do {
            try await Self.queries(fixture, port: port)
        } catch {
            Issue.record(error)
        }
        _ = try? await Self.script(["stop", cluster])
        try? FileManager.default.removeItem(at: base)
    }

    static func queries(_ fixture: MeterSourceFixture, port: String) async throws {
        let readings = try await fixture.referenceReadings()
        let values = readings.map {
            "('\($0.pod)', to_timestamp(\($0.start)), \($0.withdrawalWh), \($0.injectionWh))"
        }
        try await Self.psql(
            port: port,
            "CREATE TABLE readings (pod text, ts timestamptz, w bigint, i bigint); "
                + "INSERT INTO readings VALUES \(values.joined(separator: ", ")); "
                + "INSERT INTO readings VALUES ('IT001E99999999', to_timestamp(1792879200), 5, 5);")
        let query =
            "SELECT pod, ts AS interval_start, 60 AS interval_minutes, w AS withdrawal_wh, i AS injection_wh "
            + "FROM readings WHERE ts >= $1 AND ts < $2 AND pod = ANY($3) ORDER BY pod, ts"
        let section = """
              source:
                postgres: {host: 127.0.0.1, port: \(port), database: meters, user: cer, password_env: PGPW, query: "\(query)"}
            """
        let manifest = try fixture.manifest(validation: section)
        let day = try await fixture.reader(manifest, environment: ["PGPW": "cer-test"]).meterDay(
            pods: MeterSourceFixture.pods
        ).day
        #expect(day == (try await fixture.referenceDay()))

        // A wrong password and a query without a needed column are clear errors.
        await #expect {
            _ = try await fixture.reader(manifest, environment: ["PGPW": "nope"]).readings(
                pods: MeterSourceFixture.pods)
        } throws: { error in
            (error as? MeterSourceError)?.description.contains("cannot connect") == true
        }
        let noColumn = try fixture.manifest(
            validation: """
                  source:
                    postgres: {host: 127.0.0.1, port: \(port), database: meters, user: cer, password_env: PGPW, query: "SELECT pod, ts AS interval_start, w AS withdrawal_wh FROM readings WHERE ts >= $1 AND ts < $2 AND pod = ANY($3)"}
                """)
        await #expect {
            _ = try await fixture.reader(noColumn, environment: ["PGPW": "cer-test"]).readings(
                pods: MeterSourceFixture.pods)
        } throws: { error in
            (error as? MeterSourceError)?.description.contains("no column `injection_wh`") == true
        }
    }
}
