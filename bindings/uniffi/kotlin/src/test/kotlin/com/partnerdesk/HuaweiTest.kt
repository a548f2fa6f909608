package com.partnerdesk

import com.partnerdesk.host.FreezeScope
import com.partnerdesk.host.BudgetKind
import com.partnerdesk.host.Money
import com.partnerdesk.host.ApiPage
import com.partnerdesk.host.ImportKind
import com.partnerdesk.host.Site
import com.partnerdesk.host.Tier

import java.time.Instant

import org.json.JSONObject
import java.math.BigDecimal
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

/**
 * Huawei BSS interop through the binding: imports of the adapter's fixture responses into a
 * desk (every import kind, pages merged), request bodies built from validated commands, Huawei's
 * answers read per customer, paging plans and the query split. The adapter's rules are tested
 * in Rust; this checks that they cross to Kotlin with their types, names and error codes.
 */
class HuaweiTest {
    private val fx = huaweiFixtures()
    private val now = Instant.parse("2025-03-20T09:00:00Z")
    private val sort = SortOrder(SortKey.ID)
    private val intlCustomer = "06ffbcd46880d3f30f62c001a49be460"
    private val referral = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"

    private fun fixture(name: String): String = fx[name] ?: error("no fixture $name")

    private fun emptyDesk(site: Site = Site.INTERNATIONAL): Desk =
        Desk.empty("p-1", "Example Partner", site, Tier.DISTRIBUTOR, now)

    /** Two JSON texts hold the same JSON (numbers compared by value: 1500.5 == 1500.50). */
    private fun assertSameJson(expected: String, actual: String) =
        assertTrue(JSONObject(expected).similar(JSONObject(actual)), "expected $expected, got $actual")

    @Test
    fun `the fixtures are listed by file name`() {
        for (name in listOf("list_sub_customers.intl.page1.json", "freeze.request.json", "budget.show.json")) {
            JSONObject(fixture(name))
        }
        assertTrue(fx.size >= 30)
    }

    @Test
    fun `a desk from the fixtures of each site can be searched`() {
        Desk.fromHuaweiFixtures(Site.CHINA, now).use { cn ->
            assertTrue(cn.customerCount() >= 100uL)
            assertEquals("CNY", cn.partner().currency)
            assertEquals("china", cn.partner().site)
            val page = cn.search("assoc=reseller", sort, PageRequest.First(20u), now)
            assertTrue(page.total > 0u)
            assertTrue(page.rows.all { it.associationType == "reseller" })
            assertTrue(page.rows.all { it.name.endsWith("***") || it.name.isEmpty() }, "names are masked")
            assertEquals(page.total.toULong(), cn.count("assoc=reseller", now))
        }
        Desk.fromHuaweiFixtures(Site.INTERNATIONAL, now).use { intl ->
            assertEquals("USD", intl.partner().currency)
            val byState = listOf("unknown", "false", "account", "account_and_resources").sumOf { intl.count("frozen=$it", now) }
            assertEquals(intl.count("", now), byState, "every customer has one freeze state")
            val budget = assertNotNull(intl.budgetUsage(intlCustomer, now))
            assertEquals(Money(BigDecimal("1500.5"), "USD"), budget.amount)
        }
    }

    @Test
    fun `two ListSubCustomers pages merge into an empty desk`() {
        emptyDesk().use { desk ->
            assertEquals(0uL, desk.customerCount())
            val pages = listOf(fixture("list_sub_customers.intl.page1.json"), fixture("list_sub_customers.intl.page2.json"))
            val report = desk.importHuawei(ImportKind.LIST_SUB_CUSTOMERS, pages, now = now)
            // The pages overlap on one customer (it moved between the two requests): merged once.
            assertEquals(3, report.added.size)
            assertEquals(report.added.toSet().size, report.added.size)
            assertEquals(emptyList(), report.updated)
            assertEquals(3u, report.reportedTotal)
            assertEquals(4u, report.items)
            assertEquals(3uL, desk.customerCount())
            assertEquals(report.added.sorted(), desk.search("", sort, PageRequest.First(10u), now).rows.map { it.id })
            // The same page again updates, never adds.
            val again = desk.importHuawei(ImportKind.LIST_SUB_CUSTOMERS, pages.take(1), now = now)
            assertEquals(emptyList(), again.added)
            assertEquals(2, again.updated.size)
            assertEquals(3uL, desk.customerCount())
        }
    }

