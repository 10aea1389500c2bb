/// A small valid manifest; the broken-manifest table edits one line of it at a time.
/// Line numbers matter: the table's expectations point at them.
let validManifest = """
    version: 1
    session:
      id: cer-test-{date}
      community: CER Test
      timezone: Europe/Rome
      delivery_day: "{date}"
      slot_minutes: 60
      deposit: "5.00"
      seller_bond_per_kwh: "0.05"
    chain:
      dev: true
    contracts:
      deploy: true
    operator:
      dev_account: 1
    deadlines:
      commit: D-1 18:00
      reveal: D-1 20:00
    participants:
      - id: anna
        address: "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"
        pod: IT001E00000001
        role: prosumer
        adhesion: anna.pdf
        key:
          dev_account: 2
        orders:
          - slot: 12
            side: sell
            kwh: "2.5"
            price: "0.10"
      - id: bruno
        address: "0x90F79bf6EB2c4f870365E785982E1f101E93b906"
        pod: IT001E00000002
        role: consumer
        adhesion: bruno.pdf
    clearing:
      plugin: uniform-price
      params:
        price_rule: midpoint
    settlement:
      mode: batch
    """

/// `validManifest` with lines `range` (1-based) replaced by `text`.
func replacing(_ range: ClosedRange<Int>, with text: String) -> String {
    var lines = validManifest.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    lines.replaceSubrange((range.lowerBound - 1)...(range.upperBound - 1), with: [text])
    return lines.joined(separator: "\n")
}

/// `validManifest` with line `line` (1-based) replaced by `text` (nil deletes it).
func editing(_ line: Int, _ text: String?) -> String {
    var lines = validManifest.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    if let text { lines[line - 1] = text } else { lines.remove(at: line - 1) }
    return lines.joined(separator: "\n")
}
