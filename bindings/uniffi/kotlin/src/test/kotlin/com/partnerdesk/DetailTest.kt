package com.partnerdesk

import com.partnerdesk.Fixtures.ADMIN
import com.partnerdesk.Fixtures.now
import com.partnerdesk.host.Actor
import com.partnerdesk.host.DetailArgs
import com.partnerdesk.host.Role
import java.io.File
import java.math.BigDecimal
import kotlin.io.path.createTempDirectory
import kotlin.test.AfterTest
import kotlin.test.Test
import kotlin.test.assertContentEquals
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

/**
 * A customer's detail pages (orders, resources, spend details, the portfolio's renewals) and
 * their export: each list agrees with what the desk already shows, pages by cursor read every
 * line once, a bad option is a typed error naming it, and an export's job is a `detail` job
 * that survives a reopen of a durable desk.
 */
class DetailTest {
    private val admin = Actor.Operator(ADMIN)
    private val byId = SortOrder(SortKey.ID)
    /** A page as large as paging allows. */
    private val all = 1000u
    private val dir: File = createTempDirectory("partnerdesk-detail").toFile()

    /** The demo's billing month at `now`. */
    private val month = "2026-11"

    @AfterTest
    fun clean() {
        dir.deleteRecursively()
    }

    private fun desk(): Desk = Fixtures.demo(300u, 3uL)

    /** A customer with some orders (one unpaid), resources and spend records this month. */
    private fun customer(desk: Desk): String =
        desk.selectIds("", byId, now).firstOrNull { id ->
            val o = desk.orderOverview(admin, id)
            o.all > 2u && o.unpaid > 0u &&
                desk.customerResources(admin, id, limit = 1u, now = now).total > 2u &&
                desk.spendDetails(admin, id, month, limit = 1u).total > 2u
        } ?: error("the demo has a customer with orders, resources and spend")

    /** Every line of a list read page by page through its cursor, and how many pages. */
    private fun <T> byCursor(read: (String?) -> Pair<List<T>, String?>): Pair<List<T>, Int> {
        val lines = mutableListOf<T>()
        var cursor: String? = null
        var pages = 0
        while (true) {
            val (items, next) = read(cursor)
            lines += items
            pages++
            assertTrue(pages <= 1000, "paging ends")
            cursor = next ?: break
        }
        return lines to pages
    }

    private fun sum(amounts: List<BigDecimal>): BigDecimal = amounts.fold(BigDecimal.ZERO, BigDecimal::add)

    private fun assertSame(expected: BigDecimal, actual: BigDecimal, what: String) =
        assertEquals(0, expected.compareTo(actual), "$what: $expected != $actual")

    @Test
    fun `orders - the totals are the order overview, newest first, unpaid ones pending payment`() {
        desk().use { desk ->
            val id = customer(desk)
            val overview = desk.orderOverview(admin, id)
            val orders = desk.customerOrders(admin, id, limit = all)
            assertEquals(overview.all, orders.total)
            assertEquals(overview.all, orders.items.size.toUInt())
            assertNull(orders.nextCursor)
            orders.items.zipWithNext { a, b -> assertTrue(a.createdAt >= b.createdAt, "newest first") }
            assertTrue(orders.items.all { it.amount.currency == "CNY" })
            val unpaid = desk.customerOrders(admin, id, limit = all, scope = "unpaid")
            assertEquals(overview.unpaid, unpaid.total)
            assertEquals(overview.unpaid, desk.customerRow(id, now).unpaidOrders)
            assertTrue(unpaid.items.all { it.status == "pending_payment" && it.paidAt == null })
            assertTrue(orders.items.map { it.id }.containsAll(unpaid.items.map { it.id }))
            assertEquals(orders, desk.customerOrders(admin, id, limit = all, scope = "all"))
        }
    }

    @Test
    fun `resources - a filter and an order, those expiring soon include every resource to renew`() {
        desk().use { desk ->
            val id = customer(desk)
            val mine = desk.customerResources(admin, id, limit = all, now = now)
            assertTrue(mine.items.all { it.customerId == id })
            val soon = desk.customerResources(admin, id, limit = all, expiringWithinDays = 400L, now = now)
            val renew = desk.resourcesToRenew(admin, 400L, id, now)
            assertTrue(renew.isNotEmpty() && soon.total > renew.size.toUInt(), "some to renew, some renewing themselves")
            val soonIds = soon.items.map { it.id }.toSet()
            for (r in renew) assertTrue(r.resourceId in soonIds, "${r.resourceId} expires within 400 days")
            val toRenew = renew.map { it.resourceId }.toSet()
            for (r in soon.items.filterNot { it.id in toRenew }) assertEquals("auto_renew", r.expiryPolicy)
            soon.items.zipWithNext { a, b -> assertTrue(a.expiresAt!! <= b.expiresAt!!, "soonest first") }
            val kind = mine.items.first().kind
            val ofKind = desk.customerResources(admin, id, limit = all, kinds = listOf(kind), sort = "newest_first", now = now)
            assertEquals(mine.items.count { it.kind == kind }.toUInt(), ofKind.total)
            assertTrue(ofKind.items.all { it.kind == kind })
            ofKind.items.zipWithNext { a, b -> assertTrue(a.startsAt >= b.startsAt, "newest first") }
            val active = desk.customerResources(admin, id, limit = all, statuses = listOf("active"), now = now)
            assertEquals(mine.items.count { it.status == "active" }.toUInt(), active.total)
        }
    }

