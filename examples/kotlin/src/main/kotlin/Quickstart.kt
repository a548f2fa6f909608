// partnerdesk quick start (Kotlin): the shared scenario of the Python, Node and Kotlin guides,
// plus one governed command. Depends only on com.partnerdesk:partnerdesk-kotlin (pom.xml), whose
// jar carries the native library: run it with `mvn -q compile exec:java`.
package example

import com.partnerdesk.host.FreezeScope
import com.partnerdesk.Desk
import com.partnerdesk.PageRequest
import com.partnerdesk.PartnerDeskException
import com.partnerdesk.SortKey
import com.partnerdesk.SortOrder
import com.partnerdesk.demoNow
import com.partnerdesk.host.Actor
import java.math.BigDecimal

fun main() {
    Desk.demo(1_000u, 42uL).use { desk -> // 1,000 demo customers, seed 42
        val now = demoNow() // the Instant the demo is built for; `now` defaults to the clock
        val filter = "assoc=reseller and mtd>=1000 and (tag:vip or tag:gold)"
        val sort = SortOrder(SortKey.MONTH_TO_DATE, descending = true)

        val page = desk.search(filter, sort, PageRequest.First(5u), now)
        println("total: ${page.total}")
        for (row in page.rows) {
            // Names are masked; money is an exact BigDecimal, never a float.
            val spend: BigDecimal = row.monthToDate.amount
            println("${row.id}  ${row.name}  ${spend.toPlainString()} ${row.monthToDate.currency}")
        }

        page.nextCursor?.let { cursor ->
            val next = desk.search(filter, sort, PageRequest.After(cursor, 5u), now)
            println("next page: ${next.rows.joinToString(", ") { it.id }}")
        }

        // A governed command: the billing operator may freeze, an account manager may not.
        val target = page.rows.first { it.freezeScope == null }.id
        val outcome = desk.freeze(Actor.Operator("ops_billing"), listOf(target), "overdue invoice", FreezeScope.ACCOUNT, now)
        println("freeze by ops_billing: ${outcome.succeeded} done, ${outcome.failed} refused")
        println("row now: frozen=${desk.customerRow(target, now).freezeScope}")
        try {
            desk.freeze(Actor.Operator("am_000"), listOf(target), "overdue invoice", FreezeScope.ACCOUNT, now)
        } catch (e: PartnerDeskException.PermissionDenied) {
            println("freeze by am_000: ${e.code()}") // PERMISSION_DENIED, audited, nothing changed
        }

        try {
            desk.search("mtd>=", sort, PageRequest.First(5u), now)
        } catch (e: PartnerDeskException) {
            println("bad filter: ${e.code()}") // FILTER_SYNTAX
        }
    }
}
