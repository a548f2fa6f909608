package com.partnerdesk

import com.partnerdesk.host.AuthorizationAction
import com.partnerdesk.host.FreezeScope
import com.partnerdesk.host.BudgetKind
import com.partnerdesk.host.BatchOutcome
import com.partnerdesk.host.ImportKind
import com.partnerdesk.host.AuthorizationScope
import com.partnerdesk.host.OrderKind
import com.partnerdesk.host.CustomerArg
import com.partnerdesk.host.Role
import java.math.BigDecimal

import com.partnerdesk.host.Actor
import com.partnerdesk.host.SensitiveField

import com.partnerdesk.Fixtures.ADMIN
import com.partnerdesk.Fixtures.BILLING
import com.partnerdesk.Fixtures.MANAGER
import com.partnerdesk.Fixtures.now
import java.io.File
import kotlin.io.path.createTempDirectory
import kotlin.test.AfterTest
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertIs
import kotlin.test.assertTrue
import kotlin.test.fail

/**
 * Every stable error code a phone can meet, raised through the real API, arriving as the typed
 * `PartnerDeskException` subclass with the matching `code()` (or, for one customer of a batch,
 * as the item's `code` and message). Codes of operations that are not
 * on the mobile surface are listed with the reason; together the two lists must cover
 * `errorCodes()` and `huaweiErrorCodes()` exactly, so a new core or adapter code fails this
 * test until it is classified.
 */
class ErrorsTest {
    private val sort = SortOrder(SortKey.ID)
    private val first5 = PageRequest.First(5u)

    /** Store files of the store codes' triggers (copies of bindings/host/fixtures, new files). */
    private val dir: File = createTempDirectory("partnerdesk-errors").toFile()

    @AfterTest
    fun clean() {
        dir.deleteRecursively()
    }

    /** Two desks on one SQLite file, each allowed one attempt: the second's change is late. */
    private fun concurrentChange() {
        val at = File(dir, "shared.db").path
        Fixtures.demo(20u, 1uL).use { it.saveTo(at, maxAttempts = 1u) }
        Desk.open(at, maxAttempts = 1u).use { a ->
            Desk.open(at, maxAttempts = 1u).use { b ->
                a.grantPermissions(Actor.Operator(ADMIN), BILLING, listOf("PD_ASSIGN_ACCOUNT_MANAGER"), now)
                b.grantPermissions(Actor.Operator(ADMIN), BILLING, listOf("PD_REVEAL_SENSITIVE"), now)
            }
        }
    }

    /** Codes the mobile surface never produces, and why (none since it reached parity). */
    private val notOnMobile = emptyMap<String, String>()

