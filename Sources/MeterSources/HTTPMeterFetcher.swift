import Foundation
import Manifest
import Validation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// GETs one JSON document per POD and day, with a bearer token, a timeout and bounded
/// retries (transport errors, 429 and 5xx only; other statuses fail at once).
struct HTTPMeterFetcher {
    let settings: SessionManifest.HTTPMeterSource
    let token: String?

    func readings(pods: [String], day: String) async throws(MeterSourceError) -> [MeterReading] {
        var all = [MeterReading]()
        for pod in pods {
            let text = settings.urlTemplate.replacingOccurrences(of: "{pod}", with: pod)
                .replacingOccurrences(of: "{date}", with: day)
            guard let url = URL(string: text) else {
                throw MeterSourceError(source: text, message: "not a URL after substituting {pod} and {date}")
            }
            let data = try await fetch(url)
            all += try HTTPMeterDocument.readings(data, pod: pod, url: text)
        }
        return all
    }

    func fetch(_ url: URL) async throws(MeterSourceError) -> Data {
        var request = URLRequest(url: url, timeoutInterval: TimeInterval(settings.timeoutSeconds))
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        var lastProblem = ""
        for attempt in 0...settings.retries {
            if attempt > 0 { try? await Task.sleep(for: .milliseconds(200 << min(attempt, 5))) }
            do {
                let (data, response) = try await URLSession.shared.data(for: request)
                let status = (response as? HTTPURLResponse)?.statusCode ?? 0
                if status == 200 { return data }
                lastProblem = "HTTP status \(status)"
                if status == 429 || status >= 500 { continue }
                throw MeterSourceError(
                    source: url.absoluteString, message: lastProblem,
                    hint: status == 401 || status == 403
                        ? "check the token in $\(settings.tokenEnv ?? "(token_env not set)")" : nil,
                    notYetAvailable: status == 404)
            } catch let error as MeterSourceError {
                throw error
            } catch {
                lastProblem = "\(error.localizedDescription)"
            }
        }
        throw MeterSourceError(
            source: url.absoluteString, message: "\(lastProblem) after \(settings.retries + 1) attempt(s)",
            hint: "is the meter service up? (timeout \(settings.timeoutSeconds) s)")
    }
}
