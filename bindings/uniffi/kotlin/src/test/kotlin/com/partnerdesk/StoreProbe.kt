package com.partnerdesk

import com.partnerdesk.host.Actor
import java.io.File

/**
 * The other process of StoreTest: a JVM of its own that opens the store the test wrote, so
 * what it reads can only have come from the file (nothing is shared in memory).
 *
 * `read LOCATION OUT_DIR`: writes the snapshot, the event log and the audit log it opened to
 * OUT_DIR. `grant LOCATION OPERATOR ITEM`: grants ITEM to OPERATOR as the administrator (a
 * change committed by another instance, for the test's `follow`).
 */
object StoreProbe {
    @JvmStatic
    fun main(args: Array<String>) {
        when (args.firstOrNull()) {
            "read" -> Desk.open(args[1]).use { desk ->
                val out = File(args[2])
                File(out, "snapshot.json").writeText(desk.toSnapshotJson())
                File(out, "events.json").writeText(desk.eventsJson())
                File(out, "audit.txt").writeText(StoreTest.auditText(desk))
                File(out, "kind.txt").writeText(desk.storeKind().toString())
            }
            "grant" -> Desk.open(args[1]).use { desk ->
                desk.grantPermissions(Actor.Operator(Fixtures.ADMIN), args[2], listOf(args[3]), Fixtures.now)
            }
            else -> error("usage: StoreProbe read LOCATION OUT_DIR | grant LOCATION OPERATOR ITEM")
        }
    }
}