    @Test
    fun `budgets keep their amounts exactly and records cross`() {
        emptyDesk().use { desk ->
            desk.importHuawei(ImportKind.LIST_SUB_CUSTOMERS, listOf(fixture("list_sub_customers.intl.json")), now = now)
            val show = desk.importHuawei(ImportKind.BUDGET, listOf(fixture("budget.show.json")), customer = intlCustomer, now = now)
            assertEquals(1u, show.budgetsSet)
            assertEquals(Money(BigDecimal("1500.5"), "USD"), desk.budgetUsage(intlCustomer, now)?.amount)
            val records = desk.importHuawei(ImportKind.BUDGET_RECORDS, listOf(fixture("budget.records.json")), customer = intlCustomer, now = now)
            assertEquals(2, records.budgetRecords.size)
            val first = records.budgetRecords.first()
            assertEquals(intlCustomer, first.customerId)
            assertEquals("setting", first.operation)
            assertEquals(0, first.amount.amount.compareTo(BigDecimal("1000")))
            assertEquals("USD", first.amount.currency)
            assertEquals("monthly", first.kind)
            assertEquals("partner_admin", first.operator)
            assertEquals(Instant.parse("2025-02-01T03:00:00Z"), first.at)
            assertEquals(0, records.budgetRecords[1].amount.amount.compareTo(BigDecimal("1500.5")), "exact, never a float")
            val list = desk.importHuawei(ImportKind.BUDGETS, listOf(fixture("budget.list.json")), now = now)
            assertTrue(list.items > 0u)
            // Huawei's own figure of use, to reconcile with the desk's.
            val used = list.huaweiBudgetUsed.single { it.customerId == intlCustomer }.used
            assertEquals(Money(BigDecimal("0.1"), "USD"), used)
        }
    }

    @Test
    fun `every import kind crosses on a China desk`() {
        emptyDesk(Site.CHINA).use { desk ->
            val lists = listOf("list_sub_customers.cn.json", "list_sub_customers.cn.all_codes.json", "list_sub_customers.cn.large.json")
            val customers = desk.importHuawei(ImportKind.LIST_SUB_CUSTOMERS, lists.map(::fixture), now = now)
            assertTrue(customers.added.size >= 100)
            val onDemand = desk.importHuawei(ImportKind.ON_DEMAND_RESOURCES, listOf(fixture("resources.on_demand.json")), now = now)
            val owner = "9f8e7d6c5b4a39281706f5e4d3c2b1a0"
            val yearly = desk.importHuawei(ImportKind.SUBSCRIPTION_RESOURCES, listOf(fixture("resources.subscription.json")), customer = owner, now = now)
            assertTrue(onDemand.resources + yearly.resources > 0u)
            val orders = desk.importHuawei(ImportKind.ORDERS, listOf(fixture("orders.json")), now = now)
            assertTrue(orders.orders > 0u)
            val fees = desk.importHuawei(
                ImportKind.FEE_RECORDS,
                listOf(fixture("bills.fee_records.page1.json"), fixture("bills.fee_records.page2.json")),
                cycle = "2025-03",
                now = now,
            )
            assertTrue(fees.spendRecords > 0u)
            val sums = desk.importHuawei(ImportKind.MONTHLY_BILLS, listOf(fixture("bills.monthly.json")), cycle = "2025-03", now = now)
            assertTrue(sums.items > 0u)
            val row = desk.customerRow(owner, now)
            assertTrue(row.monthToDate.amount > BigDecimal.ZERO, "spend reached the row")
            // Imports through a reseller record it on the customers.
            val reseller = "0b5e9bb21980d20c0f0fc00874a9e000"
            desk.importHuawei(ImportKind.LIST_SUB_CUSTOMERS, listOf(fixture("list_sub_customers.cn.json")), reseller = reseller, now = now)
            assertTrue(desk.count("reseller=$reseller", now) > 0uL)
        }
    }

