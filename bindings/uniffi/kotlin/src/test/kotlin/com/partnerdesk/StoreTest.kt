package com.partnerdesk

import com.partnerdesk.host.Actor
import com.partnerdesk.host.ImportKind
import com.partnerdesk.host.MaskKind
import com.partnerdesk.host.MaskRule
import com.partnerdesk.host.Role
import com.partnerdesk.host.Site
import com.partnerdesk.host.Tier

import com.partnerdesk.Fixtures.ADMIN
import com.partnerdesk.Fixtures.BILLING
import com.partnerdesk.Fixtures.now
import java.io.File
import java.time.Duration
import java.util.concurrent.CountDownLatch
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit
import kotlin.io.path.createTempDirectory
import kotlin.test.AfterTest
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertNotEquals
import kotlin.test.assertNull
import kotlin.test.assertTrue
import kotlin.test.fail

/**
 * Durable desks: `Desk.open`, `saveTo`, `storeKind`, `refresh`, `follow` and `checkpoint` on
 * real SQLite files in a temporary folder (and on PostgreSQL when `PARTNERDESK_PG_URL` names a
 * server). Every change on such a desk is committed before its call returns, so a desk opened
 * afterwards (here, in another process too) sees it.
 */
class StoreTest {
    private val dir: File = createTempDirectory("partnerdesk-store").toFile()

    @AfterTest
    fun clean() {
        dir.deleteRecursively()
    }

    private fun location(name: String = "desk.db") = File(dir, name).path

    /** A small demo desk, stored at `location` (the desk returned works there). */
    private fun stored(at: String = location(), maxAttempts: UInt? = null): Desk =
        Fixtures.demo(60u, 7uL).also { it.saveTo(at, maxAttempts = maxAttempts) }

    private fun permissionsOf(desk: Desk, login: String) = desk.operators().single { it.id == login }.permissions

    @Test
    fun `a snapshot file round-trips and a failed save keeps the old file`() {
        Fixtures.demo(60u, 7uL).use { desk ->
            val path = File(dir, "desk.json").path
            desk.saveSnapshotFile(path)
            assertEquals(desk.toSnapshotJson(), File(path).readText())
            Desk.fromSnapshotFile(path).use { again -> assertEquals(desk.toSnapshotJson(), again.toSnapshotJson()) }
            val missing = assertFailsWith<PartnerDeskException.InvalidArgument> {
                Desk.fromSnapshotFile(File(dir, "missing.json").path)
            }
            assertEquals("path", missing.field)
            assertFailsWith<PartnerDeskException.ExportWriteFailed> {
                desk.saveSnapshotFile(File(dir, "no-such-folder/desk.json").path)
            }
            assertEquals(desk.toSnapshotJson(), File(path).readText(), "the old file is untouched")
        }
    }

    @Test
    fun `a change and a refusal are committed and read back by another process`() {
        val at = location()
        val desk = stored(at)
        assertEquals("sqlite", desk.storeKind())
        desk.grantPermissions(Actor.Operator(ADMIN), BILLING, listOf("PD_REVEAL_SENSITIVE"), now)
        assertFailsWith<PartnerDeskException.AdministratorOnly> {
            desk.grantPermissions(Actor.Operator(BILLING), BILLING, listOf("PD_ASSIGN_ACCOUNT_MANAGER"), now)
        }
        val refusal = desk.auditLog().last()
        assertEquals("ADMINISTRATOR_ONLY", refusal.deniedCode)
        val snapshot = desk.toSnapshotJson()
        val events = desk.eventsJson()
        val audit = auditText(desk)
        desk.close()

        // The same process: a new desk opened from the file.
        Desk.open(at).use { again ->
            assertEquals(snapshot, again.toSnapshotJson())
            assertEquals(events, again.eventsJson())
            assertEquals(audit, auditText(again))
            assertTrue("PD_REVEAL_SENSITIVE" in permissionsOf(again, BILLING))
            assertEquals(refusal, again.auditLog().last(), "the refusal's audit record")
        }
        // Another process: nothing shared in memory, only the file.
        val out = File(dir, "probe").apply { mkdirs() }
        probe("read", at, out.path)
        assertEquals(snapshot, File(out, "snapshot.json").readText())
        assertEquals(events, File(out, "events.json").readText())
        assertEquals(audit, File(out, "audit.txt").readText())
        assertEquals("sqlite", File(out, "kind.txt").readText())
    }