    @Test
    fun `spend details - records, by product and by charging mode sum the same, days agree with dailySpend`() {
        desk().use { desk ->
            val id = customer(desk)
            val records = desk.spendDetails(admin, id, month, limit = all)
            assertTrue(records.items.all { it.records == 1u && it.day!!.startsWith(month) && it.product != null && it.mode != null })
            val total = sum(records.items.map { it.amount.amount })
            val byProduct = desk.spendDetails(admin, id, month, limit = all, group = "product")
            assertTrue(byProduct.items.all { it.product != null && it.day == null && it.mode == null })
            assertSame(total, sum(byProduct.items.map { it.amount.amount }), "by product")
            assertEquals(records.total, byProduct.items.sumOf { it.records })
            val byMode = desk.spendDetails(admin, id, month, limit = all, group = "charging_mode")
            assertSame(total, sum(byMode.items.map { it.amount.amount }), "by charging mode")
            val daily = desk.dailySpend(admin, "$month-01", "$month-30", id).associate { it.label to it.amount.amount }
            val byDay = desk.spendDetails(admin, id, month, limit = all, group = "day")
            assertTrue(byDay.items.isNotEmpty())
            for (l in byDay.items) assertSame(assertNotNull(daily[l.day]), l.amount.amount, "${l.day}")
        }
    }

    @Test
    fun `renewals - the pages are resourcesToRenew over the portfolio, in its order`() {
        Fixtures.demo(2000u, 11uL).use { big ->
            val want = big.resourcesToRenew(admin, 30L, now = now).map { it.resourceId }
            assertTrue(want.size > 5, "${want.size} resources to renew")
            val (lines, pages) = byCursor { c -> big.renewalsPage(admin, 30L, limit = 4u, cursor = c, now = now).let { it.items to it.nextCursor } }
            assertEquals(want, lines.map { it.id })
            assertEquals((want.size + 3) / 4, pages)
            assertEquals(want.size.toUInt(), big.renewalsPage(admin, 30L, limit = 1u, now = now).total)
            val second = big.renewalsPage(admin, 30L, offset = 2u, limit = 2u, now = now)
            assertEquals(want.subList(2, 4), second.items.map { it.id })
        }
    }

    @Test
    fun `paging by cursor reads every line once, in the order of one page`() {
        desk().use { desk ->
            val id = customer(desk)
            val orders = desk.customerOrders(admin, id, limit = all)
            val (orderLines, orderPages) = byCursor { c -> desk.customerOrders(admin, id, limit = 1u, cursor = c).let { it.items to it.nextCursor } }
            assertEquals(orders.items, orderLines)
            assertEquals(orders.total.toInt(), orderPages)
            val resources = desk.customerResources(admin, id, limit = all, now = now)
            val (resourceLines, _) = byCursor { c -> desk.customerResources(admin, id, limit = 2u, cursor = c, now = now).let { it.items to it.nextCursor } }
            assertEquals(resources.items, resourceLines)
            assertEquals(resources.total.toInt(), resourceLines.map { it.id }.toSet().size)
            val spend = desk.spendDetails(admin, id, month, limit = all)
            val (spendLines, _) = byCursor { c -> desk.spendDetails(admin, id, month, limit = 2u, cursor = c).let { it.items to it.nextCursor } }
            assertEquals(spend.items, spendLines)
            assertEquals(orders.items.drop(1).take(2), desk.customerOrders(admin, id, offset = 1u, limit = 2u).items)
            assertFailsWith<PartnerDeskException.InvalidCursor> { desk.customerOrders(admin, id, cursor = "not-a-cursor", limit = 5u) }
        }
    }

