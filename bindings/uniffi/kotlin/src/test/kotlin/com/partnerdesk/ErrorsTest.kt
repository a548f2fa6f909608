package com.partnerdesk

import com.partnerdesk.Fixtures.ADMIN
import com.partnerdesk.Fixtures.BILLING
import com.partnerdesk.Fixtures.MANAGER
import com.partnerdesk.Fixtures.now
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertIs
import kotlin.test.assertTrue
import kotlin.test.fail

/**
 * Every stable error code a phone can meet, raised through the real API, arriving as the typed
 * `PartnerDeskException` subclass with the matching `code()`. Codes of operations that are not
 * on the mobile surface are listed with the reason; together the two lists must cover
 * `errorCodes()` and `huaweiErrorCodes()` exactly, so a new core or adapter code fails this
 * test until it is classified.
 */
class ErrorsTest {
    private val sort = SortOrder(SortKey.ID)
    private val first5 = PageRequest.First(5u)

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
        fun item(outcome: BatchOutcome): Unit = outcome.items.single().error?.let { throw it } ?: fail("no error")
        return mapOf(
            "INVALID_ID" to { desk.customerRow("", now) },
            "INVALID_MONEY" to { desk.setBudget(ADMIN, reseller[0], "12.345", BudgetKind.MONTHLY, now) },
            "CURRENCY_MISMATCH" to { desk.setBudget(ADMIN, reseller[0], "100", BudgetKind.MONTHLY, now, currency = "USD") },
            "INVALID_CURRENCY" to { desk.setBudget(ADMIN, reseller[0], "100", BudgetKind.MONTHLY, now, currency = "usd") },
            "INVALID_DATE" to { desk.search("", sort, first5, "yesterday") },
            "INVALID_ARGUMENT" to { desk.freeze(ADMIN, emptyList(), FreezeScope.ACCOUNT, "r", now) },
            "CUSTOMER_NOT_FOUND" to { desk.customerRow("no-such-customer", now) },
            "OPERATOR_NOT_FOUND" to { desk.assignManager(ADMIN, listOf(reseller[0]), "ghost", now) },
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
            "PERMISSION_DENIED" to { desk.reveal(BILLING, reseller[0], SensitiveField.NAME, now) },
            "WRONG_ASSOCIATION_TYPE" to { item(desk.freeze(ADMIN, listOf(referral), FreezeScope.ACCOUNT, "unpaid", now)) },
            "FREEZE_SCOPE_MISMATCH" to {
                item(desk.unfreeze(ADMIN, listOf(frozen), FreezeScope.ACCOUNT_AND_RESOURCES, "paid", now))
            },
            "NOT_FROZEN" to { item(desk.unfreeze(ADMIN, listOf(reseller[1]), FreezeScope.ACCOUNT, "paid", now)) },
            "ALREADY_FROZEN" to { item(desk.freeze(ADMIN, listOf(frozen), FreezeScope.ACCOUNT, "again", now)) },
            "TOO_MANY_IDS" to { desk.freeze(ADMIN, reseller.take(11), FreezeScope.ACCOUNT, "bulk", now) },
            "INVALID_REASON" to { desk.freeze(ADMIN, listOf(reseller[2]), FreezeScope.ACCOUNT, "   ", now) },
            "NOT_ASSOCIATED" to { item(desk.freeze(ADMIN, listOf(gone), FreezeScope.ACCOUNT, "unpaid", now)) },
            "NOT_ACCOUNT_MANAGER" to { desk.assignManager(ADMIN, listOf(reseller[3]), BILLING, now) },
            "INVALID_TRANSITION" to {
                desk.requestAuthorization(ADMIN, reseller[4], listOf(AuthorizationScope.PLACE_ORDERS), 30u, now, acceptCommitmentLetter = true)
                desk.requestAuthorization(ADMIN, reseller[4], listOf(AuthorizationScope.PLACE_ORDERS), 30u, now)
            },
            "COMMITMENT_LETTER_REQUIRED" to {
                Fixtures.demo(50u, 3uL).use { fresh ->
                    val id = Fixtures.first(fresh, "")
                    fresh.requestAuthorization(ADMIN, id, listOf(AuthorizationScope.OPERATE_RESOURCES), 30u, now)
                }
            },
            // Huawei's answer for a frozen account, in the core's terms (`asBatch`).
            "CUSTOMER_FROZEN" to {
                item(huaweiBatchOutcome(listOf(reseller[7]), 200u, """{"error_code":"CBC.99003626","error_msg":"Zhang San is frozen"}""").asBatch)
            },
            "HUAWEI_API_ERROR" to {
                desk.importHuawei(HuaweiImport.Orders(listOf("""{"error_code":"CBC.0151","error_msg":"Zhang San may not"}""")), now)
            },
            "HUAWEI_INVALID_DATA" to {
                desk.importHuawei(HuaweiImport.ListSubCustomers(listOf(huaweiFixtures().getValue("list_sub_customers.missing_id.json"))), now)
            },
            "HUAWEI_PAGING_OUT_OF_BOUNDS" to { huaweiPagePlan(40_000_101uL, 100u) },
            // The hidden diagnostic that panics on purpose: the last line against panics.
            "INTERNAL" to { panicForTests() },
            "DUPLICATE_CUSTOMER" to { desk.insertCustomer(firstCustomerJson(desk)) },
            "DUPLICATE_OPERATOR" to { desk.addOperator(ADMIN, "Another Admin", "administrator") },
            "ADMINISTRATOR_ONLY" to { desk.grantPermissions(BILLING, "am_001", listOf("PD_VIEW_SPEND"), now) },
            "DISASSOCIATION_QUOTA_EXCEEDED" to {
                val cid = reseller[8]
                repeat(3) {
                    val req = desk.requestPartnerDisassociation(ADMIN, cid, "tidy up", now)
                    desk.decideDisassociation("customer:$cid", req, false, "staying", now)
                }
                desk.requestPartnerDisassociation(ADMIN, cid, "tidy up", now)
            },
            "DISASSOCIATION_BLOCKED" to { desk.requestPartnerDisassociation(ADMIN, frozen, "leave", now) },
            "ALREADY_ASSOCIATED" to { desk.associate(ADMIN, firstCustomerJson(desk), now) },
            "AUTHORIZATION_REQUIRED" to { desk.requireAuthorization(reseller[9], AuthorizationScope.PLACE_ORDERS, now) },
            "AUTHORIZATION_NOT_FOUND" to { desk.authorization("auth-999999", now) },
            "DISTRIBUTOR_APPROVAL_REQUIRED" to {
                val snap = org.json.JSONObject(desk.toSnapshotJson())
                snap.getJSONObject("partner").put("tier", "reseller")
                Desk.fromSnapshotJson(snap.toString()).use { d ->
                    val aid = d.requestAuthorization(ADMIN, reseller[10], listOf(AuthorizationScope.PLACE_ORDERS), 30u, now, acceptCommitmentLetter = true)
                    d.decideAuthorization("customer:${reseller[10]}", aid, "approve", now)
                }
            },
            "OVER_BUDGET" to {
                val cid = Fixtures.first(desk, "assoc=reseller and frozen=false and mtd>=10")
                val aid = desk.requestAuthorization(ADMIN, cid, listOf(AuthorizationScope.PLACE_ORDERS), 30u, now, acceptCommitmentLetter = true)
                desk.decideAuthorization("customer:$cid", aid, "approve", now)
                desk.setBudget(ADMIN, cid, "1", BudgetKind.MONTHLY, now)
                desk.placeOrderOnBehalf(ADMIN, cid, "new", "1000", now)
            },
            "EXPORT_NOT_FOUND" to { desk.downloadExport(ADMIN, "exp_000042", java.io.File.createTempFile("partnerdesk", ".csv").path, now) },
            "EXPORT_CANCELLED" to { desk.exportToStream(ADMIN, ExportOptions(), now, listener(chunks = true, goOn = false)) },
            "EXPORT_WRITE_FAILED" to { desk.exportToStream(ADMIN, ExportOptions(), now, listener(chunks = false, goOn = true)) },
            // An event that fits the chain but not the desk it is applied to: the starting
            // snapshot with the customer's association ended (removing the customer on the
            // copy would be an event itself, and so break the chain instead).
            "INVALID_EVENT" to {
                val start = desk.toSnapshotJson()
                val since = desk.events().size.toULong()
                val cid = reseller[11]
                desk.freeze(ADMIN, listOf(cid), FreezeScope.ACCOUNT, "unpaid", now)
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
                val since = desk.events().size.toULong()
                desk.grantPermissions(ADMIN, "am_001", listOf("PD_VIEW_SPEND"), now)
                val forged = org.json.JSONArray(desk.eventsJson(since))
                forged.getJSONObject(0).put("link", "0".repeat(64))
                Desk.replay(start, forged.toString())
            },
            "IDEMPOTENCY_CONFLICT" to {
                desk.freeze(ADMIN, listOf(reseller[5]), FreezeScope.ACCOUNT, "unpaid", now, idempotencyKey = "k-1")
                desk.setBudget(ADMIN, reseller[6], "100", BudgetKind.MONTHLY, now, idempotencyKey = "k-1")
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

    @Test
    fun `each reachable code arrives as its typed exception`() {
        Fixtures.demo().use { desk ->
            for ((code, call) in reachable(desk)) {
                val e = try {
                    call()
                    fail("$code: no error")
                } catch (e: PartnerDeskException) {
                    e
                }
                assertEquals(code, e.code(), "code of ${e.javaClass.simpleName}")
                assertEquals(Fixtures.className(code), e.javaClass.simpleName, "class for $code")
                assertTrue(e.message.orEmpty().isNotBlank(), "$code has a message")
                assertTrue(!e.message.orEmpty().contains("Zhang San"), "$code: Huawei's text (may be personal) stays out")
            }
        }
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
                desk.freeze(MANAGER, listOf(Fixtures.first(desk, "assoc=reseller")), FreezeScope.ACCOUNT, "unpaid", now)
            }
            assertEquals("BPC_ITEM_SUBCUSTSERV_010115", denied.item)
            assertTrue(denied.actor.contains(MANAGER))
            val badTime = assertFailsWith<PartnerDeskException.InvalidDate> { desk.customerRow("c-1", "29/11/2026") }
            assertEquals("now", badTime.field)
        }
    }

