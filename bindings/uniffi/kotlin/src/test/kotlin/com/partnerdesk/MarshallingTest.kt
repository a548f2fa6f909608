package com.partnerdesk

import java.math.BigDecimal
import java.time.Instant
import java.util.concurrent.Callable
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit
import kotlin.test.Test
import kotlin.test.assertContentEquals
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

/** Marshalling of every record, enum and object crossing the JNA boundary. */
class MarshallingTest {
    private val filter = "assoc=reseller and mtd>=1000 and (tag:vip or tag:gold)"
    private val byMtd = SortOrder(SortKey.MONTH_TO_DATE, descending = true)

    @Test
    fun `demo desk and partner cross as plain records`() {
        Desk.demo(1000u, 42uL).use { desk ->
            assertEquals(1000uL, desk.customerCount())
            val p = desk.partner()
            assertEquals("demo-partner", p.id)
            assertEquals("china", p.site)
            assertEquals("distributor", p.tier)
            assertEquals("CNY", p.currency)
            assertEquals(480, p.billingOffsetMinutes)
            assertEquals("2026-11", desk.indexedMonth())
            assertEquals(Instant.parse("2026-11-29T09:00:00Z"), demoNow())
        }
    }

    @Test
    fun `rows are masked, money is decimal text, times are UTC RFC 3339`() {
        Desk.demo(1000u, 42uL).use { desk ->
            val page = desk.search(filter, byMtd, PageRequest.First(20u), demoNow())
            assertEquals(20, page.rows.size)
            var previous: BigDecimal? = null
            for (row in page.rows) {
                assertTrue(row.name.isEmpty() || row.name.endsWith("***"), "name masked")
                row.email?.let { assertTrue(it.contains("***@"), "email masked") }
                row.mobile?.let { assertTrue(it.contains("****"), "mobile masked") }
                assertEquals("reseller", row.associationType)
                assertTrue(row.tags.any { it == "vip" || it == "gold" })
                val mtd = row.monthToDate.amount // exact, never a float
                assertEquals("CNY", row.monthToDate.currency)
                assertTrue(mtd >= BigDecimal(1000))
                previous?.let { assertTrue(it >= mtd, "sorted by month-to-date, descending") }
                previous = mtd
                assertTrue(row.lastMonth.amount.scale() <= 2, "an exact amount with cents")
                assertTrue(row.associatedAt.isBefore(demoNow()), "an Instant, in the past")
                row.nextExpiry?.let { assertTrue(it.epochSecond > 0) }
                row.budget?.let { b ->
                    assertTrue(b.kind == "monthly" || b.kind == "one_off")
                    assertEquals(b.percent.scale() <= 2, true)
                    assertTrue(b.amount.amount.signum() > 0)
                    assertTrue(b.used.amount.scale() <= 2)
                }
            }
        }
    }

    @Test
    fun `a row by id equals the row in a page`() {
        Desk.demo(300u, 5uL).use { desk ->
            val page = desk.search("", SortOrder(SortKey.ID), PageRequest.First(3u), demoNow())
            for (row in page.rows) {
                assertEquals(row, desk.customerRow(row.id, demoNow()))
            }
        }
    }

    @Test
    fun `cursor paging and offset paging agree, and count equals total`() {
        Desk.demo(1000u, 42uL).use { desk ->
            val now = demoNow()
            val total = desk.count(filter, now)
            val seen = mutableListOf<String>()
            var page = desk.search(filter, byMtd, PageRequest.First(7u), now)
            while (true) {
                assertEquals(total, page.total.toULong())
                seen += page.rows.map { it.id }
                val cursor = page.nextCursor ?: break
                page = desk.search(filter, byMtd, PageRequest.After(cursor, 7u), now)
            }
            assertEquals(total.toInt(), seen.size)
            assertEquals(seen.size, seen.toSet().size, "no row twice")
            val byOffset = desk.search(filter, byMtd, PageRequest.Offset(7uL, 7u), now)
            assertContentEquals(seen.subList(7, 14), byOffset.rows.map { it.id })
        }
    }

    @Test
    fun `blank filter means everyone, disassociated only on request`() {
        Desk.demo(500u, 3uL).use { desk ->
            val now = demoNow()
            val associated = desk.count("", now)
            val all = desk.count("", now, includeDisassociated = true)
            assertTrue(associated <= all)
            assertEquals(500uL, all)
        }
    }

    @Test
    fun `snapshot JSON round trip keeps every row`() {
        Desk.demo(200u, 9uL).use { desk ->
            val json = desk.toSnapshotJson()
            Desk.fromSnapshotJson(json).use { again ->
                assertEquals(desk.customerCount(), again.customerCount())
                val sort = SortOrder(SortKey.NAME)
                val a = desk.search("", sort, PageRequest.First(200u), demoNow())
                val b = again.search("", sort, PageRequest.First(200u), demoNow())
                assertEquals(a, b)
                assertEquals(json, again.toSnapshotJson())
            }
        }
    }

    @Test
    fun `filter text is normalized`() {
        assertEquals(
            "name~acme and mtd>=1000 and (tag:vip or tag:gold)",
            normalizeFilter("name~acme  and mtd>=1000 and (tag:vip or tag:gold)"),
        )
    }

    @Test
    fun `unicode survives the trip`() {
        Desk.demo(1000u, 42uL).use { desk ->
            val rows = desk.search("", SortOrder(SortKey.NAME), PageRequest.First(1000u), demoNow()).rows
            assertTrue(rows.any { r -> r.name.any { it.code > 0x7f } }, "some masked names keep a non-ASCII first letter")
        }
    }

    @Test
    fun `a closed desk refuses calls instead of crashing, and its results outlive it`() {
        val desk = Desk.demo(10u, 1uL)
        val page = desk.search("", SortOrder(SortKey.ID), PageRequest.First(10u), demoNow())
        desk.close()
        desk.close() // closing twice is harmless
        assertFailsWith<IllegalStateException> { desk.customerCount() }
        // Records are plain copies: still readable after the desk is gone.
        assertEquals(10, page.rows.size)
        assertTrue(page.rows.all { it.id.isNotEmpty() })
    }

    @Test
    fun `one desk is safe to share between threads`() {
        Desk.demo(1000u, 42uL).use { desk ->
            val pool = Executors.newFixedThreadPool(4)
            try {
                val jobs = (0 until 16).map { i ->
                    Callable {
                        desk.search(filter, byMtd, PageRequest.Offset(i.toULong(), 5u), demoNow()).total
                    }
                }
                val totals = pool.invokeAll(jobs).map { it.get() }.toSet()
                assertEquals(1, totals.size)
            } finally {
                pool.shutdown()
                pool.awaitTermination(10, TimeUnit.SECONDS)
            }
        }
    }

    @Test
    fun `optional fields cross as null`() {
        Desk.demo(1000u, 42uL).use { desk ->
            val rows = desk.search("", SortOrder(SortKey.ID), PageRequest.First(1000u), demoNow()).rows
            assertTrue(rows.any { it.budget == null })
            assertTrue(rows.any { it.budget != null })
            assertTrue(rows.any { it.freezeScope != null })
            val last = desk.search("", SortOrder(SortKey.ID), PageRequest.Offset(990uL, 50u), demoNow())
            assertNull(last.nextCursor)
            assertNotNull(desk.search("", SortOrder(SortKey.ID), PageRequest.First(5u), demoNow()).nextCursor)
        }
    }
}