    @Test
    fun `a refused import gives its typed error and changes nothing`() {
        emptyDesk().use { desk ->
            val data = assertFailsWith<PartnerDeskException.HuaweiInvalidData> {
                desk.importHuawei(ImportKind.LIST_SUB_CUSTOMERS, listOf(fixture("list_sub_customers.missing_id.json")), now = now)
            }
            assertEquals("HUAWEI_INVALID_DATA", data.code())
            assertTrue(data.field.contains("customer_id"), data.field)
            val api = assertFailsWith<PartnerDeskException.HuaweiApiException> {
                desk.importHuawei(ImportKind.LIST_SUB_CUSTOMERS, listOf(fixture("error.denied.json")), now = now)
            }
            assertEquals("HUAWEI_API_ERROR", api.code())
            assertEquals("CBC.0151", api.huaweiCode)
            assertEquals("PERMISSION_DENIED", api.kind)
            assertFalse(api.retryable)
            assertFalse(api.detail.contains("Access denied"), "Huawei's text stays out of errors")
            assertFailsWith<PartnerDeskException.MalformedJson> {
                desk.importHuawei(ImportKind.ORDERS, listOf("""{"total_count": """), now = now)
            }
            assertFailsWith<PartnerDeskException.InvalidDate> {
                desk.importHuawei(ImportKind.MONTHLY_BILLS, listOf(fixture("bills.monthly.json")), cycle = "2025-13", now = now)
            }
            assertFailsWith<PartnerDeskException.InvalidId> {
                desk.importHuawei(ImportKind.BUDGET, listOf(fixture("budget.show.json")), customer = "", now = now)
            }
            // What a kind needs and lacks is refused by name.
            val noCustomer = assertFailsWith<PartnerDeskException.InvalidArgument> {
                desk.importHuawei(ImportKind.BUDGET_RECORDS, listOf(fixture("budget.records.json")), now = now)
            }
            assertEquals("customer", noCustomer.field)
            val noCycle = assertFailsWith<PartnerDeskException.InvalidArgument> {
                desk.importHuawei(ImportKind.FEE_RECORDS, listOf(fixture("bills.fee_records.page1.json")), now = now)
            }
            assertEquals("cycle", noCycle.field)
            val twoBudgets = assertFailsWith<PartnerDeskException.InvalidArgument> {
                desk.importHuawei(ImportKind.BUDGET, listOf(fixture("budget.show.json"), fixture("budget.show.json")), customer = intlCustomer, now = now)
            }
            assertEquals("pages", twoBudgets.field)
            // A good page followed by a bad one: the whole import is refused.
            assertFailsWith<PartnerDeskException.HuaweiInvalidData> {
                desk.importHuawei(
                    ImportKind.LIST_SUB_CUSTOMERS,
                    listOf(fixture("list_sub_customers.intl.json"), fixture("list_sub_customers.missing_id.json")),
                    now = now,
                )
            }
            assertEquals(0uL, desk.customerCount())
        }
    }

    @Test
    fun `a paging plan covers 250 customers exactly once within the bounds`() {
        val plan = huaweiPagePlan(250L, 100u)
        assertEquals(listOf(ApiPage(0u, 100u), ApiPage(100u, 100u), ApiPage(200u, 50u)), plan)
        val seen = IntArray(250)
        for (p in plan) {
            assertTrue(p.limit in 1u..100u)
            for (i in p.offset until p.offset + p.limit) seen[i.toInt()]++
        }
        assertTrue(seen.all { it == 1 }, "each customer exactly once")
        assertEquals(plan, huaweiPagePlan(250L), "the limit defaults to 100")
        assertEquals(emptyList(), huaweiPagePlan(0L, 10u))
        assertFailsWith<PartnerDeskException.InvalidPage> { huaweiPagePlan(10L, 101u) }
        assertFailsWith<PartnerDeskException.InvalidPage> { huaweiPagePlan(10L, 0u) }
        assertEquals("total", assertFailsWith<PartnerDeskException.InvalidArgument> { huaweiPagePlan(-1L) }.field)
        val tooMany = assertFailsWith<PartnerDeskException.HuaweiPagingOutOfBounds> { huaweiPagePlan(50_000_000L, 100u) }
        assertEquals("HUAWEI_PAGING_OUT_OF_BOUNDS", tooMany.code())
    }