    @Test
    fun `a bad option is a typed error naming it, and nothing is recorded`() {
        desk().use { desk ->
            val id = customer(desk)
            fun field(call: () -> Unit) = assertFailsWith<PartnerDeskException.InvalidArgument> { call() }.field
            val export = DetailExportOptions()
            val before = desk.exports()
            assertEquals("scope", field { desk.customerOrders(admin, id, limit = all, scope = "Unpaid") })
            assertEquals("kinds", field { desk.customerResources(admin, id, limit = all, kinds = listOf("monthly")) })
            assertEquals("statuses", field { desk.customerResources(admin, id, limit = all, statuses = listOf("gone")) })
            assertEquals("sort", field { desk.customerResources(admin, id, limit = all, sort = "oldest_first") })
            assertEquals("group", field { desk.spendDetails(admin, id, month, limit = all, group = "week") })
            assertEquals("month", assertFailsWith<PartnerDeskException.InvalidDate> { desk.spendDetails(admin, id, "2026-13", limit = all) }.field)
            assertFailsWith<PartnerDeskException.InvalidPage> { desk.customerOrders(admin, id, limit = 0u) }
            assertFailsWith<PartnerDeskException.InvalidId> { desk.customerOrders(admin, "not an id!", limit = all) }
            assertFailsWith<PartnerDeskException.CustomerNotFound> { desk.customerOrders(admin, "f".repeat(32), limit = all) }
            assertEquals("list", field { desk.exportDetailToBuffer(admin, DetailArgs("invoices", id), export, now) })
            assertEquals("month", field { desk.exportDetailToBuffer(admin, DetailArgs("spend", id), export, now) })
            assertEquals("scope", field { desk.exportDetailToBuffer(admin, DetailArgs("orders", id, scope = "Unpaid"), export, now) })
            assertEquals("kinds", field { desk.exportDetailToBuffer(admin, DetailArgs("resources", id, kinds = listOf("monthly")), export, now) })
            assertEquals("bom", field { desk.exportDetailToBuffer(admin, DetailArgs("orders", id), DetailExportOptions(format = "xlsx", bom = true), now) })
            assertEquals("format", field { desk.exportDetailToBuffer(admin, DetailArgs("orders", id), DetailExportOptions(format = "pdf"), now) })
            assertEquals("month", assertFailsWith<PartnerDeskException.InvalidDate> {
                desk.exportDetailToBuffer(admin, DetailArgs("spend", id, month = "2026-13"), export, now)
            }.field)
            assertEquals(before, desk.exports(), "nothing recorded")
        }
    }

    @Test
    fun `permissions - an operator without the spend item is refused spend details, not orders`() {
        Fixtures.demo(50u, 3uL).use { d ->
            // Views own and resellers' customers, no spend item.
            d.addOperator("viewer", "Viewer", Role.OPERATOR, permissions = listOf("BPC_ITEM_SUBCUSTSERV_010100", "BPC_ITEM_SUBCUSTSERV_010500"))
            val viewer = Actor.Operator("viewer")
            val id = d.selectIds("", byId, now).first()
            assertEquals(d.orderOverview(admin, id).all, d.customerOrders(viewer, id, limit = all).total)
            val e = assertFailsWith<PartnerDeskException.PermissionDenied> { d.spendDetails(viewer, id, month, limit = all) }
            assertEquals("PERMISSION_DENIED", e.code())
            assertFailsWith<PartnerDeskException.PermissionDenied> { d.customerOrders(Actor.Operator("nobody"), id, limit = all) }
            assertFailsWith<PartnerDeskException.PermissionDenied> { d.renewalsPage(Actor.Operator("nobody"), 30L, limit = all, now = now) }
            // An export needs the item that shows the list (not the administrator, unlike the
            // customer list): the spend is refused, audited, and not recorded as a job; a file
            // already at the path stays as it was.
            val path = File(dir, "spend.csv").also { it.writeText("kept") }
            assertFailsWith<PartnerDeskException.PermissionDenied> {
                d.exportDetailToFile(viewer, DetailArgs("spend", id, month = month), path.path, DetailExportOptions(), now)
            }
            assertEquals("kept", path.readText())
            assertEquals(emptyList(), d.exports())
            assertTrue(d.auditLog(kind = "export_detail").any { !it.allowed && it.deniedCode == "PERMISSION_DENIED" })
            d.exportDetailToBuffer(viewer, DetailArgs("orders", id), DetailExportOptions(), now)
            assertEquals(listOf("detail" to Actor.Operator("viewer")), d.exports().map { it.selection to it.actor })
        }
    }

