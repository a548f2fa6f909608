package com.partnerdesk

import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertNotNull

/** The quick-start scenario every binding runs (same as the Python and Node quick starts). */
class QuickStartTest {
    @Test
    fun `quick start`() {
        Desk.demo(1_000u, 42uL).use { desk ->
            val now = demoNow()
            val filter = "assoc=reseller and mtd>=1000 and (tag:vip or tag:gold)"
            val sort = SortOrder(SortKey.MONTH_TO_DATE, descending = true)
            val page = desk.search(filter, sort, PageRequest.First(5u), now)
            println("total: ${page.total}")
            for (row in page.rows) {
                println("${row.id}  ${row.name}  ${row.monthToDate.amount} ${row.monthToDate.currency}")
            }
            val cursor = assertNotNull(page.nextCursor)
            val next = desk.search(filter, sort, PageRequest.After(cursor, 5u), now)
            println("next page: ${next.rows.map { it.id }}")
            assertEquals(page.total, next.total)

            val e = assertFailsWith<PartnerDeskException.FilterSyntax> {
                desk.search("mtd>=", sort, PageRequest.First(5u), now)
            }
            println("bad filter: ${e.code()}")
            assertEquals("FILTER_SYNTAX", e.code())
        }
    }
}