    /** Each reachable code, with the call that raises it (thrown, or one item of a batch). */
    private fun reachable(desk: Desk): Map<String, () -> Unit> {
        val reseller = Fixtures.ids(desk, "assoc=reseller and frozen=false", 20u)
        val frozen = Fixtures.first(desk, "assoc=reseller and frozen=account")
        val referral = Fixtures.first(desk, "assoc=referral")
        val all = Fixtures.ids(desk, "", 1000u, includeDisassociated = true)
        val associated = Fixtures.ids(desk, "", 1000u).toSet()
        val gone = all.first { it !in associated }
        fun item(outcome: BatchOutcome): Unit = outcome.items.single().let { throw ItemRefused(it.code ?: fail("no error"), it.message) }
        return mapOf(
            "INVALID_ID" to { desk.customerRow("", now) },
            "INVALID_MONEY" to { desk.setBudget(Actor.Operator(ADMIN), reseller[0], BigDecimal("12.345"), BudgetKind.MONTHLY, now = now) },
            "CURRENCY_MISMATCH" to { desk.setBudget(Actor.Operator(ADMIN), reseller[0], BigDecimal("100"), BudgetKind.MONTHLY, now = now, currency = "USD") },
            "INVALID_CURRENCY" to { desk.setBudget(Actor.Operator(ADMIN), reseller[0], BigDecimal("100"), BudgetKind.MONTHLY, now = now, currency = "usd") },
            "INVALID_DATE" to { desk.dailySpend(Actor.Operator(ADMIN), "yesterday", "2026-11-29") },
            "INVALID_ARGUMENT" to { desk.freeze(Actor.Operator(ADMIN), emptyList(), "r", FreezeScope.ACCOUNT, now) },
            "CUSTOMER_NOT_FOUND" to { desk.customerRow("no-such-customer", now) },
            "OPERATOR_NOT_FOUND" to { desk.assignManager(Actor.Operator(ADMIN), listOf(reseller[0]), "ghost", now) },
            "FILTER_SYNTAX" to { desk.search("mtd>=", sort, first5, now) },
            "QUERY_TOO_COMPLEX" to { desk.search("not ".repeat(65) + "tag:vip", sort, first5, now) },
            "INVALID_PAGE" to { desk.search("", sort, PageRequest.First(0u), now) },
            "INVALID_CURSOR" to { desk.search("", sort, PageRequest.After("not-a-cursor", 5u), now) },
            "CURSOR_MISMATCH" to {
                val cursor = desk.search("", sort, first5, now).nextCursor!!
                desk.search("assoc=reseller", sort, PageRequest.After(cursor, 5u), now)
            },
            "INVALID_SNAPSHOT" to { Desk.fromSnapshotJson("""{"format":"something.else","version":1}""") },
            "UNSUPPORTED_SNAPSHOT_VERSION" to { Desk.fromSnapshotJson("""{"format":"partnerdesk.snapshot","version":999}""") },
            "MALFORMED_JSON" to { Desk.fromSnapshotJson("{") },
            "PERMISSION_DENIED" to { desk.reveal(Actor.Operator(BILLING), reseller[0], SensitiveField.NAME, now) },
            "WRONG_ASSOCIATION_TYPE" to { item(desk.freeze(Actor.Operator(ADMIN), listOf(referral), "unpaid", FreezeScope.ACCOUNT, now)) },
            "FREEZE_SCOPE_MISMATCH" to {
                item(desk.unfreeze(Actor.Operator(ADMIN), listOf(frozen), "paid", FreezeScope.ACCOUNT_AND_RESOURCES, now))
            },
            "NOT_FROZEN" to { item(desk.unfreeze(Actor.Operator(ADMIN), listOf(reseller[1]), "paid", FreezeScope.ACCOUNT, now)) },
            "ALREADY_FROZEN" to { item(desk.freeze(Actor.Operator(ADMIN), listOf(frozen), "again", FreezeScope.ACCOUNT, now)) },
            "TOO_MANY_IDS" to { desk.freeze(Actor.Operator(ADMIN), reseller.take(11), "bulk", FreezeScope.ACCOUNT, now) },
            "INVALID_REASON" to { desk.freeze(Actor.Operator(ADMIN), listOf(reseller[2]), "   ", FreezeScope.ACCOUNT, now) },
            "NOT_ASSOCIATED" to { item(desk.freeze(Actor.Operator(ADMIN), listOf(gone), "unpaid", FreezeScope.ACCOUNT, now)) },
            "NOT_ACCOUNT_MANAGER" to { desk.assignManager(Actor.Operator(ADMIN), listOf(reseller[3]), BILLING, now) },
            "INVALID_TRANSITION" to {
                desk.requestAuthorization(Actor.Operator(ADMIN), reseller[4], listOf(AuthorizationScope.PLACE_ORDERS), 30u, acceptCommitmentLetter = true, now = now)
                desk.requestAuthorization(Actor.Operator(ADMIN), reseller[4], listOf(AuthorizationScope.PLACE_ORDERS), 30u, now = now)
            },
            "COMMITMENT_LETTER_REQUIRED" to {
                Fixtures.demo(50u, 3uL).use { fresh ->
                    val id = Fixtures.first(fresh, "")
                    fresh.requestAuthorization(Actor.Operator(ADMIN), id, listOf(AuthorizationScope.OPERATE_RESOURCES), 30u, now = now)
                }
            },
            // Huawei's answer for a frozen account, in the core's terms (`asBatch`).
            "CUSTOMER_FROZEN" to {
                item(huaweiBatchOutcome(listOf(reseller[7]), """{"error_code":"CBC.99003626","error_msg":"Zhang San is frozen"}""", 200u).asBatch)
            },
            "HUAWEI_API_ERROR" to {
                desk.importHuawei(ImportKind.ORDERS, listOf("""{"error_code":"CBC.0151","error_msg":"Zhang San may not"}"""), now = now)
            },
            "HUAWEI_INVALID_DATA" to {
                desk.importHuawei(ImportKind.LIST_SUB_CUSTOMERS, listOf(huaweiFixtures().getValue("list_sub_customers.missing_id.json")), now = now)
            },
            "HUAWEI_PAGING_OUT_OF_BOUNDS" to { huaweiPagePlan(40_000_101L, 100u) },
            // The hidden diagnostic that panics on purpose: the last line against panics.
            "INTERNAL" to { panicForTests() },
            "DUPLICATE_CUSTOMER" to { desk.insertCustomer(CustomerArg.Json(firstCustomerJson(desk))) },
            "DUPLICATE_OPERATOR" to { desk.addOperator(ADMIN, "Another Admin", Role.ADMINISTRATOR) },
            "ADMINISTRATOR_ONLY" to { desk.grantPermissions(Actor.Operator(BILLING), "am_001", listOf("PD_VIEW_SPEND"), now) },
            "DISASSOCIATION_QUOTA_EXCEEDED" to {
                val cid = reseller[8]
                repeat(3) {
                    val req = desk.requestPartnerDisassociation(Actor.Operator(ADMIN), cid, "tidy up", now)
                    desk.decideDisassociation(Actor.Customer(cid), req, false, "staying", now)
                }
                desk.requestPartnerDisassociation(Actor.Operator(ADMIN), cid, "tidy up", now)
            },
            "DISASSOCIATION_BLOCKED" to { desk.requestPartnerDisassociation(Actor.Operator(ADMIN), frozen, "leave", now) },
            "ALREADY_ASSOCIATED" to { desk.associate(Actor.Operator(ADMIN), reseller[0], "a", "n", now = now) },
            "AUTHORIZATION_REQUIRED" to { desk.requireAuthorization(reseller[9], AuthorizationScope.PLACE_ORDERS, now) },
            "AUTHORIZATION_NOT_FOUND" to { desk.authorization("auth-999999", now) },
            "DISTRIBUTOR_APPROVAL_REQUIRED" to {
                val snap = org.json.JSONObject(desk.toSnapshotJson())
                snap.getJSONObject("partner").put("tier", "reseller")
                Desk.fromSnapshotJson(snap.toString()).use { d ->
                    val aid = d.requestAuthorization(Actor.Operator(ADMIN), reseller[10], listOf(AuthorizationScope.PLACE_ORDERS), 30u, acceptCommitmentLetter = true, now = now)
                    d.decideAuthorization(Actor.Customer(reseller[10]), aid, AuthorizationAction.APPROVE, now = now)
                }
            },
            "OVER_BUDGET" to {
                val cid = Fixtures.first(desk, "assoc=reseller and frozen=false and mtd>=10")
                val aid = desk.requestAuthorization(Actor.Operator(ADMIN), cid, listOf(AuthorizationScope.PLACE_ORDERS), 30u, acceptCommitmentLetter = true, now = now)
                desk.decideAuthorization(Actor.Customer(cid), aid, AuthorizationAction.APPROVE, now = now)
                desk.setBudget(Actor.Operator(ADMIN), cid, BigDecimal("1"), BudgetKind.MONTHLY, now = now)
                desk.placeOrderOnBehalf(Actor.Operator(ADMIN), cid, BigDecimal("1000"), OrderKind.NEW, now)
            },
            "EXPORT_NOT_FOUND" to { desk.downloadExport(Actor.Operator(ADMIN), "exp_000042", java.io.File.createTempFile("partnerdesk", ".csv").path, now) },
            "EXPORT_CANCELLED" to { desk.exportToStream(Actor.Operator(ADMIN), ExportOptions(), now, listener(chunks = true, goOn = false)) },
            "EXPORT_WRITE_FAILED" to { desk.exportToStream(Actor.Operator(ADMIN), ExportOptions(), now, listener(chunks = false, goOn = true)) },
            // An event that fits the chain but not the desk it is applied to: the starting
            // snapshot with the customer's association ended (removing the customer on the
            // copy would be an event itself, and so break the chain instead).
            "INVALID_EVENT" to {
                val start = desk.toSnapshotJson()
                val since = desk.events().size.toUInt()
                val cid = reseller[11]
                desk.freeze(Actor.Operator(ADMIN), listOf(cid), "unpaid", FreezeScope.ACCOUNT, now)
                val edited = org.json.JSONObject(start)
                val customers = edited.getJSONArray("customers")
                for (i in 0 until customers.length()) {
                    val c = customers.getJSONObject(i)
                    if (c.getString("id") == cid) {
                        val association = c.getJSONObject("association")
                        association.put("ended", association.getString("since"))
                    }
                }
                Desk.fromSnapshotJson(edited.toString()).use { copy ->
                    copy.applyEvents(desk.eventsJson(since))
                }
            },
            "EVENT_CHAIN_BROKEN" to {
                val start = desk.toSnapshotJson()
                val since = desk.events().size.toUInt()
                desk.grantPermissions(Actor.Operator(ADMIN), "am_001", listOf("PD_VIEW_SPEND"), now)
                val forged = org.json.JSONArray(desk.eventsJson(since))
                forged.getJSONObject(0).put("link", "0".repeat(64))
                Desk.replay(start, forged.toString())
            },
            // The store's codes, on real SQLite files (bindings/host/fixtures, copied first).
            "STORE_UNAVAILABLE" to { Desk.open(File(dir, "no/such/folder/desk.db").path) },
            "STORE_CORRUPT" to { Desk.open(Fixtures.hostFixtureCopy("not-a-database.db", dir).path) },
            "STORE_VERSION_UNSUPPORTED" to { Desk.open(Fixtures.hostFixtureCopy("newer-schema.db", dir).path) },
            "CONCURRENT_CHANGE" to { concurrentChange() },
            "IDEMPOTENCY_CONFLICT" to {
                desk.freeze(Actor.Operator(ADMIN), listOf(reseller[5]), "unpaid", FreezeScope.ACCOUNT, now, idempotencyKey = "k-1")
                desk.setBudget(Actor.Operator(ADMIN), reseller[6], BigDecimal("100"), BudgetKind.MONTHLY, now = now, idempotencyKey = "k-1")
            },
        )
    }

