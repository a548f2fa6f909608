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
    let now = try demoNow()
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
                            page: .first(limit: 5), now: try demoNow())
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

test("customers and operators: a NewCustomer, items by name, the catalogues") {
    let desk = try Desk.demo(customers: 20, seed: 3)
    let now = try demoNow()
    let id = String(repeating: "c", count: 32)
    func customer(level: String) -> NewCustomer {
        NewCustomer(id: id, accountName: "swift_newco", name: "Swift NewCo Ltd.",
                    association: "reseller", associatedAt: "2026-11-01T00:00:00Z",
                    customerType: "enterprise", verification: nil, level: level, mobile: nil,
                    countryCode: nil, email: nil, tags: ["swift-new"], reseller: nil,
                    accountManager: nil)
    }
    try desk.insertCustomer(customer: .new(customer: customer(level: "V2")))
    let found = try desk.search(filter: "tag:swift-new", sort: SortOrder(key: .id, descending: false),
                                page: .first(limit: 5), now: now)
    try expect(found.rows.map { $0.id } == [id], "found by search")
    try expect(found.rows[0].level == "V2", "level")
    do {
        try desk.upsertCustomer(customer: .new(customer: customer(level: "V9")))
        throw CheckFailed(what: "no error")
    } catch let e as PartnerDeskError {
        try expect(e.code() == "INVALID_ARGUMENT", "a bad level is refused")
    }
    let count = desk.customerCount()
    try desk.removeCustomer(customer: id)
    try expect(desk.customerCount() == count - 1, "removed")

    try desk.addOperator(login: "freezer", name: "Freezer", permissions: ["FREEZE_UNFREEZE"])
    let freezer = try desk.operators().first { $0.id == "freezer" }
    try expect(freezer?.permissions == ["BPC_ITEM_SUBCUSTSERV_010115"], "an item by name")
    try expect(freezer?.role == "operator", "an operator by default")
    do {
        try desk.addOperator(login: "typo", name: "Typo", role: .operator, permissions: ["FREEZE_UNFREEZ"])
        throw CheckFailed(what: "no error")
    } catch let e as PartnerDeskError {
        try expect(e.code() == "INVALID_ARGUMENT", "a misspelled item is refused")
    }
    try expect(!desk.operators().contains { $0.id == "typo" }, "no operator added")
    try desk.grantPermissions(actor: .operator(login: "admin"), operator: "freezer",
                              items: ["VIEW_SPEND"], now: now)
    let granted = try desk.operators().first { $0.id == "freezer" }?.permissions ?? []
    try expect(granted.contains("PD_VIEW_SPEND"), "granted by name")

    let release = try version()
    let codes = try errorCodes()
    let columns = try exportColumns()
    try expect(!release.isEmpty, "version")
    try expect(codes.contains("INVALID_ARGUMENT"), "error codes")
    try expect(columns.contains("customer_id"), "export columns")
}

func fixture(_ name: String) throws -> String {
    guard let text = try huaweiFixtures()[name] else { throw CheckFailed(what: "fixture \(name)") }
    return text
}

func sameJson(_ a: String, _ b: String) throws -> Bool {
    let x = try JSONSerialization.jsonObject(with: Data(a.utf8)) as? NSDictionary
    let y = try JSONSerialization.jsonObject(with: Data(b.utf8)) as? NSDictionary
    return x != nil && x == y
}

