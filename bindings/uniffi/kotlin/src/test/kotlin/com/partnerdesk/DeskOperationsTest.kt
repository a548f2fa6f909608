package com.partnerdesk

import com.partnerdesk.host.OperatorInfo
import com.partnerdesk.host.AuthorizationAction
import com.partnerdesk.host.BudgetKind
import com.partnerdesk.host.AuthorizationScope
import com.partnerdesk.host.CustomerLevel
import com.partnerdesk.host.OrderKind
import com.partnerdesk.host.Actor
import com.partnerdesk.host.MaskKind
import com.partnerdesk.host.MaskRule
import com.partnerdesk.host.CustomerArg
import com.partnerdesk.host.NewCustomer
import com.partnerdesk.host.Role

import com.partnerdesk.Fixtures.ADMIN
import com.partnerdesk.Fixtures.MANAGER
import com.partnerdesk.Fixtures.OTHER_MANAGER
import com.partnerdesk.Fixtures.now
import org.json.JSONArray
import org.json.JSONObject
import java.io.ByteArrayOutputStream
import java.io.File
import java.math.BigDecimal
import java.nio.file.Files
import java.time.Instant
import kotlin.test.Test
import kotlin.test.assertContentEquals
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertNotEquals
import kotlin.test.assertTrue

/** The operations Kotlin gained for parity with Python and Node, each with a result and a refusal. */
class DeskOperationsTest {
    private val byId = SortOrder(SortKey.ID)
    private val stored: String = Fixtures.demo(300u, 11uL).use { it.toSnapshotJson() }
    private fun desk(): Desk = Desk.fromSnapshotJson(stored)
    private val later: Instant = now.plusSeconds(400L * 24 * 3600)

    @Test
    fun `search ids, select ids and the cursor key`() {
        desk().use { desk ->
            val all = desk.selectIds("assoc=reseller", byId, now)
            assertEquals(desk.count("assoc=reseller", now), all.size.toULong())
            val page = desk.searchIds("assoc=reseller", byId, PageRequest.First(5u), now)
            assertEquals(all.take(5), page.ids)
            assertEquals(all.size.toUInt(), page.total)
            val cursor = page.nextCursor!!
            desk().use { other ->
                // Loaded from the same snapshot, the two desks share its key; a new secret on one
                // refuses the other's cursors until both hold it.
                val secret = "a shared secret of 32 bytes.....".toByteArray()
                other.setCursorKey(secret)
                assertFailsWith<PartnerDeskException.InvalidCursor> {
                    other.searchIds("assoc=reseller", byId, PageRequest.After(cursor, 5u), now)
                }
                desk.setCursorKey(secret)
                val shared = desk.searchIds("assoc=reseller", byId, PageRequest.First(5u), now).nextCursor!!
                assertEquals(all.drop(5).take(5), other.searchIds("assoc=reseller", byId, PageRequest.After(shared, 5u), now).ids)
            }
            assertFailsWith<PartnerDeskException.InvalidArgument> { desk.setCursorKey("short".toByteArray()) }
            assertFailsWith<PartnerDeskException.FilterSyntax> { desk.selectIds("mtd>>", byId, now) }
        }
    }

    @Test
    fun `customers as host data`() {
        desk().use { desk ->
            val customer = JSONObject(desk.toSnapshotJson()).getJSONArray("customers").getJSONObject(0)
            val id = customer.getString("id")
            assertFailsWith<PartnerDeskException.DuplicateCustomer> { desk.insertCustomer(CustomerArg.Json(customer.toString())) }
            desk.removeCustomer(id)
            assertFailsWith<PartnerDeskException.CustomerNotFound> { desk.customerRow(id, now) }
            assertFailsWith<PartnerDeskException.CustomerNotFound> { desk.removeCustomer(id) }
            desk.insertCustomer(CustomerArg.Json(customer.toString()))
            desk.upsertCustomer(CustomerArg.Json(customer.toString()))
            assertEquals(id, desk.customerRow(id, now).id)
            assertFailsWith<PartnerDeskException.MalformedJson> { desk.upsertCustomer(CustomerArg.Json("{")) }
        }
    }