    @Test
    fun `follow sees another process's commit and keeps no reader waiting`() {
        stored().use { desk ->
            assertFalse(desk.follow(Duration.ofMillis(50)), "nothing new")
            assertFalse("PD_ASSIGN_ACCOUNT_MANAGER" in permissionsOf(desk, BILLING))
            val pool = Executors.newSingleThreadExecutor()
            try {
                val started = CountDownLatch(1)
                val followed = pool.submit<Boolean> {
                    started.countDown()
                    desk.follow(Duration.ofSeconds(60))
                }
                started.await()
                // While it waits, reads answer at once (it does not hold the desk).
                val t0 = System.nanoTime()
                repeat(20) { desk.customerCount() }
                val readMs = (System.nanoTime() - t0) / 1_000_000
                assertTrue(readMs < 1_000, "reads took $readMs ms while follow waited")
                probe("grant", location(), BILLING, "PD_ASSIGN_ACCOUNT_MANAGER")
                assertTrue(followed.get(60, TimeUnit.SECONDS), "follow saw the other process's commit")
                assertTrue("PD_ASSIGN_ACCOUNT_MANAGER" in permissionsOf(desk, BILLING))
            } finally {
                pool.shutdownNow()
            }
            assertEquals(0uL, desk.refresh(), "already applied")
        }
    }

    @Test
    fun `two desks on one file conflict with one attempt, then refresh converges`() {
        val at = location()
        stored(at, maxAttempts = 1u).use { a ->
            Desk.open(at, maxAttempts = 1u).use { b ->
                a.grantPermissions(Actor.Operator(ADMIN), BILLING, listOf("PD_REVEAL_SENSITIVE"), now)
                val e = assertFailsWith<PartnerDeskException.ConcurrentChange> {
                    b.grantPermissions(Actor.Operator(ADMIN), BILLING, listOf("PD_ASSIGN_ACCOUNT_MANAGER"), now)
                }
                assertEquals(e.expectedEvents + 1uL, e.foundEvents)
                // Refused, nothing committed, and B caught up with A.
                assertEquals(a.eventsJson(), b.eventsJson())
                assertFalse("PD_ASSIGN_ACCOUNT_MANAGER" in permissionsOf(b, BILLING))
                b.grantPermissions(Actor.Operator(ADMIN), BILLING, listOf("PD_ASSIGN_ACCOUNT_MANAGER"), now)
                assertEquals(1uL, a.refresh(), "B's grant")
                assertEquals(b.toSnapshotJson(), a.toSnapshotJson())
                assertEquals(b.eventsJson(), a.eventsJson())
                assertEquals(0uL, a.refresh())
            }
            // With the default attempts the same race resolves by itself.
            Desk.open(at).use { c ->
                a.revokePermissions(Actor.Operator(ADMIN), BILLING, listOf("PD_ASSIGN_ACCOUNT_MANAGER"), now)
                c.revokePermissions(Actor.Operator(ADMIN), BILLING, listOf("PD_REVEAL_SENSITIVE"), now)
                val perms = permissionsOf(c, BILLING)
                assertFalse("PD_ASSIGN_ACCOUNT_MANAGER" in perms || "PD_REVEAL_SENSITIVE" in perms)
                assertEquals(1uL, a.refresh())
                assertEquals(c.toSnapshotJson(), a.toSnapshotJson())
            }
        }
    }

    @Test
    fun `mask policies are committed and read back after a reopen`() {
        val at = location()
        val desk = stored(at)
        val rows = desk.rowPolicy().copy(
            name = MaskRule(MaskKind.KEEP, 0u, 1u, null),
            accountName = MaskRule(MaskKind.HIDDEN, null, null, null),
        )
        val exports = desk.exportPolicy().copy(mobile = MaskRule(MaskKind.PSEUDONYM, null, null, null))
        assertNotEquals(rows, desk.rowPolicy())
        desk.setRowPolicy(rows)
        desk.setExportPolicy(exports)
        assertEquals(listOf("mask_policy_set", "mask_policy_set"), desk.events().takeLast(2).map { it.kind })
        desk.close()
        Desk.open(at).use { again ->
            assertEquals(rows, again.rowPolicy())
            assertEquals(exports, again.exportPolicy())
        }
    }