test("huawei: pages merge into a desk, the fixture desk, bodies, answers, paging") {
    let now = "2025-03-20T09:00:00Z"
    let desk = try Desk.empty(partnerId: "p-1", name: "Example Partner", site: .international,
                              tier: .distributor, now: now)
    let pages = [try fixture("list_sub_customers.intl.page1.json"),
                 try fixture("list_sub_customers.intl.page2.json")]
    let report = try desk.importHuawei(kind: .listSubCustomers, pages: pages, now: now)
    try expect(report.added.count == 3 && desk.customerCount() == 3, "merged pages")
    try expect(report.reportedTotal == 3 && report.items == 4, "counts")
    let cn = try Desk.fromHuaweiFixtures(site: .china, now: now)
    try expect(cn.customerCount() >= 100, "fixture desk")

    let id = "06ffbcd46880d3f30f62c001a49be460"
    let freeze = try huaweiFreezeBody(customers: [id], reason: "Budget overrun pending review",
                                      scope: .accountAndResources)
    try expect(try sameJson(freeze, try fixture("freeze.request.json")), "freeze body")
    let budget = try huaweiBudgetBody(customer: id, amount: "1500.50", currency: "USD",
                                      kind: .monthly, autoFreeze: true, unfreeze: true)
    try expect(try sameJson(budget, try fixture("budget.request.json")), "budget body")
    do {
        _ = try huaweiBudgetBody(customer: id, amount: "12.345", currency: "USD", kind: .monthly)
        throw CheckFailed(what: "no error")
    } catch let e as PartnerDeskError {
        try expect(e.code() == "INVALID_MONEY", "refused budget")
    }

    let bad = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
    let out = try huaweiBatchOutcome(customers: [id, bad],
                                     body: try fixture("freeze.partial_failure.json"), httpStatus: 200)
    try expect(out.items.map { $0.ok } == [true, false], "per customer")
    try expect(out.items[1].code == "WRONG_ASSOCIATION_TYPE", "meaning code")
    try expect(out.items[1].huaweiMessage != nil && out.items[0].huaweiMessage == nil, "Huawei's text")
    try expect(try huaweiApiKinds().contains("WRONG_ASSOCIATION_TYPE"), "api kinds")
    do {
        _ = try desk.importHuawei(kind: .orders, pages: [try fixture("error.denied.json")], now: now)
        throw CheckFailed(what: "no error")
    } catch let e as PartnerDeskError {
        guard case .HuaweiApiError(let huaweiCode, let kind, _, _, _) = e else {
            throw CheckFailed(what: "variant")
        }
        try expect(huaweiCode == "CBC.0151" && kind == "PERMISSION_DENIED", "api error")
    }

    let plan = try huaweiPagePlan(total: 250, limit: 100)
    try expect(plan.map { $0.offset } == [0, 100, 200] && plan.map { $0.limit } == [100, 100, 50], "plan")
}

test("durable desk: saved to a SQLite file, a change committed, reopened; timeouts checked") {
    let now = "2025-03-20T09:00:00Z"
    let dir = FileManager.default.temporaryDirectory
        .appendingPathComponent("partnerdesk-swift-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let location = dir.appendingPathComponent("desk.db").path
    let desk = try Desk.empty(partnerId: "p-1", name: "Example Partner", site: .international,
                              tier: .distributor, now: now)
    try expect(desk.storeKind() == nil, "in memory")
    try desk.saveTo(location: location)
    try expect(desk.storeKind() == "sqlite", "on a SQLite file")
    let pages = [try fixture("list_sub_customers.intl.page1.json")]
    _ = try desk.importHuawei(kind: .listSubCustomers, pages: pages, now: now)
    let again = try Desk.open(location: location)
    try expect(again.customerCount() == desk.customerCount(), "the import was committed")
    let saved = try desk.toSnapshotJson()
    let reopened = try again.toSnapshotJson()
    try expect(reopened == saved, "the same desk")
    let followed = try again.follow(timeout: 0.05)
    try expect(!followed, "nothing new")
    let events = UInt64(try again.events().count)
    let checkpointed = try again.checkpoint()
    try expect(checkpointed == events, "checkpoint at the last event")
    for bad in [-1.0, 3600.5, Double.infinity, Double.nan] {
        do {
            _ = try again.follow(timeout: bad)
            throw CheckFailed(what: "no error for \(bad)")
        } catch let e as PartnerDeskError {
            try expect(e.code() == "INVALID_ARGUMENT", "timeout \(bad) refused")
        }
    }
}

print("swift: \(passed) passed, \(failed) failed")
exit(failed == 0 ? 0 : 1)