    /** A customer described field by field (no JSON), with the id `id`. */
    private fun newCustomer(id: String, level: String? = "V3") = NewCustomer(
        id = id,
        accountName = "kotlin_newco",
        name = "Kotlin NewCo Ltd.",
        association = "reseller",
        associatedAt = now.minusSeconds(30L * 24 * 3600),
        customerType = "enterprise",
        verification = "verified",
        level = level,
        mobile = "138 0013 8000",
        countryCode = "+86",
        email = "ops@newco.example",
        tags = listOf("kt-new", "vip"),
        reseller = null,
        accountManager = MANAGER,
    )

    @Test
    fun `a customer given field by field is inserted and found by search`() {
        desk().use { desk ->
            val id = "c".repeat(32)
            val count = desk.customerCount()
            desk.insertCustomer(CustomerArg.New(newCustomer(id)))
            assertEquals(count + 1uL, desk.customerCount())
            val found = desk.search("account=kotlin_newco and tag:kt-new and level=V3", byId, PageRequest.First(5u), now)
            assertEquals(listOf(id), found.rows.map { it.id })
            val row = found.rows.single()
            assertEquals("V3", row.level)
            assertEquals("reseller", row.associationType)
            assertEquals("enterprise", row.customerType)
            assertEquals("verified", row.verification)
            assertEquals(MANAGER, row.accountManager)
            assertEquals(listOf("kt-new", "vip"), row.tags.sorted())
            assertEquals(now.minusSeconds(30L * 24 * 3600), row.associatedAt)
            assertTrue(row.name.endsWith("***"), "the name is masked: ${row.name}")
            assertEquals(listOf(id), desk.selectIds("manager=$MANAGER and mobile~8000 and tag:vip and id=$id", byId, now))
            // The same customer again is a duplicate; an upsert replaces it whole.
            assertFailsWith<PartnerDeskException.DuplicateCustomer> { desk.insertCustomer(CustomerArg.New(newCustomer(id))) }
            desk.upsertCustomer(CustomerArg.New(newCustomer(id, level = "V4")))
            assertEquals("V4", desk.customerRow(id, now).level)
            assertEquals(count + 1uL, desk.customerCount())
            // Both forms are the same customer: the snapshot's JSON of it inserts it again.
            val json = JSONObject(desk.toSnapshotJson()).getJSONArray("customers").let { a ->
                (0 until a.length()).map { a.getJSONObject(it) }.single { it.getString("id") == id }
            }.toString()
            desk.removeCustomer(id)
            desk.insertCustomer(CustomerArg.Json(json))
            assertEquals("V4", desk.customerRow(id, now).level)
        }
    }

    @Test
    fun `a customer with a bad level is refused and nothing is inserted`() {
        desk().use { desk ->
            val id = "c".repeat(32)
            val count = desk.customerCount()
            val before = desk.toSnapshotJson()
            val e = assertFailsWith<PartnerDeskException.InvalidArgument> {
                desk.insertCustomer(CustomerArg.New(newCustomer(id, level = "V9")))
            }
            assertEquals("INVALID_ARGUMENT", e.code())
            assertEquals("level", e.field)
            assertFailsWith<PartnerDeskException.InvalidArgument> { desk.upsertCustomer(CustomerArg.New(newCustomer(id, level = "V9"))) }
            assertEquals(count, desk.customerCount())
            assertFailsWith<PartnerDeskException.CustomerNotFound> { desk.customerRow(id, now) }
            assertEquals(before, desk.toSnapshotJson(), "nothing changed")
            // A malformed id is the id's refusal, as in JSON.
            assertFailsWith<PartnerDeskException.InvalidId> { desk.insertCustomer(CustomerArg.New(newCustomer("not an id"))) }
        }
    }