    @Test
    fun `a checkpoint is where the next open starts, and gives the same desk`() {
        val at = location()
        stored(at).use { desk ->
            desk.grantPermissions(Actor.Operator(ADMIN), BILLING, listOf("PD_ASSIGN_ACCOUNT_MANAGER"), now)
            val events = desk.events().size.toULong()
            assertEquals(events, desk.checkpoint())
            desk.revokePermissions(Actor.Operator(ADMIN), BILLING, listOf("PD_ASSIGN_ACCOUNT_MANAGER"), now)
            val snapshot = desk.toSnapshotJson()
            desk.close()
            Desk.open(at, checkpointEvery = 0uL).use { again ->
                assertEquals(snapshot, again.toSnapshotJson())
                assertEquals(events + 1uL, again.events().size.toULong())
            }
        }
    }

    @Test
    fun `an in-memory desk has no store and no checkpoint`() {
        Fixtures.demo(20u, 1uL).use { desk ->
            assertNull(desk.storeKind())
            assertEquals(0uL, desk.refresh())
            assertFalse(desk.follow(Duration.ofSeconds(30)), "at once, without waiting")
            val e = assertFailsWith<PartnerDeskException.InvalidArgument> { desk.checkpoint() }
            assertEquals("desk", e.field)
        }
    }

    @Test
    fun `open without a partner opens the one desk, and needs one among two`() {
        val at = location()
        assertEquals("STORE_UNAVAILABLE", assertFailsWith<PartnerDeskException.StoreUnavailable> { Desk.open(at) }.code())
        val snapshot = stored(at).use { it.toSnapshotJson() }
        Desk.open(at).use { assertEquals(snapshot, it.toSnapshotJson()) }
        Desk.empty("other_partner", "Other", Site.CHINA, Tier.DISTRIBUTOR, now).use { it.saveTo(at) }
        val e = assertFailsWith<PartnerDeskException.InvalidArgument> { Desk.open(at) }
        assertEquals("partner", e.field)
        val partner = Fixtures.demo(1u, 7uL).use { it.partner().id }
        Desk.open(at, partner = partner).use { assertEquals(snapshot, it.toSnapshotJson()) }
        Desk.open(at, partner = "other_partner").use { assertEquals(0uL, it.customerCount()) }
        assertFailsWith<PartnerDeskException.StoreUnavailable> { Desk.open(at, partner = "no_such_partner") }
        assertFailsWith<PartnerDeskException.InvalidId> { Desk.open(at, partner = "") }
        assertEquals("max_attempts", assertFailsWith<PartnerDeskException.InvalidArgument> { Desk.open(at, partner, maxAttempts = 0u) }.field)
        assertFailsWith<PartnerDeskException.InvalidArgument> { Desk.open(at, partner, maxAttempts = 65u) }
    }

    @Test
    fun `saveTo never overwrites, and a failed one leaves the desk where it was`() {
        val at = location()
        Fixtures.demo(60u, 7uL).use { desk ->
            assertFailsWith<PartnerDeskException.StoreUnavailable> { desk.saveTo(File(dir, "no/such/folder/desk.db").path) }
            assertNull(desk.storeKind(), "still in memory")
            desk.saveTo(at)
            desk.grantPermissions(Actor.Operator(ADMIN), BILLING, listOf("PD_ASSIGN_ACCOUNT_MANAGER"), now)
            // A copy onto a second file; the first keeps what it had.
            val second = location("second.db")
            desk.saveTo(second)
            desk.revokePermissions(Actor.Operator(ADMIN), BILLING, listOf("PD_ASSIGN_ACCOUNT_MANAGER"), now)
            Desk.open(second).use { copy -> assertEquals(desk.toSnapshotJson(), copy.toSnapshotJson()) }
            Desk.open(at).use { first ->
                assertTrue("PD_ASSIGN_ACCOUNT_MANAGER" in permissionsOf(first, BILLING), "the first file keeps the grant")
                assertNotEquals(desk.toSnapshotJson(), first.toSnapshotJson(), "the revoke went to the second file only")
            }
        }
        Fixtures.demo(60u, 7uL).use { same ->
            val e = assertFailsWith<PartnerDeskException.InvalidArgument> { same.saveTo(at) }
            assertEquals("location", e.field)
            assertNull(same.storeKind())
        }
    }