    @Test
    fun `request bodies equal the SDK-shaped fixtures`() {
        val freeze = huaweiFreezeBody(listOf(intlCustomer), "Budget overrun pending review", FreezeScope.ACCOUNT_AND_RESOURCES)
        assertSameJson(fixture("freeze.request.json"), freeze)
        assertFalse(freeze.contains("indirect_partner_id"), "absent unless a reseller is named")
        val unfreeze = huaweiUnfreezeBody(
            listOf(intlCustomer, "00000000000000000000000000001002"),
            "Budget raised",
            FreezeScope.ACCOUNT,
            reseller = "0b5e9bb21980d20c0f0fc00874a9e000",
        )
        assertSameJson(fixture("unfreeze.request.json"), unfreeze)
        // The scope defaults to the account.
        val ids = listOf(intlCustomer, "00000000000000000000000000001002")
        assertSameJson(
            huaweiFreezeBody(ids, "Budget raised", FreezeScope.ACCOUNT),
            huaweiFreezeBody(ids, "Budget raised"),
        )
        val budget = huaweiBudgetBody(intlCustomer, BigDecimal("1500.50"), "USD", BudgetKind.MONTHLY, autoFreeze = true, unfreeze = true)
        assertSameJson(fixture("budget.request.json"), budget)
        assertTrue(budget.contains("\"budget_amount\":1500.5"), "a JSON number with the decimal's digits: $budget")
        val oneOff = huaweiBudgetBody("00000000000000000000000000001002", BigDecimal("0.1"), "CNY", BudgetKind.ONE_OFF)
        assertSameJson(fixture("budget.request.package.json"), oneOff)
        // The kind defaults to monthly, the switches to off.
        assertSameJson(
            huaweiBudgetBody(intlCustomer, BigDecimal("10"), "USD", BudgetKind.MONTHLY, autoFreeze = false, unfreeze = false),
            huaweiBudgetBody(intlCustomer, BigDecimal("10"), "USD"),
        )
    }

    @Test
    fun `a refused command gives the typed error and no body`() {
        val ids = (0 until 11).map { "0000000000000000000000000000${1000 + it}" }
        val tooMany = assertFailsWith<PartnerDeskException.TooManyIds> { huaweiFreezeBody(ids, "overdue", FreezeScope.ACCOUNT) }
        assertEquals(11uL, tooMany.given)
        assertEquals(10uL, tooMany.max)
        assertFailsWith<PartnerDeskException.TooManyIds> { huaweiUnfreezeBody(ids, "paid", FreezeScope.ACCOUNT) }
        assertFailsWith<PartnerDeskException.InvalidReason> { huaweiFreezeBody(ids.take(1), "", FreezeScope.ACCOUNT) }
        assertFailsWith<PartnerDeskException.InvalidReason> { huaweiFreezeBody(ids.take(1), "x".repeat(257), FreezeScope.ACCOUNT) }
        for (amount in listOf("12.345", "0", "-5", "2147483648").map(::BigDecimal)) {
            val e = assertFailsWith<PartnerDeskException.InvalidMoney>("amount '$amount'") {
                huaweiBudgetBody(ids[0], amount, "CNY", BudgetKind.MONTHLY)
            }
            assertEquals("INVALID_MONEY", e.code())
        }
        assertFailsWith<PartnerDeskException.InvalidCurrency> { huaweiBudgetBody(ids[0], BigDecimal("10"), "cny", BudgetKind.MONTHLY) }
        assertFailsWith<PartnerDeskException.InvalidId> { huaweiFreezeBody(listOf("bad id"), "overdue", FreezeScope.ACCOUNT) }
    }

    @Test
    fun `Huawei's answers are read per customer`() {
        val partial = huaweiBatchOutcome(listOf(intlCustomer, referral), fixture("freeze.partial_failure.json"), 200u)
        assertEquals(1u, partial.succeeded)
        assertEquals(1u, partial.failed)
        assertEquals(listOf(intlCustomer, referral), partial.items.map { it.customerId })
        val (ok, bad) = partial.items
        assertTrue(ok.ok)
        assertNull(ok.code)
        assertNull(ok.huaweiCode)
        assertNull(ok.huaweiMessage)
        assertFalse(bad.ok)
        assertEquals("CBC.5024", bad.huaweiCode)
        assertEquals("WRONG_ASSOCIATION_TYPE", bad.code)
        assertNotNull(bad.huaweiMessage, "Huawei's text is kept for the operator")
        assertNull(bad.retryAfterMs)
        assertFalse(partial.retryable)
        // The same outcome in the core's terms: the code and details of a local freeze's refusal.
        val local = partial.asBatch.items[1]
        assertEquals("WRONG_ASSOCIATION_TYPE", local.code)
        assertEquals(referral, local.details["id"])

        val throttled = huaweiBatchOutcome(listOf(intlCustomer), fixture("error.throttled.json"), 429u)
        assertEquals("THROTTLED", throttled.items.single().code)
        assertEquals(1000u, throttled.items.single().retryAfterMs)
        assertTrue(throttled.retryable)

        val done = huaweiBatchOutcome(listOf(intlCustomer, referral), fixture("freeze.success.json"), 200u)
        assertEquals(2u, done.succeeded)
        assertEquals(0u, done.failed)
        assertEquals(2u, huaweiBatchOutcome(listOf(intlCustomer, referral), "").succeeded, "an empty body is success")
        assertEquals(
            "http_status",
            assertFailsWith<PartnerDeskException.InvalidArgument> { huaweiBatchOutcome(listOf(intlCustomer), "", 70_000u) }.field,
        )
    }

