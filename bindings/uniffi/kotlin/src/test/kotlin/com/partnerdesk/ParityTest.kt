package com.partnerdesk

import java.io.File
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/**
 * Parity: every operation of bindings/host/operations.toml exists in Kotlin (camelCase), on
 * `Desk` (a method or a constructor of its companion) or as a package function.
 */
class ParityTest {
    private val list: File = generateSequence(File("").absoluteFile) { it.parentFile }
        .map { File(it, "bindings/host/operations.toml") }
        .firstOrNull { it.isFile }
        ?: File("../../host/operations.toml")

    /** The keys of each section, in file order, and the naming rules. */
    private fun operations(): Pair<Map<String, List<String>>, Map<String, String>> {
        val found = linkedMapOf<String, MutableList<String>>()
        val rules = mutableMapOf<String, String>()
        var section = ""
        for (line in list.readLines()) {
            Regex("""^\[(\w+)]$""").matchEntire(line.trim())?.let {
                section = it.groupValues[1]
                found[section] = mutableListOf()
                return@let
            } ?: Regex("""^(\w+) = "([^"]*)"""").find(line)?.let {
                found.getValue(section).add(it.groupValues[1])
                if (section == "naming") rules[it.groupValues[1]] = it.groupValues[2]
            }
        }
        return found to rules
    }

    private fun hostName(key: String, rule: String): String =
        if (rule == "snake_case") key
        else key.replace(Regex("_([a-z0-9])")) { it.groupValues[1].uppercase() }

    /** The JVM class of the package's top-level functions (uniffi's one generated file). */
    private val moduleClass: Class<*> = Class.forName("com.partnerdesk.Partnerdesk_uniffiKt")

    @Test
    fun `the list is read and has no duplicates`() {
        val (found, rules) = operations()
        assertTrue(found.getValue("desk").size >= 60 && found.getValue("module").size >= 10)
        for (s in listOf("desk", "module")) assertEquals(found.getValue(s).size, found.getValue(s).toSet().size, s)
        assertEquals("camelCase", rules["kotlin"])
        assertEquals("camelCase", rules["swift"])
    }

    @Test
    fun `Kotlin has every operation`() {
        val (found, rules) = operations()
        val rule = rules.getValue("kotlin")
        // Kotlin mangles the JVM name of a function with unsigned (inline class) types: `count-abc12`.
        fun names(methods: Array<java.lang.reflect.Method>) = methods.map { it.name.substringBefore('-') }.toSet()
        val onDesk = names(Desk::class.java.methods + Desk.Companion::class.java.methods)
        val inModule = names(moduleClass.methods)
        val missing = found.getValue("desk").map { hostName(it, rule) }.filterNot { it in onDesk }.map { "Desk.$it" } +
            found.getValue("module").map { hostName(it, rule) }.filterNot { it in inModule }
        assertEquals(emptyList(), missing, "Kotlin lacks: ${missing.joinToString()}")
    }
}