    @Test
    fun `operators and permissions`() {
        desk().use { desk ->
            assertTrue(desk.operators().any { it.id == ADMIN && it.role == "administrator" })
            desk.addOperator("new_op", "New Operator", Role.OPERATOR, permissions = listOf("BPC_ITEM_SUBCUSTSERV_010100"))
            assertEquals(listOf("BPC_ITEM_SUBCUSTSERV_010100"), desk.operators().single { it.id == "new_op" }.permissions)
            assertFailsWith<PartnerDeskException.DuplicateOperator> { desk.addOperator("new_op", "Again", Role.OPERATOR) }
            // A role is one of the enum's values: an unknown one ("boss") cannot be passed.
            assertEquals(listOf(Role.ADMINISTRATOR, Role.OPERATOR), Role.values().toList())
            assertFailsWith<IllegalArgumentException> { Role.valueOf("BOSS") }
            desk.grantPermissions(Actor.Operator(ADMIN), "new_op", listOf("PD_VIEW_SPEND"), now)
            assertTrue("PD_VIEW_SPEND" in desk.operators().single { it.id == "new_op" }.permissions)
            desk.revokePermissions(Actor.Operator(ADMIN), "new_op", listOf("PD_VIEW_SPEND"), now)
            assertFalse("PD_VIEW_SPEND" in desk.operators().single { it.id == "new_op" }.permissions)
            // Items by name (any case) as by code.
            desk.grantPermissions(Actor.Operator(ADMIN), "new_op", listOf("VIEW_SPEND", "set_budget"), now)
            assertEquals(
                setOf("BPC_ITEM_SUBCUSTSERV_010100", "BPC_ITEM_SUBCUSTSERV_010111", "PD_VIEW_SPEND"),
                desk.operators().single { it.id == "new_op" }.permissions.toSet(),
            )
            desk.revokePermissions(Actor.Operator(ADMIN), "new_op", listOf("SET_BUDGET"), now)
            assertFalse("BPC_ITEM_SUBCUSTSERV_010111" in desk.operators().single { it.id == "new_op" }.permissions)
            assertFailsWith<PartnerDeskException.OperatorNotFound> { desk.grantPermissions(Actor.Operator(ADMIN), "ghost", listOf("PD_VIEW_SPEND"), now) }
            assertFailsWith<PartnerDeskException.AdministratorOnly> { desk.grantPermissions(Actor.Operator(MANAGER), "new_op", listOf("PD_VIEW_SPEND"), now) }
        }
    }

    @Test
    fun `addOperator takes items by name and defaults to an operator with none`() {
        desk().use { desk ->
            desk.addOperator("freezer", "Freezer", permissions = listOf("FREEZE_UNFREEZE"))
            val freezer = desk.operators().single { it.id == "freezer" }
            assertEquals(listOf("BPC_ITEM_SUBCUSTSERV_010115"), freezer.permissions)
            assertEquals("operator", freezer.role)
            assertFalse(freezer.accountManager)
            desk.addOperator("plain", "Plain")
            assertEquals(OperatorInfo("plain", "Plain", "operator", false, emptyList()), desk.operators().single { it.id == "plain" })
            desk.addOperator("boss_op", "Boss", Role.ADMINISTRATOR, accountManager = true)
            val boss = desk.operators().single { it.id == "boss_op" }
            assertEquals("administrator", boss.role)
            assertTrue(boss.accountManager)
            // A misspelled name is refused as a misspelled code is, and no operator is added.
            val count = desk.operators().size
            val e = assertFailsWith<PartnerDeskException.InvalidArgument> {
                desk.addOperator("typo_name", "Typo", permissions = listOf("FREEZE_UNFREEZ"))
            }
            assertEquals("INVALID_ARGUMENT", e.code())
            assertEquals("items", e.field)
            assertFalse(desk.operators().any { it.id == "typo_name" })
            assertEquals(count, desk.operators().size)
        }
    }

    @Test
    fun `the README's customers and operators example`() {
        Desk.demo(300u, 3uL).use { desk ->
            desk.addOperator("freezer", "Billing Clerk", permissions = listOf("FREEZE_UNFREEZE"))
            desk.insertCustomer(CustomerArg.New(NewCustomer(
                id = "0a1b2c3d4e5f60718293a4b5c6d7e8f9", accountName = "acme_cloud", name = "Acme Ltd.",
                association = "reseller", associatedAt = demoNow(),
                customerType = "enterprise", level = "V2", tags = listOf("vip"),    // the rest: defaults
            )))
            desk.grantPermissions(Actor.Operator("admin"), "freezer", listOf("VIEW_SPEND"))
            val saved = desk.toSnapshotJson()
            assertEquals(
                listOf("BPC_ITEM_SUBCUSTSERV_010115", "PD_VIEW_SPEND"),
                desk.operators().single { it.id == "freezer" }.permissions.sorted(),
            )
            Desk.fromSnapshotJson(saved).use { again ->
                assertEquals("V2", again.customerRow("0a1b2c3d4e5f60718293a4b5c6d7e8f9", now).level)
            }
        }
    }

