// Swift smoke suite for partnerdesk's uniffi binding; run by check.sh where swiftc exists.
// Compiled together with the generated PartnerDesk.swift (so no `import PartnerDesk`).
import Foundation

var passed = 0
var failed = 0

func test(_ name: String, _ body: () throws -> Void) {
    do {
        try body()
        passed += 1
        print("ok   \(name)")
    } catch {
        failed += 1
        print("FAIL \(name): \(error)")
    }
}

struct CheckFailed: Error { let what: String }

func expect(_ ok: Bool, _ what: String) throws {
    if !ok { throw CheckFailed(what: what) }
}

test("demo search: masked rows, decimal money, cursor paging") {
    let desk = try Desk.demo(customers: 1000, seed: 42)
    let now = demoNow()
    let filter = "assoc=reseller and mtd>=1000 and (tag:vip or tag:gold)"
    let sort = SortOrder(key: .monthToDate, descending: true)
    let first = try desk.search(filter: filter, sort: sort, page: .first(limit: 5), now: now)
    try expect(first.rows.count == 5, "five rows")
    try expect(first.total >= 5, "total")
    for row in first.rows {
        try expect(row.name.hasSuffix("***") || row.name.isEmpty, "masked name")
        try expect(Decimal(string: row.monthToDate.amount) != nil, "decimal amount")
        try expect(row.monthToDate.currency == "CNY", "currency")
    }
    guard let cursor = first.nextCursor else { throw CheckFailed(what: "cursor") }
    let next = try desk.search(filter: filter, sort: sort, page: .after(cursor: cursor, limit: 5), now: now)
    try expect(next.total == first.total, "same total")
    try expect(Set(next.rows.map { $0.id }).isDisjoint(with: first.rows.map { $0.id }), "disjoint pages")
}

test("errors are typed and carry the stable code") {
    let desk = try Desk.demo(customers: 10, seed: 1)
    do {
        _ = try desk.search(filter: "mtd>=", sort: SortOrder(key: .id, descending: false),
                            page: .first(limit: 5), now: demoNow())
        throw CheckFailed(what: "no error")
    } catch let e as PartnerDeskError {
        try expect(e.code() == "FILTER_SYNTAX", "code")
        guard case .FilterSyntax(let position, _, _, _) = e else { throw CheckFailed(what: "variant") }
        try expect(position == 5, "position")
    }
    do {
        _ = try Desk.fromSnapshotJson(json: "{")
        throw CheckFailed(what: "no error")
    } catch let e as PartnerDeskError {
        try expect(e.code() == "MALFORMED_JSON", "code")
    }
}

test("snapshot round trip") {
    let desk = try Desk.demo(customers: 50, seed: 7)
    let again = try Desk.fromSnapshotJson(json: try desk.toSnapshotJson())
    try expect(again.customerCount() == 50, "count")
}

print("swift: \(passed) passed, \(failed) failed")
exit(failed == 0 ? 0 : 1)
