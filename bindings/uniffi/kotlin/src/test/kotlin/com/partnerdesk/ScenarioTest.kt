package com.partnerdesk

import com.partnerdesk.host.FreezeScope
import com.partnerdesk.host.BudgetKind
import com.partnerdesk.host.AuthorizationScope
import com.partnerdesk.host.Actor
import com.partnerdesk.host.SensitiveField

import com.partnerdesk.Fixtures.ADMIN
import com.partnerdesk.Fixtures.BILLING
import com.partnerdesk.Fixtures.MANAGER
import com.partnerdesk.Fixtures.OTHER_MANAGER
import com.partnerdesk.Fixtures.now
import java.math.BigDecimal
import java.time.Instant
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertNotEquals
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

/** An account manager's day on a phone, end to end through the generated Kotlin API. */
class ScenarioTest {
    private val byMtd = SortOrder(SortKey.MONTH_TO_DATE, descending = true)

    /** The snapshot a host would have stored (here: the demo portfolio, saved once). */
    private val stored: String = Fixtures.demo().use { it.toSnapshotJson() }

    @Test
    fun `load, search, freeze, set a budget, unfreeze, save`() {
        Desk.fromSnapshotJson(stored).use { desk ->
            // Search: unfrozen reseller-model customers spending the most this month.
            val filter = "assoc=reseller and frozen=false and mtd>=500"
            val page = desk.search(filter, byMtd, PageRequest.First(3u), now)
            assertEquals(3, page.rows.size)
            val ids = page.rows.map { it.id }

            // Freeze two of them; one unknown id in the batch is refused on its own.
            val out = desk.freeze(Actor.Operator(BILLING), ids.take(2) + "no-such-customer", "overdue invoice 2026-11", FreezeScope.ACCOUNT, now)
            assertEquals(2u, out.succeeded)
            assertEquals(1u, out.failed)
            assertEquals(listOf(null, null), out.items.take(2).map { it.code })
            assertEquals("CUSTOMER_NOT_FOUND", out.items[2].code)
            assertEquals("no-such-customer", out.items[2].details["id"])
            for (id in ids.take(2)) {
                val row = desk.customerRow(id, now)
                assertEquals("account", row.freezeScope)
                assertEquals("manual", row.freezeOrigin)
            }
            assertEquals(page.total.toULong() - 2uL, desk.count(filter, now), "the search sees the freeze")

            // Set a budget on the third: a decimal string, exactly kept.
            val third = ids[2]
            desk.setBudget(Actor.Operator(BILLING), third, BigDecimal("12345.67"), BudgetKind.MONTHLY, now = now, autoFreeze = true)
            val usage = assertNotNull(desk.budgetUsage(third, now))
            assertEquals(BigDecimal("12345.67"), usage.amount.amount)
            assertEquals("CNY", usage.amount.currency)
            assertEquals("monthly", usage.kind)
            assertTrue(usage.autoFreeze)
            assertEquals(BILLING, usage.setBy)
            val expected = usage.used.amount.multiply(BigDecimal(100))
                .divide(BigDecimal("12345.67"), 2, java.math.RoundingMode.HALF_EVEN)
            assertEquals(0, expected.compareTo(usage.percent))
            assertEquals(BigDecimal("12345.67"), desk.customerRow(third, now).budget!!.amount.amount)

            // Unfreeze one with the same scope and a reason.
            val back = desk.unfreeze(Actor.Operator(BILLING), listOf(ids[0]), "paid", FreezeScope.ACCOUNT, now)
            assertEquals(1u, back.succeeded)
            assertNull(desk.customerRow(ids[0], now).freezeScope)

            // Save and load again: the changes survive.
            Desk.fromSnapshotJson(desk.toSnapshotJson()).use { again ->
                assertEquals("account", again.customerRow(ids[1], now).freezeScope)
                assertNull(again.customerRow(ids[0], now).freezeScope)
                assertEquals(BigDecimal("12345.67"), again.budgetUsage(third, now)!!.amount.amount)
            }

            // Every step is in the audit log, without personal data.
            val kinds = desk.auditLog(customer = ids[1]).map { it.kind }
            assertTrue("freeze" in kinds, "audited: $kinds")
        }
    }

    @Test
    fun `setting a budget can unfreeze in the same call`() {
        Desk.fromSnapshotJson(stored).use { desk ->
            val id = Fixtures.first(desk, "assoc=reseller and frozen=account")
            desk.setBudget(Actor.Operator(ADMIN), id, BigDecimal("2000"), BudgetKind.ONE_OFF, now = now, unfreeze = true)
            val row = desk.customerRow(id, now)
            assertNull(row.freezeScope)
            assertEquals("one_off", row.budget?.kind)
            assertFalse(row.budget!!.autoFreeze)
        }
    }

    @Test
    fun `assign a manager, with one refusal in the batch`() {
        Desk.fromSnapshotJson(stored).use { desk ->
            val ids = Fixtures.ids(desk, "assoc=reseller and manager!=$OTHER_MANAGER", 2u)
            val out = desk.assignManager(Actor.Operator(MANAGER), ids, OTHER_MANAGER, now)
            assertEquals(2u, out.succeeded)
            for (id in ids) assertEquals(OTHER_MANAGER, desk.customerRow(id, now).accountManager)
            assertEquals(ids.toSet(), Fixtures.ids(desk, "manager=$OTHER_MANAGER", 1000u).toSet() intersect ids.toSet())
            // Assigning again to the same manager is refused for that customer only.
            val again = desk.assignManager(Actor.Operator(MANAGER), ids.take(1), OTHER_MANAGER, now)
            assertEquals("INVALID_TRANSITION", again.items.single().code)
            val un = desk.unassignManager(Actor.Operator(MANAGER), ids.take(1), now)
            assertEquals(1u, un.succeeded)
            assertNull(desk.customerRow(ids[0], now).accountManager)
        }
    }