    private val key = "the host's event key, 32 bytes!!".toByteArray()
    private val otherKey = "another host's key, also 32 b..".toByteArray()

    @Test
    fun `a store sealed with an event key reopens with that key only`() {
        val at = location()
        val (want, head) = Fixtures.demo(60u, 7uL).use { desk ->
            desk.saveTo(at, eventKey = key)
            desk.grantPermissions(Actor.Operator(ADMIN), BILLING, listOf("PD_VIEW_SPEND"), now)
            assertEquals(desk.chainHead(), desk.events().last().link)
            desk.toSnapshotJson() to desk.chainHead()
        }
        for (wrong in listOf(null, otherKey)) {
            val e = assertFailsWith<PartnerDeskException.StoreCorrupt> { Desk.open(at, eventKey = wrong) }
            assertTrue("EVENT_CHAIN_BROKEN" in e.what, e.what)
        }
        Desk.open(at, eventKey = key).use { reopened ->
            assertEquals(want, reopened.toSnapshotJson())
            assertEquals(head, reopened.chainHead())
            assertTrue("PD_VIEW_SPEND" in permissionsOf(reopened, BILLING))
            // It keeps sealing with the key: a further change opens again with it.
            reopened.grantPermissions(Actor.Operator(ADMIN), BILLING, listOf("PD_ASSIGN_ACCOUNT_MANAGER"), now)
            Desk.open(at, eventKey = key).use { again -> assertEquals(reopened.toSnapshotJson(), again.toSnapshotJson()) }
        }
    }

    @Test
    fun `a desk with an event key is stored only with that key, and a durable desk keeps it`() {
        Fixtures.demo(20u, 1uL).use { desk ->
            desk.setEventKey(key)
            for (wrong in listOf(null, otherKey, ByteArray(4))) {
                val e = assertFailsWith<PartnerDeskException.InvalidArgument> { desk.saveTo(location("keyed.db"), eventKey = wrong) }
                assertEquals("event_key", e.field)
                assertNull(desk.storeKind())
            }
            desk.saveTo(location("keyed.db"), eventKey = key)
            desk.setEventKey(key) // the key it has: accepted
            for (wrong in listOf(null, otherKey)) {
                assertEquals("key", assertFailsWith<PartnerDeskException.InvalidArgument> { desk.setEventKey(wrong) }.field)
            }
        }
        stored().use { desk ->
            val e = assertFailsWith<PartnerDeskException.InvalidArgument> { desk.setEventKey(ByteArray(32) { 7 }) }
            assertEquals("key", e.field)
            desk.setEventKey(null)
        }
    }

    @Test
    fun `Huawei imports and exports on a durable desk are committed`() {
        val at = location()
        val partner = Desk.empty("p-import", "Example Partner", Site.INTERNATIONAL, Tier.DISTRIBUTOR, now).use { desk ->
            desk.saveTo(at)
            val report = desk.importHuawei(ImportKind.LIST_SUB_CUSTOMERS, listOf(huaweiFixtures().getValue("list_sub_customers.intl.json")), now = now)
            assertTrue(report.added.isNotEmpty())
            // A refused import commits nothing.
            assertFailsWith<PartnerDeskException.HuaweiApiException> {
                desk.importHuawei(ImportKind.ORDERS, listOf("""{"error_code":"CBC.0151","error_msg":"no"}"""), now = now)
            }
            assertEquals(report.added.size.toULong(), desk.customerCount())
            desk.partner().id
        }
        Desk.open(at, partner = partner).use { assertTrue(it.customerCount() > 0uL) }

        stored(location("export.db")).use { desk ->
            val bytes = desk.exportToBuffer(Actor.Operator(ADMIN), ExportOptions(), now)
            assertTrue(bytes.isNotEmpty())
            val jobs = desk.exports()
            assertEquals(1, jobs.size)
            desk.close()
            Desk.open(location("export.db")).use { assertEquals(jobs, it.exports()) }
        }
    }