    @Test
    fun `a misspelled permission item is refused by addOperator as by grantPermissions`() {
        desk().use { desk ->
            val typo = "BPC_ITEM_SUBCUSTSERV_01O115"
            val added = assertFailsWith<PartnerDeskException.InvalidArgument> {
                desk.addOperator("typo_op", "Typo", Role.OPERATOR, permissions = listOf("PD_VIEW_SPEND", typo))
            }
            assertEquals("items", added.field)
            assertFalse(desk.operators().any { it.id == "typo_op" })
            val granted = assertFailsWith<PartnerDeskException.InvalidArgument> {
                desk.grantPermissions(Actor.Operator(ADMIN), MANAGER, listOf(typo), now)
            }
            assertEquals("items", granted.field)
            val byName = assertFailsWith<PartnerDeskException.InvalidArgument> {
                desk.revokePermissions(Actor.Operator(ADMIN), MANAGER, listOf("VIEW_SPENDS"), now)
            }
            assertEquals("items", byName.field)
        }
    }

    @Test
    fun `association and disassociation`() {
        desk().use { desk ->
            val newId = "e".repeat(32)
            desk.associate(Actor.Operator(ADMIN), newId, "newco_cloud", "NewCo Ltd.", level = CustomerLevel.V2, tags = listOf("vip"), now = now)
            assertEquals(newId, desk.customerRow(newId, now).id)
            assertEquals("V2", desk.customerRow(newId, now).level)
            assertFailsWith<PartnerDeskException.AlreadyAssociated> { desk.associate(Actor.Operator(ADMIN), newId, "x", "y", now = now) }
            assertFailsWith<PartnerDeskException.InvalidArgument> { desk.associate(Actor.Operator(ADMIN), "d".repeat(32), "x", "y", mobileCountryCode = "+86", now = now) }
            val req = desk.requestPartnerDisassociation(Actor.Operator(ADMIN), newId, "contract ended", now)
            val request = desk.disassociationRequests().single { it.id == req }
            assertEquals(Triple(newId, "pending", "partner"), Triple(request.customerId, request.status, request.initiator))
            assertEquals(Actor.Operator(ADMIN), request.requestedBy)
            desk.decideDisassociation(Actor.Customer(newId), req, true, "ok", now)
            assertEquals(Actor.Customer(newId), desk.disassociationRequests().single { it.id == req }.decidedBy)
            assertTrue(desk.customerRow(newId, now).disassociatedAt != null)
            val history = desk.associationHistory(newId)
            assertEquals(listOf("associated", "disassociated"), history.map { it.change })
            assertEquals(now, history.last().at)
            assertFailsWith<PartnerDeskException.NotAssociated> { desk.requestDisassociation(Actor.Customer(newId), newId, "again", now) }
            val other = Fixtures.first(desk, "frozen=false")
            val own = desk.requestDisassociation(Actor.Customer(other), other, "moving on", now)
            assertNotEquals(req, own)
            assertFailsWith<PartnerDeskException.InvalidId> { desk.associationHistory("not an id!") }
        }
    }