    @Test
    fun `retrying with the same idempotency key acts once`() {
        Desk.fromSnapshotJson(stored).use { desk ->
            val id = Fixtures.first(desk, "assoc=reseller and frozen=false")
            val first = desk.freeze(Actor.Operator(BILLING), listOf(id), "risk review", FreezeScope.ACCOUNT_AND_RESOURCES, now, idempotencyKey = "phone-42")
            val retry = desk.freeze(Actor.Operator(BILLING), listOf(id), "risk review", FreezeScope.ACCOUNT_AND_RESOURCES, now, idempotencyKey = "phone-42")
            assertEquals(first, retry)
            assertEquals(1u, retry.succeeded)
            assertEquals("account_and_resources", desk.customerRow(id, now).freezeScope)
        }
    }

    @Test
    fun `request authorization and follow it`() {
        Desk.fromSnapshotJson(stored).use { desk ->
            val id = Fixtures.first(desk, "assoc=reseller")
            val authId = desk.requestAuthorization(Actor.Operator(ADMIN), id, listOf(AuthorizationScope.PLACE_ORDERS, AuthorizationScope.OPERATE_RESOURCES), 90u,
                acceptCommitmentLetter = true, now = now,
            )
            val auths = desk.authorizationsOf(id, now)
            val a = auths.single { it.id == authId }
            assertEquals(id, a.customerId)
            assertEquals(setOf("place_orders", "operate_resources"), a.scopes.toSet())
            assertEquals(90u, a.durationDays)
            assertEquals(ADMIN, a.requestedBy)
            assertEquals("pending", a.state)
            assertEquals(now, a.requestedAt)
            assertNull(a.expiresAt)
            // 91 days later, undecided, it has lapsed.
            val later = now.plusSeconds(91L * 24 * 3600)
            assertEquals("lapsed", desk.authorizationsOf(id, later).single { it.id == authId }.state)
        }
    }

    @Test
    fun `customer overview`() {
        Desk.fromSnapshotJson(stored).use { desk ->
            val id = Fixtures.first(desk, "assoc=reseller and expires<=30d")
            desk.setBudget(Actor.Operator(ADMIN), id, BigDecimal("800"), BudgetKind.ONE_OFF, now = now)
            val o = desk.overview(Actor.Operator(MANAGER), id, now)
            assertEquals(desk.customerRow(id, now), o.row)
            assertEquals("one_off", o.budget?.kind)
            assertTrue(o.orders.unpaid <= o.orders.all)
            assertEquals(o.row.unpaidOrders, o.orders.unpaid)
            val horizon = now.plusSeconds(30L * 24 * 3600)
            for (r in o.resourcesToRenew) {
                val at = assertNotNull(r.expiresAt)
                assertFalse(at.isAfter(horizon))
                assertNotEquals("auto_renew", r.expiryPolicy)
            }
            assertEquals(o.row.monthToDate, o.spend.monthToDate)
            assertEquals(o.row.lastMonth, o.spend.lastMonth)
            val change = o.spend.monthToDate.amount - o.spend.lastMonthSameDays.amount
            assertEquals(0, change.compareTo(o.spend.change.amount))
            // A narrower window never lists more.
            assertTrue(desk.overview(Actor.Operator(MANAGER), id, now, renewWithinDays = 7u).resourcesToRenew.size <= o.resourcesToRenew.size)
            // The billing operator holds no spend item? It does: the overview works for it too.
            desk.overview(Actor.Operator(BILLING), id, now)
        }
    }

    @Test
    fun `masked rows, and an audited reveal`() {
        Desk.fromSnapshotJson(stored).use { desk ->
            val row = desk.search("", SortOrder(SortKey.ID), PageRequest.First(50u), now).rows.first { it.email != null && it.mobile != null }
            val name = desk.reveal(Actor.Operator(ADMIN), row.id, SensitiveField.NAME, now)
            assertTrue(row.name.endsWith("***"))
            assertEquals(row.name.first(), name.first(), "the mask keeps the first character")
            assertNotEquals(row.name, name)
            val email = desk.reveal(Actor.Operator(ADMIN), row.id, SensitiveField.EMAIL, now)
            assertEquals(row.email!!.substringAfter('@'), email.substringAfter('@'))
            assertFalse(email.contains("***"))
            val mobile = desk.reveal(Actor.Operator(ADMIN), row.id, SensitiveField.MOBILE, now)
            assertEquals(row.mobile!!.takeLast(4), mobile.takeLast(4))
            // Refused for an operator without the item; audited either way.
            assertFailsWith<PartnerDeskException.PermissionDenied> { desk.reveal(Actor.Operator(MANAGER), row.id, SensitiveField.NAME, now) }
            val log = desk.auditLog(customer = row.id, kind = "reveal")
            assertEquals(4, log.size)
            assertEquals(listOf(true, true, true, false), log.map { it.allowed })
            assertEquals("PERMISSION_DENIED", log.last().deniedCode)
            assertEquals(Actor.Operator(ADMIN), log.first().actor)
            assertEquals(now, log.first().at)
            assertTrue(log.first().detail.contains("name"))
            for (entry in log) {
                assertFalse(entry.detail.contains(name), "no revealed value in the audit log")
                assertFalse(entry.detail.contains(email))
            }
            // The row itself stays masked after a reveal.
            assertEquals(row, desk.customerRow(row.id, now))
        }
    }
}