    private fun firstCustomerJson(desk: Desk): String =
        org.json.JSONObject(desk.toSnapshotJson()).getJSONArray("customers").getJSONObject(0).toString()

    private fun listener(chunks: Boolean, goOn: Boolean) = object : ExportListener {
        override fun onChunk(chunk: ByteArray) = chunks
        override fun onProgress(done: ULong, total: ULong) = goOn
    }

    @Test
    fun `every code is reachable from mobile or listed as not on mobile`() {
        Fixtures.demo().use { desk ->
            val codes = (errorCodes() + huaweiErrorCodes()).toSet()
            val reachable = reachable(desk).keys
            assertEquals(emptySet(), reachable intersect notOnMobile.keys, "a code cannot be both")
            assertEquals(codes, reachable + notOnMobile.keys, "classify every code in errorCodes()")
        }
    }

    /** One customer's refusal in a batch outcome (its code and message), thrown by `item`. */
    private class ItemRefused(val code: String, message: String?) : Exception(message)

    @Test
    fun `each reachable code arrives as its typed exception`() {
        Fixtures.demo().use { desk ->
            for ((code, call) in reachable(desk)) {
                val e = try {
                    call()
                    fail("$code: no error")
                } catch (e: PartnerDeskException) {
                    e
                } catch (item: ItemRefused) {
                    // A batch item carries the code, message and details, not a thrown class.
                    assertEquals(code, item.code, "code of a batch item")
                    assertTrue(item.message.orEmpty().isNotBlank(), "$code has a message")
                    assertTrue(!item.message.orEmpty().contains("Zhang San"), "$code: Huawei's text (may be personal) stays out")
                    continue
                }
                assertEquals(code, e.code(), "code of ${e.javaClass.simpleName}")
                assertEquals(Fixtures.className(code), e.javaClass.simpleName, "class for $code")
                assertTrue(e.message.orEmpty().isNotBlank(), "$code has a message")
                assertTrue(!e.message.orEmpty().contains("Zhang San"), "$code: Huawei's text (may be personal) stays out")
            }
        }
    }