    @Test
    fun `authorizations and orders on the customer's behalf`() {
        desk().use { desk ->
            val cid = Fixtures.first(desk, "assoc=reseller and frozen=false")
            val aid = desk.requestAuthorization(Actor.Operator(ADMIN), cid, listOf(AuthorizationScope.PLACE_ORDERS), 30u, acceptCommitmentLetter = true, now = now)
            assertFalse(desk.mayActOnBehalf(cid, AuthorizationScope.PLACE_ORDERS, now))
            assertFailsWith<PartnerDeskException.AuthorizationRequired> { desk.requireAuthorization(cid, AuthorizationScope.PLACE_ORDERS, now) }
            assertFailsWith<PartnerDeskException.AuthorizationRequired> { desk.placeOrderOnBehalf(Actor.Operator(ADMIN), cid, BigDecimal("10"), OrderKind.NEW, now) }
            desk.decideAuthorization(Actor.Customer(cid), aid, AuthorizationAction.APPROVE, now = now)
            assertEquals("active", desk.authorization(aid, now).state)
            assertTrue(desk.mayActOnBehalf(cid, AuthorizationScope.PLACE_ORDERS, now))
            desk.requireAuthorization(cid, AuthorizationScope.PLACE_ORDERS, now)
            assertTrue(desk.placeOrderOnBehalf(Actor.Operator(ADMIN), cid, BigDecimal("99.90"), OrderKind.NEW, now).isNotEmpty())
            assertFailsWith<PartnerDeskException.InvalidMoney> { desk.placeOrderOnBehalf(Actor.Operator(ADMIN), cid, BigDecimal("1.234"), OrderKind.NEW, now) }
            assertFailsWith<PartnerDeskException.InvalidTransition> { desk.decideAuthorization(Actor.Customer(cid), aid, AuthorizationAction.APPROVE, now = now) }
            // Past its 30 days the authorization expires: `expireAuthorizations` counts it once.
            assertTrue(desk.expireAuthorizations(later) >= 1u)
            assertTrue(desk.authorization(aid, later).state in setOf("expired", "ended"))
            assertEquals(0u, desk.expireAuthorizations(later))
            desk.tick(later)
            assertEquals(0u, desk.tick(later), "a second tick at the same instant finds nothing to do")
            // The distributor's decision applies to a reseller partner's requests only.
            assertFailsWith<PartnerDeskException> { desk.recordDistributorDecision(Actor.Operator(ADMIN), aid, true, now) }
        }
        val reseller = JSONObject(stored).also { it.getJSONObject("partner").put("tier", "reseller") }.toString()
        Desk.fromSnapshotJson(reseller).use { desk ->
            val cid = Fixtures.first(desk, "assoc=reseller")
            val aid = desk.requestAuthorization(Actor.Operator(ADMIN), cid, listOf(AuthorizationScope.PLACE_ORDERS), 30u, acceptCommitmentLetter = true, now = now)
            assertEquals("awaiting_distributor", desk.authorization(aid, now).state)
            assertFailsWith<PartnerDeskException.DistributorApprovalRequired> { desk.decideAuthorization(Actor.Customer(cid), aid, AuthorizationAction.APPROVE, now = now) }
            desk.recordDistributorDecision(Actor.System, aid, true, now)
            assertEquals("pending", desk.authorization(aid, now).state)
        }
    }

    @Test
    fun `analysis`() {
        desk().use { desk ->
            val cid = Fixtures.first(desk, "mtd>=10")
            val orders = desk.orderOverview(Actor.Operator(MANAGER))
            assertTrue(orders.all >= orders.unpaid)
            assertEquals(desk.orderOverview(Actor.Operator(MANAGER), cid).unpaid, desk.customerRow(cid, now).unpaidOrders)
            assertTrue(desk.resourcesToRenew(Actor.Operator(MANAGER), 30L, now = now).size >= desk.resourcesToRenew(Actor.Operator(MANAGER), 7L, now = now).size)
            val spend = desk.spendSummary(Actor.Operator(MANAGER), cid, now)
            assertEquals(desk.customerRow(cid, now).monthToDate, spend.monthToDate)
            val month = now.toString().substring(0, 8) + "01"
            val ranking = desk.productRanking(Actor.Operator(MANAGER), month, now.toString().substring(0, 10), n = 3u)
            assertTrue(ranking.size <= 3)
            assertEquals(ranking.sortedByDescending { it.amount.amount }, ranking)
            val days = desk.dailySpend(Actor.Operator(MANAGER), month, now.toString().substring(0, 10))
            assertTrue(days.all { it.label.startsWith(now.toString().substring(0, 7)) })
            assertFailsWith<PartnerDeskException.InvalidDate> { desk.dailySpend(Actor.Operator(MANAGER), "2026-11", now.toString().substring(0, 10)) }
            assertFailsWith<PartnerDeskException.PermissionDenied> { desk.spendSummary(Actor.Operator("ghost_operator"), now = now) }
        }
    }

