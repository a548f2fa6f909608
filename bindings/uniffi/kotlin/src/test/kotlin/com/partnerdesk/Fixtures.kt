package com.partnerdesk

import java.io.File
import java.time.Instant

/** Shared test data: the demo desk's operators and a way to pick customers by filter. */
object Fixtures {
    /** The partner administrator: holds every permission item. */
    const val ADMIN = "admin"
    /** An account manager: view customers and spend, assign managers; no freeze, no reveal. */
    const val MANAGER = "am_000"
    /** Another account manager. */
    const val OTHER_MANAGER = "am_001"
    /** Billing operator: view, freeze/unfreeze, budgets, spend; not an account manager. */
    const val BILLING = "ops_billing"

    /** The demo's moment (`now` defaults to the wall clock, so the tests pass this one). */
    val now: Instant = demoNow()

    fun demo(customers: UInt = 1_000u, seed: ULong = 42uL): Desk = Desk.demo(customers, seed)

    /** Ids of customers matching a filter, by id. */
    fun ids(desk: Desk, filter: String, limit: UInt = 50u, includeDisassociated: Boolean = false): List<String> =
        desk.search(filter, SortOrder(SortKey.ID), PageRequest.First(limit), now, includeDisassociated).rows.map { it.id }

    /** The id of the first customer matching a filter. */
    fun first(desk: Desk, filter: String): String =
        ids(desk, filter, 1u).firstOrNull() ?: error("no customer matches $filter")

    /**
     * A copy of a file of bindings/host/fixtures in `dir` (a test never opens the committed
     * file itself: opening a store may write to it).
     */
    fun hostFixtureCopy(name: String, dir: File): File {
        val source = generateSequence(File("").absoluteFile) { it.parentFile }
            .map { File(it, "bindings/host/fixtures/$name") }
            .firstOrNull { it.isFile }
            ?: error("bindings/host/fixtures/$name not found above ${File("").absolutePath}")
        return source.copyTo(File(dir, name), overwrite = true)
    }

    /**
     * The Kotlin class of a stable code: its PascalCase (`INVALID_ID` -> `InvalidId`), where
     * uniffi turns a trailing `Error` into `Exception` (`HUAWEI_API_ERROR` -> `HuaweiApiException`).
     */
    fun className(code: String): String =
        code.lowercase().split('_').joinToString("") { it.replaceFirstChar(Char::uppercaseChar) }
            .replace(Regex("Error$"), "Exception")
}