    @Test
    fun `an error response maps to its code and an unknown code is kept`() {
        val denied = huaweiBatchOutcome(listOf(intlCustomer), fixture("error.denied.json"), 403u).items.single()
        assertEquals("PERMISSION_DENIED", denied.code)
        assertEquals("CBC.0151", denied.huaweiCode)

        val unknown = huaweiBatchOutcome(listOf(intlCustomer), fixture("error.unknown_code.json"), 400u).items.single()
        assertEquals("HUAWEI_UNKNOWN_ERROR", unknown.code)
        assertEquals("CBC.4711", unknown.huaweiCode)
        assertEquals("Something new.", unknown.huaweiMessage, "the text is kept for the operator")

        // error_details with known and unknown codes, and ids that were not requested.
        val requested = listOf(referral, "00000000000000000000000000002003", intlCustomer)
        val mixed = huaweiBatchOutcome(requested, fixture("freeze.partial_failure.mixed.json"), 200u)
        assertEquals(
            listOf("WRONG_ASSOCIATION_TYPE", "HUAWEI_UNKNOWN_ERROR", null),
            mixed.items.map { it.code },
        )
        assertEquals("CBC.7777", mixed.items[1].huaweiCode)
        assertEquals(
            setOf("00000000000000000000000000001002" to "PERMISSION_DENIED", "ffffffffffffffffffffffffffffffff" to "THROTTLED"),
            mixed.unexpected.map { it.customerId to it.code }.toSet(),
        )
        val kinds = huaweiApiKinds()
        assertTrue(mixed.items.mapNotNull { it.code }.all { it in kinds })
        assertTrue(mixed.unexpected.mapNotNull { it.code }.all { it in kinds })
        assertTrue("HUAWEI_UNKNOWN_ERROR" in kinds && "THROTTLED" in kinds && "WRONG_ASSOCIATION_TYPE" in kinds)
        assertEquals(kinds.size, kinds.toSet().size, "each kind once")
    }

    @Test
    fun `a query splits into the API body and the local rest`() {
        val split = huaweiSplitQuery("assoc=reseller and mtd>=100 and name~acme", Site.INTERNATIONAL, limit = 50u)
        assertSameJson("""{"customer":"acme","offset":0,"limit":50,"association_type":"3"}""", split.apiBody)
        assertEquals("mtd>=100", split.localFilter)
        val china = huaweiSplitQuery("assoc=reseller", Site.CHINA, offset = 200u, limit = 100u)
        assertSameJson("""{"offset":200,"limit":100,"association_type":"2"}""", china.apiBody)
        assertEquals("*", china.localFilter)
        // The local part is a filter the desk takes as it is.
        Desk.fromHuaweiFixtures(Site.INTERNATIONAL, now).use { desk -> desk.count(china.localFilter, now) }
        // The page defaults to the first of those `huaweiPagePlan` plans: offset 0, 100 records.
        assertSameJson("""{"offset":0,"limit":100}""", huaweiSplitQuery("", Site.CHINA).apiBody)
        assertFailsWith<PartnerDeskException.FilterSyntax> { huaweiSplitQuery("mtd>=", Site.CHINA) }
        assertFailsWith<PartnerDeskException.InvalidPage> { huaweiSplitQuery("", Site.CHINA, limit = 101u) }
        assertFailsWith<PartnerDeskException.HuaweiPagingOutOfBounds> { huaweiSplitQuery("", Site.CHINA, offset = 40_000_001u) }
    }

    @Test
    fun `the adapter's codes are listed`() {
        assertEquals(listOf("HUAWEI_API_ERROR", "HUAWEI_INVALID_DATA", "HUAWEI_PAGING_OUT_OF_BOUNDS"), huaweiErrorCodes())
        assertTrue((errorCodes() intersect huaweiErrorCodes().toSet()).isEmpty())
    }
}