    @Test
    fun `budgets with thresholds, records and evaluation`() {
        desk().use { desk ->
            val cid = Fixtures.first(desk, "assoc=reseller and frozen=false and mtd>=10")
            desk.setBudget(Actor.Operator(ADMIN), cid, BigDecimal("1000"), BudgetKind.MONTHLY, now = now, thresholds = listOf("50", "80"))
            val saved = JSONObject(desk.toSnapshotJson()).getJSONArray("customers").let { a ->
                (0 until a.length()).map { a.getJSONObject(it) }.single { it.getString("id") == cid }
            }
            assertEquals(listOf("50", "80"), saved.getJSONObject("budget").getJSONArray("thresholds").map { it.toString() })
            assertFailsWith<PartnerDeskException.InvalidArgument> {
                desk.setBudget(Actor.Operator(ADMIN), cid, BigDecimal("1000"), BudgetKind.MONTHLY, now = now, thresholds = listOf("eighty"))
            }
            val record = desk.budgetRecords(cid).single()
            assertEquals(listOf(cid, "setting", "monthly"), listOf(record.customerId, record.operation, record.kind))
            assertEquals(0, BigDecimal("1000").compareTo(record.amount.amount))
            assertEquals(now, record.at)
            // A budget far below the month's spend, with auto-freeze: evaluation freezes the account.
            desk.setBudget(Actor.Operator(ADMIN), cid, BigDecimal("1"), BudgetKind.MONTHLY, now = now, autoFreeze = true)
            desk.evaluateBudgets(now)
            assertEquals("budget", desk.customerRow(cid, now).freezeOrigin)
        }
    }

    @Test
    fun `manager history, manager at an instant and manager spend`() {
        desk().use { desk ->
            val cid = Fixtures.first(desk, "mtd>=10")
            desk.assignManager(Actor.Operator(ADMIN), listOf(cid), MANAGER, now)
            desk.assignManager(Actor.Operator(ADMIN), listOf(cid), OTHER_MANAGER, now)
            assertEquals(OTHER_MANAGER, desk.managerAt(cid, now))
            val periods = desk.managerHistory(cid)
            assertEquals(OTHER_MANAGER, periods.last().manager)
            assertEquals(Actor.Operator(ADMIN), periods.last().assignedBy)
            assertEquals(null, periods.last().end)
            val spend = desk.managerSpend(Actor.Operator(ADMIN), OTHER_MANAGER, now.toString().substring(0, 8) + "01", now.toString().substring(0, 10))
            assertEquals("CNY", spend.currency)
            assertFailsWith<PartnerDeskException.InvalidDate> { desk.managerSpend(Actor.Operator(ADMIN), OTHER_MANAGER, "x", "y") }
        }
    }

    @Test
    fun `mask policies and the pseudonym key`() {
        desk().use { desk ->
            val policy = desk.rowPolicy()
            desk.setRowPolicy(policy)
            assertEquals(policy, desk.rowPolicy())
            desk.setExportPolicy(desk.exportPolicy())
            val keep = policy.copy(name = MaskRule(MaskKind.KEEP, 2u, 1u, null))
            desk.setRowPolicy(keep)
            assertEquals(keep, desk.rowPolicy())
            assertEquals(MaskKind.CLEAR, desk.rowPolicy().accountName.kind)
            assertFailsWith<PartnerDeskException.InvalidArgument> { desk.setRowPolicy(policy.copy(name = MaskRule(MaskKind.CLEAR, null, null, null))) }
            assertFailsWith<PartnerDeskException.InvalidArgument> { desk.setRowPolicy(policy.copy(email = MaskRule(MaskKind.FIXED, null, null, null))) }
            assertEquals(keep, desk.rowPolicy(), "nothing changed")
            desk.setPseudonymKey("a pseudonym key of 32 bytes.....".toByteArray())
            desk.setPseudonymKey(null)
            assertFailsWith<PartnerDeskException.InvalidArgument> { desk.setPseudonymKey("short".toByteArray()) }
        }
    }