    @Test
    fun `timeouts are a java time Duration, from zero to an hour`() {
        stored().use { desk ->
            assertFalse(desk.follow(Duration.ZERO))
            for (bad in listOf(Duration.ofSeconds(-1), Duration.ofMillis(-1), Duration.ofHours(1).plusNanos(1), Duration.ofDays(365_000))) {
                val e = assertFailsWith<PartnerDeskException.InvalidArgument>("$bad") { desk.follow(bad) }
                assertEquals("timeout", e.field)
            }
            val t0 = System.nanoTime()
            assertFalse(desk.follow(Duration.ofMillis(200)))
            val ms = (System.nanoTime() - t0) / 1_000_000
            assertTrue(ms in 150..5_000, "waited $ms ms for 200")
        }
    }

    @Test
    fun `on PostgreSQL a desk is saved, changed and reopened the same`() {
        val url = System.getenv("PARTNERDESK_PG_URL").orEmpty()
        if (url.isEmpty()) {
            if (System.getenv("CI") != null) fail("CI is set but PARTNERDESK_PG_URL is not: the PostgreSQL test must run in CI (scripts/test.sh starts a server)")
            println("StoreTest: PostgreSQL skipped: PARTNERDESK_PG_URL is not set (eval \"\$(scripts/pg.sh start)\" starts a test server)")
            return
        }
        // A partner of its own per run: the server's database outlives the test.
        val partner = "kt-" + java.util.UUID.randomUUID().toString().replace("-", "").take(20)
        Desk.empty(partner, "Kotlin test partner", Site.CHINA, Tier.DISTRIBUTOR, now).use { desk ->
            desk.addOperator(ADMIN, "Admin", Role.ADMINISTRATOR)
            desk.addOperator(BILLING, "Billing", Role.OPERATOR)
            desk.saveTo(url)
            assertEquals("postgresql", desk.storeKind())
            desk.grantPermissions(Actor.Operator(ADMIN), BILLING, listOf("PD_ASSIGN_ACCOUNT_MANAGER"), now)
            assertFailsWith<PartnerDeskException.AdministratorOnly> {
                desk.grantPermissions(Actor.Operator(BILLING), BILLING, listOf("PD_VIEW_SPEND"), now)
            }
            assertEquals(desk.events().size.toULong(), desk.checkpoint())
            val snapshot = desk.toSnapshotJson()
            val events = desk.eventsJson()
            val audit = auditText(desk)
            desk.close()
            Desk.open(url, partner = partner).use { again ->
                assertEquals("postgresql", again.storeKind())
                assertEquals(snapshot, again.toSnapshotJson())
                assertEquals(events, again.eventsJson())
                assertEquals(audit, auditText(again))
                assertEquals("ADMINISTRATOR_ONLY", again.auditLog().last().deniedCode)
                assertNotEquals(0uL, again.events().size.toULong())
                assertFalse(again.follow(Duration.ofMillis(100)))
            }
        }
    }

    /** Runs StoreProbe in a JVM of its own (same class path) and waits for it. */
    private fun probe(vararg args: String) {
        val java = File(System.getProperty("java.home"), "bin/java").path
        val classPath = System.getProperty("surefire.test.class.path") ?: System.getProperty("java.class.path")
        val process = ProcessBuilder(listOf(java, "-cp", classPath, "com.partnerdesk.StoreProbe") + args)
            .redirectErrorStream(true)
            .start()
        val output = process.inputStream.bufferedReader().readText()
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "the probe process finished")
        assertEquals(0, process.exitValue(), "the probe process failed: $output")
    }

    companion object {
        /** The audit log as text, one record a line (to compare across processes). */
        fun auditText(desk: Desk): String = desk.auditLog().joinToString("\n") { it.toString() }
    }
}