    @Test
    fun `a CSV export read back - a header and a line per order, a detail job downloaded again`() {
        desk().use { desk ->
            val id = customer(desk)
            val path = File(dir, "orders.csv")
            val job = desk.exportDetailToFile(admin, DetailArgs("orders", id), path.path, DetailExportOptions(fileName = "orders.csv"), now)
            val orders = desk.customerOrders(admin, id, limit = all)
            val lines = path.readText().trimEnd().lines()
            assertEquals(orders.total.toInt() + 1, lines.size, "a header and a line per order")
            assertTrue(lines[0].startsWith("Order ID,"), lines[0])
            assertEquals(orders.items.map { it.id }, lines.drop(1).map { it.substringBefore(',') })
            assertEquals("detail", job.selection)
            assertEquals("completed", job.status)
            assertEquals("csv", job.format)
            assertEquals(orders.total, job.rows)
            assertEquals("orders.csv", job.fileName)
            assertEquals(job, desk.exports().single { it.id == job.id })
            val again = File(dir, "again.csv")
            assertEquals(orders.total.toULong(), desk.downloadExport(admin, job.id, again.path, now))
            assertContentEquals(path.readBytes(), again.readBytes())

            // To bytes, grouped, with a byte-order mark: the job is recorded the same way.
            val bytes = desk.exportDetailToBuffer(
                admin, DetailArgs("spend", id, month = month, group = "product"), DetailExportOptions(bom = true), now,
            )
            assertContentEquals(byteArrayOf(0xEF.toByte(), 0xBB.toByte(), 0xBF.toByte()), bytes.copyOfRange(0, 3))
            val spend = desk.spendDetails(admin, id, month, limit = all, group = "product")
            assertEquals(spend.total.toInt() + 1, String(bytes, 3, bytes.size - 3).trimEnd().lines().size)
            val last = desk.exports().last()
            assertEquals("detail", last.selection)
            assertEquals(spend.total, last.rows)
            assertTrue(last.fileName.startsWith("spend") && last.fileName.endsWith(".csv"), last.fileName)
        }
    }

    @Test
    fun `an XLSX export is a ZIP, to a path and to bytes`() {
        desk().use { desk ->
            val id = customer(desk)
            val xlsx = DetailExportOptions(format = "xlsx")
            val bytes = desk.exportDetailToBuffer(admin, DetailArgs("resources", id, sort = "kind"), xlsx, now)
            assertEquals("PK", String(bytes, 0, 2, Charsets.ISO_8859_1))
            val job = desk.exports().last()
            assertEquals("detail" to "xlsx", job.selection to job.format)
            val path = File(dir, "orders.xlsx")
            val filed = desk.exportDetailToFile(admin, DetailArgs("orders", id, scope = "unpaid"), path.path, xlsx, now)
            assertEquals("PK", String(path.readBytes(), 0, 2, Charsets.ISO_8859_1))
            assertEquals(desk.orderOverview(admin, id).unpaid, filed.rows)
            assertTrue(filed.fileName.endsWith(".xlsx"), filed.fileName)
        }
    }

    @Test
    fun `on a durable desk the detail export is committed - its job is there after a reopen`() {
        val location = File(dir, "detail.db").path
        val first = File(dir, "resources.csv")
        val job = Fixtures.demo(40u, 5uL).use { d ->
            d.saveTo(location)
            val id = d.selectIds("", byId, now).first()
            d.exportDetailToFile(admin, DetailArgs("resources", id), first.path, DetailExportOptions(), now)
        }
        Desk.open(location).use { reopened ->
            val found = reopened.exports().single { it.id == job.id }
            assertEquals(job, found)
            assertEquals("detail", found.selection)
            assertTrue(reopened.auditLog(kind = "export_detail").any { it.allowed })
            // And the reopened desk writes it again.
            val again = File(dir, "resources-again.csv")
            assertEquals(job.rows.toULong(), reopened.downloadExport(admin, job.id, again.path, now))
            assertContentEquals(first.readBytes(), again.readBytes())
        }
    }

    @Test
    fun `the README's example`() {
        val out = java.io.ByteArrayOutputStream()
        val spendXlsx = File(dir, "spend.xlsx").path
        val print = java.io.PrintStream(out, true)
        fun println(line: String) = print.println(line)
        // As in README.md, "Customer detail pages" (the file in the temporary folder).
        Desk.demo(300u, 3uL).use { desk ->
            val admin = Actor.Operator("admin")
            val id = desk.selectIds("", SortOrder(SortKey.ID), demoNow()).first()
            var page = desk.customerOrders(admin, id, limit = 20u, scope = "unpaid")
            while (true) {
                page.items.forEach { println("${it.id} ${it.amount.amount} ${it.amount.currency}") }
                page = desk.customerOrders(admin, id, cursor = page.nextCursor ?: break, limit = 20u, scope = "unpaid")
            }
            val job = desk.exportDetailToFile(admin, DetailArgs("spend", id, month = "2026-11", group = "product"),
                spendXlsx, DetailExportOptions(format = "xlsx"), demoNow())
            println("${job.selection} ${job.rows}") // detail <rows>
            assertEquals(desk.orderOverview(admin, id).unpaid.toInt() + 1, out.toString().lines().count { it.isNotEmpty() })
        }
        assertTrue(out.toString().trimEnd().lines().last().matches(Regex("detail [0-9]+")), out.toString())
    }
}
