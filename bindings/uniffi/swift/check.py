#!/usr/bin/env python3
"""Checks the generated Swift module of partnerdesk's uniffi binding.

Usage: check.py OUT_DIR LIBRARY UNIFFI_TOML

Without a Swift toolchain (this machine has none) the generated files are checked for what a
compiler would reject or what would fail at load time on iOS:

- the three files exist, named after uniffi.toml's module_name (PartnerDesk.swift,
  PartnerDeskFFI.h, PartnerDeskFFI.modulemap);
- the modulemap declares module PartnerDeskFFI over header PartnerDeskFFI.h, and the Swift file
  imports that module (the module name has no doubled "FFI");
- every API function and checksum the header declares is called by the Swift file, every
  uniffi symbol the Swift file calls is declared in the header, and every symbol the header
  declares is exported by the built library;
- the public Swift surface has the types and functions the README documents;
- the Swift package manifest (package/Package.swift, the template scripts/package.sh swift
  ships) names the same modules: a binary target PartnerDeskFFI over
  PartnerDeskFFI.xcframework and a PartnerDesk target, built from the generated file, that
  depends on it.

Prints one line per check and a closing "N passed, N failed" line; exits 1 on any failure.
"""
import re
import subprocess
import sys
from pathlib import Path

MODULE = "PartnerDesk"  # the README's name; must equal uniffi.toml's [bindings.swift] module_name
FFI = MODULE + "FFI"
PREFIX = "partnerdesk_uniffi"
# Public names a Swift caller uses (README); a rename in the Rust crate must show up here.
SURFACE = [
    r"open class Desk\b",
    r"public static func demo\(customers: UInt32, seed: UInt64\)",
    r"public static func fromSnapshotJson\(json: String\)",
    r"open func search\(filter: String, sort: SortOrder, page: PageRequest, now: HostInstant\? = nil",
    r"open func customerRow\(id: String, now: HostInstant\? = nil\)",
    r"public\s+enum PartnerDeskError\b",
    r"public func code\(\) -> String",
    r"public struct CustomerRow\b",
    r"public struct Money\b",
    r"public enum PageRequest\b",
    # The package's catalogues (declared once in partnerdesk-host: they throw, like every
    # declared function)
    r"public func demoNow\(\)\s*throws\s*-> HostInstant",
    r"public func errorCodes\(\)\s*throws\s*-> \[String\]",
    r"public func exportColumns\(\)\s*throws\s*-> \[String\]",
    r"public func version\(\)\s*throws\s*-> String",
    # Customers and operators (declared once in partnerdesk-host; NewCustomer, CustomerArg and
    # Role in PartnerDeskHost.swift)
    r"open func insertCustomer\(customer: CustomerArg\)\s*throws",
    r"open func upsertCustomer\(customer: CustomerArg\)\s*throws",
    r"open func removeCustomer\(customer: String\)\s*throws",
    r"open func addOperator\(login: String, name: String, role: Role\? = nil, accountManager: Bool\? = nil, permissions: \[String\]\? = nil\)\s*throws",
    r"open func grantPermissions\(actor: ActorArg, `operator`: String, items: \[String\], now: HostInstant\? = nil, idempotencyKey: String\? = nil\)\s*throws",
    r"open func revokePermissions\(actor: ActorArg, `operator`: String, items: \[String\], now: HostInstant\? = nil, idempotencyKey: String\? = nil\)\s*throws",
    r"open func toSnapshotJson\(\)\s*throws\s*-> String",
    r"open func operators\(\)\s*throws\s*-> \[OperatorInfo\]",
    r"public struct OperatorInfo\b",
    r"public struct NewCustomer\b",
    r"\*/associatedAt: HostInstant,",
    r"public enum CustomerArg\b",
    r"case new\(",
    r"case json\(",
    r"public enum Role\b",
    r"case administrator\b",
    # Huawei interop (declared once in partnerdesk-host; its records and enums in PartnerDeskHost.swift)
    r"public static func empty\(partnerId: String, name: String, site: Site, tier: Tier, now: HostInstant\? = nil\)",
    r"public static func fromHuaweiFixtures\(site: Site, now: HostInstant\? = nil\)",
    r"open func importHuawei\(kind: ImportKind, pages: Pages, customer: String\? = nil, cycle: String\? = nil, reseller: String\? = nil, now: HostInstant\? = nil\)\s*throws\s*-> ImportReport",
    r"public\s+enum ImportKind\b",
    r"case listSubCustomers\b",
    r"case HuaweiApiError\(",
    r"public struct ImportReport\b",
    r"public var reportedTotal: UInt32\?",
    r"public struct ApiPage\b",
    r"public struct RemoteOutcome\b",
    r"public struct QuerySplit\b",
    r"public\s+enum Site\b",
    r"public\s+enum Tier\b",
    r"public func huaweiFixtures\(\)\s*throws\s*-> \[String: String\]",
    r"public func huaweiFreezeBody\(customers: \[String\], reason: String, scope: FreezeScope\? = nil, reseller: String\? = nil\)\s*throws\s*-> HostJson",
    r"public func huaweiUnfreezeBody\(customers: \[String\], reason: String, scope: FreezeScope\? = nil, reseller: String\? = nil\)\s*throws\s*-> HostJson",
    r"public func huaweiBudgetBody\(customer: String, amount: HostDecimal, currency: String, kind: BudgetKind\? = nil, autoFreeze: Bool\? = nil, unfreeze: Bool\? = nil, thresholds: Thresholds\? = nil, reseller: String\? = nil\)\s*throws\s*-> HostJson",
    r"public func huaweiBatchOutcome\(customers: \[String\], body: String, httpStatus: UInt32\? = nil\)\s*throws\s*-> RemoteOutcome",
    r"public func huaweiPagePlan\(total: Int64, limit: UInt32\? = nil\)\s*throws\s*-> \[ApiPage\]",
    r"public func huaweiSplitQuery\(query: FilterText, site: Site, offset: UInt32\? = nil, limit: UInt32\? = nil\)\s*throws\s*-> QuerySplit",
    r"public func huaweiErrorCodes\(\)\s*throws\s*-> \[String\]",
    r"public func huaweiApiKinds\(\)\s*throws\s*-> \[String\]",
    r"public typealias HostJson = String",
    r"public typealias Pages = \[String\]",
    r"public typealias FilterText = String",
    # A customer's detail pages (the records in the host module)
    r"open func customerOrders\(actor: ActorArg, customer: String, scope: String\? = nil, limit: UInt32\? = nil, offset: UInt32\? = nil, cursor: String\? = nil\)\s*throws\s*-> OrderPage",
    r"open func customerResources\(actor: ActorArg, customer: String, kinds: \[String\]\? = nil, statuses: \[String\]\? = nil, expiringWithinDays: Int64\? = nil, sort: String\? = nil, limit: UInt32\? = nil, offset: UInt32\? = nil, cursor: String\? = nil, now: HostInstant\? = nil\)\s*throws\s*-> ResourcePage",
    r"open func spendDetails\(actor: ActorArg, customer: String, month: String, group: String\? = nil, limit: UInt32\? = nil, offset: UInt32\? = nil, cursor: String\? = nil\)\s*throws\s*-> SpendPage",
    r"open func renewalsPage\(actor: ActorArg, days: Int64, limit: UInt32\? = nil, offset: UInt32\? = nil, cursor: String\? = nil, now: HostInstant\? = nil\)\s*throws\s*-> ResourcePage",
    r"open func exportDetailToFile\(actor: Actor, list: DetailArgs, path: String, options: DetailExportOptions, now: HostInstant\? = nil\)\s*throws\s*-> ExportJob",
    r"open func exportDetailToBuffer\(actor: Actor, list: DetailArgs, options: DetailExportOptions, now: HostInstant\? = nil\)\s*throws\s*-> Data",
    r"public struct DetailArgs\b",
    # DetailArgs' options may be left out (uniffi writes each field's doc inside the init).
    r"\*/list: String,\s*/\*\*[^/]*\*/customerId: String,\s*/\*\*[^/]*\*/scope: String\? = nil,",
    r"public struct DetailExportOptions\b",
    r"public struct OrderLine\b",
    r"public struct ResourceLine\b",
    r"public struct SpendDetail\b",
    r"public struct OrderPage\b",
    r"public struct ResourcePage\b",
    r"public struct SpendPage\b",
    # Durable desks
    r"public static func `open`\(location: String, partner: String\? = nil, maxAttempts: UInt32\? = nil, checkpointEvery: UInt64\? = nil, eventKey: Secret\? = nil\)\s*throws\s*-> Desk",
    r"open func saveTo\(location: String, maxAttempts: UInt32\? = nil, checkpointEvery: UInt64\? = nil, eventKey: Secret\? = nil\)\s*throws",
    r"open func storeKind\(\)\s*-> String\?",
    r"open func refresh\(\)\s*throws\s*-> UInt64",
    r"open func follow\(timeout: HostTimeout\)\s*throws\s*-> Bool",
    r"open func checkpoint\(\)\s*throws\s*-> UInt64",
    r"public typealias HostTimeout = TimeInterval",
    r"let builtinValue = String\(value\)",  # HostTimeout crosses as its text
    r"case StoreUnavailable\(",
    r"case ConcurrentChange\(",
    r"case StoreCorrupt\(",
    r"case StoreVersionUnsupported\(",
]