    @Test
    fun `an oversized demo portfolio is InvalidArgument, not an abort of the app`() {
        // Four billion customers: no memory holds them. Refused before anything is reserved
        // (it used to abort the process).
        val e = assertFailsWith<PartnerDeskException.InvalidArgument> { Desk.demo(4_000_000_000u, 1uL) }
        assertEquals("n", e.field)
        assertTrue(e.message.orEmpty().contains("at most 20000000 customers"), e.message)
        Desk.demo(3u, 1uL).use { assertEquals(3uL, it.customerCount()) }
    }

    @Test
    fun `a panic arrives as PartnerDeskException Internal, not uniffi's InternalException`() {
        val e = assertFailsWith<PartnerDeskException.Internal> { panicForTests() }
        assertEquals("INTERNAL", e.code())
        assertEquals("panic_for_tests", e.operation)
        assertTrue(!e.message.orEmpty().contains("deliberate"), "the panic's own message stays out")
        // The library works on after a panic.
        Fixtures.demo(20u, 1uL).use { desk -> assertTrue(desk.customerCount() > 0uL) }
    }

    @Test
    fun `structured fields cross with the error`() {
        Fixtures.demo(20u, 1uL).use { desk ->
            val e = assertFailsWith<PartnerDeskException.FilterSyntax> {
                desk.search("name~acme and mtd>=", sort, first5, now)
            }
            assertEquals(19uL, e.position)
            assertTrue(e.detail.startsWith("filter syntax error at position 19"))
            val denied = assertFailsWith<PartnerDeskException.PermissionDenied> {
                desk.freeze(Actor.Operator(MANAGER), listOf(Fixtures.first(desk, "assoc=reseller")), "unpaid", FreezeScope.ACCOUNT, now)
            }
            assertEquals("BPC_ITEM_SUBCUSTSERV_010115", denied.item)
            assertTrue(denied.actor.contains(MANAGER))
            val badDay = assertFailsWith<PartnerDeskException.InvalidDate> { desk.dailySpend(Actor.Operator(ADMIN), "29/11/2026", "2026-11-29") }
            assertEquals("start", badDay.field)
        }
    }