    @Test
    fun `exports to a file, to bytes and streamed, downloads and the history`() {
        desk().use { desk ->
            val ids = desk.selectIds("", byId, now).take(3)
            val options = ExportOptions(ids = ids, columns = listOf("customer_id"))
            val bytes = desk.exportToBuffer(Actor.Operator(ADMIN), options, now)
            assertTrue(String(bytes).contains(ids[0]))
            val file = Files.createTempFile("partnerdesk", ".csv").toFile()
            val job = desk.exportToFile(Actor.Operator(ADMIN), file.path, options, now)
            assertEquals(3u, job.rows)
            assertContentEquals(bytes, file.readBytes())
            // Streamed, with progress; the listener cancels the second one.
            val out = ByteArrayOutputStream()
            var ticks = 0
            val streamed = desk.exportToStream(Actor.Operator(ADMIN), options, now, object : ExportListener {
                override fun onChunk(chunk: ByteArray): Boolean { out.write(chunk); return true }
                override fun onProgress(done: ULong, total: ULong): Boolean { ticks++; return true }
            })
            assertContentEquals(bytes, out.toByteArray())
            assertEquals("completed", streamed.status)
            assertTrue(ticks >= 1)
            assertFailsWith<PartnerDeskException.ExportCancelled> {
                desk.exportToStream(Actor.Operator(ADMIN), ExportOptions(), now, object : ExportListener {
                    override fun onChunk(chunk: ByteArray) = true
                    override fun onProgress(done: ULong, total: ULong) = false
                })
            }
            assertEquals(3uL, desk.downloadExport(Actor.Operator(ADMIN), job.id, file.path, now))
            assertEquals(listOf("completed", "completed", "completed", "cancelled"), desk.exports().map { it.status })
            // Refused: the file stays as it was.
            val before = file.readBytes()
            assertFailsWith<PartnerDeskException.AdministratorOnly> { desk.exportToFile(Actor.Operator(MANAGER), file.path, options, now) }
            assertContentEquals(before, file.readBytes())
            assertFailsWith<PartnerDeskException.InvalidArgument> { desk.exportToBuffer(Actor.Operator(ADMIN), ExportOptions(format = "pdf"), now) }
            assertFailsWith<PartnerDeskException.InvalidArgument> { desk.exportToFile(Actor.Operator(ADMIN), File(file, "no/such/dir.csv").path, options, now) }
            assertTrue("customer_id" in exportColumns())
            file.delete()
        }
    }

    @Test
    fun `the event log, replay and the event key`() {
        desk().use { desk ->
            val snapshot = desk.toSnapshotJson()
            val head = desk.chainHead()
            desk.grantPermissions(Actor.Operator(ADMIN), MANAGER, listOf("PD_VIEW_SPEND"), now)
            assertNotEquals(head, desk.chainHead())
            val since = desk.events().size.toUInt() - 1u
            assertEquals(1, desk.events(since).size)
            val event = desk.events(since).single()
            assertEquals(Actor.Operator(ADMIN), event.actor)
            assertEquals("permissions_granted", event.kind)
            assertEquals(desk.chainHead(), event.link)
            Desk.replay(snapshot, desk.eventsJson(since)).use { again -> assertEquals(desk.chainHead(), again.chainHead()) }
            Desk.fromSnapshotJson(snapshot).use { copy ->
                copy.applyEvents(desk.eventsJson(since))
                assertEquals(desk.chainHead(), copy.chainHead())
                assertFailsWith<PartnerDeskException.MalformedJson> { copy.applyEvents("[{") }
            }
            val forged = JSONArray(desk.eventsJson(since)).also { it.getJSONObject(0).put("link", "00") }.toString()
            assertFailsWith<PartnerDeskException.EventChainBroken> { Desk.replay(snapshot, forged) }
            desk.setEventKey("an event key of 32 bytes........".toByteArray())
            assertFailsWith<PartnerDeskException.InvalidArgument> { desk.setEventKey("short".toByteArray()) }
            desk.setEventKey(null)
            assertTrue(version().isNotEmpty())
        }
    }
}
