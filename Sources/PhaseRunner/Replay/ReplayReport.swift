import Chain

/// What `cer-run replay` found, step by step.
public struct ReplayReport: Sendable {
    /// One recomputed step.
    public struct Step: Sendable {
        public enum Outcome: Sendable, Equatable {
            /// Recomputed byte for byte.
            case identical
            /// Recomputed differently: the differences, first one first.
            case different([Difference])
            /// The run had not reached this step (nothing recorded to compare with).
            case notReached(String)
        }

        /// `manifest`, `clearing input`, `clearing`, `validation`, `settlement`, or for a replay
        /// on a dev chain `chain: …`.
        public var name: String
        public var outcome: Outcome
        /// Remarks that do not make the step differ (e.g. an input file that no longer matches
        /// its journaled hash).
        public var notes: [String]

        public init(name: String, outcome: Outcome, notes: [String] = []) {
            self.name = name
            self.outcome = outcome
            self.notes = notes
        }
    }

    /// One difference of a step: the file compared and where it differs.
    public struct Difference: Sendable, Equatable, CustomStringConvertible {
        public var file: String
        public var field: String
        public var journaled: String
        public var recomputed: String

        public init(file: String, _ difference: JSONDifference) {
            self.file = file
            field = difference.path
            journaled = JSONDifference.show(difference.journaled)
            recomputed = JSONDifference.show(difference.recomputed)
        }

        public init(file: String, field: String, journaled: String, recomputed: String) {
            self.file = file
            self.field = field
            self.journaled = journaled
            self.recomputed = recomputed
        }

        public var description: String { "\(file) \(field): journaled \(journaled), recomputed \(recomputed)" }
    }

    public var runFolder: String
    public var steps: [Step]

    /// True when no step differs.
    public var identical: Bool { firstDifference == nil }

    /// The first difference of the first step that differs.
    public var firstDifference: (step: String, difference: Difference)? {
        for step in steps {
            if case .different(let list) = step.outcome, let first = list.first { return (step.name, first) }
        }
        return nil
    }

    /// The report as JSON (`--json`).
    public var json: JSONValue {
        [
            "runFolder": .string(runFolder), "identical": .bool(identical),
            "steps": .array(
                steps.map { step in
                    var fields: [String: JSONValue] = [
                        "step": .string(step.name), "notes": .array(step.notes.map { .string($0) }),
                    ]
                    switch step.outcome {
                    case .identical: fields["outcome"] = "identical"
                    case .notReached(let why):
                        fields["outcome"] = "not reached"
                        fields["reason"] = .string(why)
                    case .different(let list):
                        fields["outcome"] = "different"
                        fields["differences"] = .array(
                            list.map {
                                [
                                    "file": .string($0.file), "field": .string($0.field),
                                    "journaled": .string($0.journaled), "recomputed": .string($0.recomputed),
                                ]
                            })
                    }
                    return .object(fields)
                }),
        ]
    }

    /// The report as lines for a terminal: OK, or the first difference (and how many more).
    public var lines: [String] {
        var out = [String]()
        for step in steps {
            switch step.outcome {
            case .identical: out.append("\(step.name): identical")
            case .notReached(let why): out.append("\(step.name): not reached (\(why))")
            case .different(let list):
                out.append("\(step.name): DIFFERENT (\(list.count) difference\(list.count == 1 ? "" : "s"))")
            }
            for note in step.notes { out.append("  note: \(note)") }
        }
        if let (step, difference) = firstDifference {
            out.append("first difference: \(step): \(difference)")
        } else {
            out.append("OK: every recomputed result equals the recorded one")
        }
        return out
    }
}