    @Test
    fun `the store's errors carry their fields and leave the file as it was`() {
        val newer = Fixtures.hostFixtureCopy("newer-schema.db", dir)
        val before = newer.readBytes()
        val version = assertFailsWith<PartnerDeskException.StoreVersionUnsupported> { Desk.open(newer.path) }
        assertTrue(version.found > version.supported, "found ${version.found}, supported ${version.supported}")
        assertTrue(before.contentEquals(newer.readBytes()), "the newer store is left byte for byte")

        val junk = Fixtures.hostFixtureCopy("not-a-database.db", dir)
        val corrupt = assertFailsWith<PartnerDeskException.StoreCorrupt> { Desk.open(junk.path) }
        assertTrue(corrupt.what.isNotBlank())

        val missing = File(dir, "no/such/folder/desk.db").path
        val unavailable = assertFailsWith<PartnerDeskException.StoreUnavailable> { Desk.open(missing) }
        assertTrue(unavailable.reason.isNotBlank())
        for (e in listOf(version, corrupt, unavailable)) {
            assertTrue(dir.path !in e.message.orEmpty(), "${e.code()}: the location stays out of the message")
        }

        val late = assertFailsWith<PartnerDeskException.ConcurrentChange> { concurrentChange() }
        assertEquals(late.expectedEvents + 1uL, late.foundEvents, "one event committed by the other desk")
    }

    @Test
    fun `bad amounts and days give typed errors, never uniffi's internal error`() {
        Fixtures.demo(20u, 1uL).use { desk ->
            val id = Fixtures.first(desk, "assoc=reseller")
            // Text that is no number cannot be written as a BigDecimal; the domain refuses the rest.
            for (amount in listOf("0", "-5", "2147483648", "0.001").map(::BigDecimal)) {
                val e = assertFailsWith<PartnerDeskException>("amount '$amount'") {
                    desk.setBudget(Actor.Operator(ADMIN), id, amount, BudgetKind.MONTHLY, now = now)
                }
                assertIs<PartnerDeskException.InvalidMoney>(e, "amount '$amount'")
            }
            for (day in listOf("", "2026-11", "2026-13-01", "29/11/2026", "now")) {
                assertFailsWith<PartnerDeskException.InvalidDate>("day '$day'") { desk.dailySpend(Actor.Operator(ADMIN), day, "2026-11-29") }
            }
        }
    }

    @Test
    fun `a failed change changes nothing`() {
        Fixtures.demo(200u, 8uL).use { desk ->
            val before = desk.toSnapshotJson()
            val referral = Fixtures.first(desk, "assoc=referral")
            assertFailsWith<PartnerDeskException.WrongAssociationType> {
                desk.setBudget(Actor.Operator(ADMIN), referral, BigDecimal("100"), BudgetKind.MONTHLY, now = now)
            }
            assertFailsWith<PartnerDeskException.PermissionDenied> {
                desk.freeze(Actor.Operator(MANAGER), listOf(referral), "unpaid", FreezeScope.ACCOUNT, now)
            }
            // The refusals are audited, but no customer changed.
            val after = Desk.fromSnapshotJson(desk.toSnapshotJson())
            val all = SortOrder(SortKey.ID)
            Desk.fromSnapshotJson(before).use { old ->
                assertEquals(
                    old.search("", all, PageRequest.First(200u), now, true),
                    after.search("", all, PageRequest.First(200u), now, true),
                )
            }
            after.close()
        }
    }
}