    @Test
    fun `bad strings give typed errors, never uniffi's internal error`() {
        Fixtures.demo(20u, 1uL).use { desk ->
            val id = Fixtures.first(desk, "assoc=reseller")
            for (amount in listOf("", "abc", "1,5", "NaN", "0", "-5", "2147483648", "0.001")) {
                val e = assertFailsWith<PartnerDeskException>("amount '$amount'") {
                    desk.setBudget(ADMIN, id, amount, BudgetKind.MONTHLY, now)
                }
                assertIs<PartnerDeskException.InvalidMoney>(e, "amount '$amount'")
            }
            for (time in listOf("", "2026-11-29", "2026-13-01T00:00:00Z", "now")) {
                assertFailsWith<PartnerDeskException.InvalidDate>("time '$time'") { desk.count("", time) }
            }
        }
    }

    @Test
    fun `a failed change changes nothing`() {
        Fixtures.demo(200u, 8uL).use { desk ->
            val before = desk.toSnapshotJson()
            val referral = Fixtures.first(desk, "assoc=referral")
            assertFailsWith<PartnerDeskException.WrongAssociationType> {
                desk.setBudget(ADMIN, referral, "100", BudgetKind.MONTHLY, now)
            }
            assertFailsWith<PartnerDeskException.PermissionDenied> {
                desk.freeze(MANAGER, listOf(referral), FreezeScope.ACCOUNT, "unpaid", now)
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
