#!/usr/bin/env python3
"""Regenerates the error tables of the Python binding from the core's `Error` enum.

Why: the core's one `Error` enum grows with every governed operation. Its variants, fields and
codes are read from `crates/partnerdesk/src/error.rs` and written into three places that must
agree with it: the exhaustive `match` in `src/errors.rs`, the exception classes in
`python/partnerdesk/_partnerdesk.pyi`, and the error table in `README.md` (each between
`BEGIN GENERATED ERRORS` / `END GENERATED ERRORS` markers). The Rust `match` has no `_` arm, so
a variant this script has not seen yet still breaks the build; run it and commit the result.

    python3 bindings/python/tools/gen_errors.py          # rewrite
    python3 bindings/python/tools/gen_errors.py --check  # exit 1 if anything is stale
"""
from __future__ import annotations

import pathlib
import re
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent.parent
CORE = HERE.parent.parent / "crates" / "partnerdesk" / "src" / "error.rs"

INT_TYPES = {"usize", "u32", "u64", "i64", "u8", "u16"}


def parse() -> list[dict]:
    text = CORE.read_text()
    body = text[text.index("pub enum Error {") :]
    body = body[: body.index("\n}\n")]
    codes = dict(re.findall(r"Error::(\w+)(?: \{ \.\. \})? => \"([A-Z_]+)\"", text))
    variants: list[dict] = []
    doc: list[str] = []
    cur: dict | None = None
    for line in body.splitlines()[1:]:
        m_doc = re.match(r"^    /// ?(.*)$", line)
        m_var = re.match(r"^    (\w+)( \{|,)$", line)
        m_field = re.match(r"^        (\w+): ([^,]+),$", line)
        if m_doc:
            doc.append(m_doc.group(1))
        elif m_var:
            cur = {"name": m_var.group(1), "doc": " ".join(doc).strip(), "fields": []}
            variants.append(cur)
            doc = []
        elif m_field and cur is not None:
            cur["fields"].append((m_field.group(1), m_field.group(2).strip()))
        elif line.startswith("    #[") or not line.strip() or line.strip() == "},":
            if line.strip() == "},":
                cur = None
        else:
            doc = [] if not line.strip().startswith("///") else doc
    for v in variants:
        v["code"] = codes[v["name"]]
    return variants


def rust(variants: list[dict]) -> str:
    out = ["error_classes! {"]
    for v in variants:
        out.append(f'    {v["name"]}Error => "{v["code"]}",')
    out.append("}")
    out.append("")
    out.append("/// The class and the detail attributes of a core error. Exhaustive: no `_` arm.")
    out.append("fn class_of<'py>(py: Python<'py>, e: &Error) -> (Bound<'py, PyType>, Details<'py>) {")
    out.append("    match e {")
    for v in variants:
        cls = f'py.get_type::<{v["name"]}Error>()'
        if not v["fields"]:
            out.append(f'        Error::{v["name"]} => ({cls}, vec![]),')
            continue
        names = ", ".join(f for f, _ in v["fields"])
        items = []
        for f, t in v["fields"]:
            if t in INT_TYPES:
                cast = "" if t == "u64" else " as u64"
                items.append(f'("{f}", n(py, *{f}{cast}))')
            elif t in ("String", "&'static str"):
                items.append(f'("{f}", s(py, {f}))')
            else:
                items.append(f'("{f}", s(py, &{f}.to_string()))')
        out.append(f'        Error::{v["name"]} {{ {names} }} => ({cls}, vec![{", ".join(items)}]),')
    out.append("    }")
    out.append("}")
    return "\n".join(out)


def pyi(variants: list[dict]) -> str:
    out = []
    for v in variants:
        out.append(f'class {v["name"]}Error(PartnerDeskError):')
        out.append(f'    """{v["doc"]} Code `{v["code"]}`."""')
        for f, t in v["fields"]:
            out.append(f"    {f}: {'int' if t in INT_TYPES else 'str'}")
        if not v["fields"]:
            out.append("    ...")
        out.append("")
    out.append("__all__ += [")
    for v in variants:
        out.append(f'    "{v["name"]}Error",')
    out.append("]")
    return "\n".join(out)


def readme(variants: list[dict]) -> str:
    out = ["| code | exception | attributes | meaning |", "| --- | --- | --- | --- |"]
    for v in variants:
        attrs = ", ".join(f"`{f}`" for f, _ in v["fields"]) or "-"
        out.append(f'| `{v["code"]}` | `{v["name"]}Error` | {attrs} | {v["doc"]} |')
    return "\n".join(out)


def splice(path: pathlib.Path, content: str, comment: str) -> tuple[str, str]:
    old = path.read_text()
    begin, end = f"{comment} BEGIN GENERATED ERRORS", f"{comment} END GENERATED ERRORS"
    i, j = old.index(begin), old.index(end)
    i = old.index("\n", i) + 1
    return old, old[:i] + content + "\n" + old[j:]


def main() -> int:
    variants = parse()
    targets = [
        (HERE / "src" / "errors.rs", rust(variants), "//"),
        (HERE / "python" / "partnerdesk" / "_partnerdesk.pyi", pyi(variants), "#"),
        (HERE / "README.md", readme(variants), "<!--"),
    ]
    stale = []
    for path, content, comment in targets:
        if not path.exists():
            continue
        old, new = splice(path, content, comment)
        if path.suffix == ".rs":
            # Compare and write what `cargo fmt` would leave.
            new = subprocess.run(
                ["rustfmt", "--edition", "2024", "--emit", "stdout"],
                input=new, capture_output=True, text=True, check=True,
            ).stdout
        if old != new:
            stale.append(path)
            if "--check" not in sys.argv:
                path.write_text(new)
    if "--check" in sys.argv and stale:
        print("stale generated error tables:", *stale, sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
