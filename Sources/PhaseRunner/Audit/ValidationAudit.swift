import BigInt
import Chain
import Market
import Validation

/// The validation part of an audit: the engine's input built as the validate phase builds it,
/// and the published `MemberValidated` figures compared with a recomputation.
public enum ValidationAudit {
    /// The validation input: each cleared member (book order) with its revealed orders, its
    /// published fills and its POD. Throws `RunnerError.input` naming a cleared member that has
    /// no POD in `pods` (the manifest's participants).
    public static func members(
        book: [RevealedMember], fills: [Address: [MarketFill]], pods: [Address: String]
    ) throws(RunnerError) -> [ValidationMember] {
        var members = [ValidationMember]()
        for entry in book {
            guard let memberFills = fills[entry.address] else { continue }
            guard let pod = pods[entry.address] else {
                throw RunnerError.input(
                    "member \(entry.address) traded but is not a participant of the manifest (its POD is needed)")
            }
            members.append(ValidationMember(address: entry.address, pod: pod, orders: entry.orders, fills: memberFills))
        }
        return members
    }

    /// The figures a validation result publishes, by member.
    public static func figures(_ result: ValidationResult) -> [Address: MemberValidationFigures] {
        Dictionary(
            result.members.map {
                (
                    $0.address,
                    MemberValidationFigures(
                        member: $0.address, delivered: $0.delivered, paid: $0.pay, receivable: $0.receive,
                        penalty: $0.penalty)
                )
            }, uniquingKeysWith: { a, _ in a })
    }

    /// Every member figure — delivered Wh per fill, pay, receivable, penalty — that the chain has
    /// otherwise than the recomputation, members by address. `fills` and `book` locate each
    /// delivered figure's order (index, slot, side).
    public static func compare(
        published: [Address: MemberValidationFigures], recomputed: [Address: MemberValidationFigures],
        book: [RevealedMember], fills: [Address: [MarketFill]]
    ) -> [AuditFinding] {
        let orders = Dictionary(book.map { ($0.address, $0.orders) }, uniquingKeysWith: { a, _ in a })
        var findings = [AuditFinding]()
        for member in Set(published.keys).union(recomputed.keys).sorted() {
            guard let p = published[member], let r = recomputed[member] else {
                let total = { (v: MemberValidationFigures?) in v.map { BigUInt($0.delivered.reduce(0, +)) } }
                findings.append(
                    .validation(
                        ValidationDivergence(
                            member: member, figure: .member, published: total(published[member]),
                            recomputed: total(recomputed[member]))))
                continue
            }
            let memberFills = fills[member] ?? []
            for i in 0..<max(p.delivered.count, r.delivered.count) {
                let mine = i < p.delivered.count ? BigUInt(p.delivered[i]) : nil
                let theirs = i < r.delivered.count ? BigUInt(r.delivered[i]) : nil
                guard mine != theirs else { continue }
                let index = i < memberFills.count ? Int(memberFills[i].orderIndex) : i
                let order = orders[member].flatMap { index < $0.count ? $0[index] : nil }
                findings.append(
                    .validation(
                        ValidationDivergence(
                            member: member,
                            figure: .delivered(orderIndex: index, slot: order.map { Int($0.slot) }, side: order?.side),
                            published: mine, recomputed: theirs)))
            }
            for (figure, mine, theirs) in [
                (ValidationDivergence.Figure.pay, p.paid, r.paid), (.receive, p.receivable, r.receivable),
                (.penalty, p.penalty, r.penalty),
            ] where mine != theirs {
                findings.append(
                    .validation(
                        ValidationDivergence(member: member, figure: figure, published: mine, recomputed: theirs)))
            }
        }
        return findings
    }
}