results = []


def check(name, ok, detail=""):
    results.append(ok)
    print(f"{'ok  ' if ok else 'FAIL'} {name}{': ' + detail if detail and not ok else ''}")


def main():
    out, lib, toml = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    configured = re.search(r'^module_name\s*=\s*"([^"]*)"', toml.read_text(), re.M)
    check("uniffi.toml's Swift module_name is the documented one",
          configured is not None and configured.group(1) == MODULE,
          configured.group(1) if configured else "module_name missing")
    swift, header, modulemap = out / f"{MODULE}.swift", out / f"{FFI}.h", out / f"{FFI}.modulemap"
    for f in (swift, header, modulemap):
        check(f"{f.name} generated", f.is_file() and f.stat().st_size > 0)
    if not all(results[-3:]):
        return
    s, h, m = swift.read_text(), header.read_text(), modulemap.read_text()

    check("modulemap declares the FFI module",
          re.search(rf"\bmodule {FFI} \{{", m) is not None, m.splitlines()[0])
    check("modulemap names the header", f'header "{FFI}.h"' in m)
    check("Swift imports the FFI module", re.search(rf"^import {FFI}$", s, re.M) is not None)
    check("module name has no doubled FFI", "FFIFFI" not in s + h + m and "FFIFFI" not in
          " ".join(p.name for p in out.iterdir()))

    declared = set(re.findall(r"\b((?:uniffi|ffi)_[a-z0-9_]+)\(", h))
    api = {d for d in declared if d.startswith(f"uniffi_{PREFIX}_fn_")
           or d.startswith(f"uniffi_{PREFIX}_checksum_")}
    called = set(re.findall(rf"\b((?:uniffi|ffi)_{PREFIX}_[a-z0-9_]+)\b", s))
    check("header declares the API", len(api) > 10, f"{len(api)} functions")
    missing = sorted(api - called)
    check("every API function of the header is used by Swift", not missing, ", ".join(missing))
    undeclared = sorted(called - declared)
    check("every symbol Swift calls is declared in the header", not undeclared,
          ", ".join(undeclared))
    contract = re.search(rf"\bffi_{PREFIX}_uniffi_contract_version\(\)", s)
    check("Swift checks the contract version", contract is not None)

    nm = subprocess.run(["nm", "-D", "--defined-only", str(lib)], capture_output=True,
                        text=True, check=False)
    exported = set(re.findall(r"\s([A-Za-z_][A-Za-z0-9_]*)$", nm.stdout, re.M))
    unexported = sorted(d for d in declared if d not in exported)
    check("every header symbol is exported by the library", nm.returncode == 0 and not
          unexported, ", ".join(unexported[:10]) or nm.stderr.strip())

    # The records every binding shares are generated into the host namespace's module
    # (partnerdesk-host, PartnerDeskHost.swift), compiled into the same Swift target.
    host = out / f"{MODULE}Host.swift"
    check(f"{host.name} generated", host.is_file() and host.stat().st_size > 0)
    surface = s + (host.read_text() if host.is_file() else "")
    for pattern in SURFACE:
        check(f"Swift surface: {pattern}", re.search(pattern, surface) is not None)

    check_manifest(Path(__file__).resolve().parent / "package" / "Package.swift")


def check_manifest(path):
    """The package manifest agrees with the generated module's names."""
    check("Package.swift exists", path.is_file())
    if not path.is_file():
        return
    p = path.read_text()
    check("Package.swift declares its tools version first",
          re.match(r"// swift-tools-version:\s*5\.\d+\n", p) is not None)
    check("Package.swift: the package and its library product are named after the module",
          f'name: "{MODULE}"' in p and f'.library(name: "{MODULE}", targets: ["{MODULE}"])' in p)
    check("Package.swift: a binary target for the FFI module's xcframework",
          f'.binaryTarget(name: "{FFI}", path: "{FFI}.xcframework")' in p)
    check("Package.swift: the Swift target holds the generated file and depends on the FFI module",
          f'.target(name: "{MODULE}", dependencies: ["{FFI}"], path: "Sources/{MODULE}")' in p)


if __name__ == "__main__":
    main()
    failed = results.count(False)
    print(f"swift-check: {len(results) - failed} passed, {failed} failed")
    sys.exit(1 if failed or not results else 0)
