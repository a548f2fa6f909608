"""No repr or str of any object the binding returns shows personal data; records compare and
hash by value."""

from __future__ import annotations

import datetime
import io

import partnerdesk
from partnerdesk import Actor


def test_no_personal_data_in_any_repr_and_records_hash() -> None:
    desk, now = partnerdesk.demo_portfolio(300, seed=42)
    rows = desk.search("mobile~1 and assoc=reseller and frozen=false", limit=3, now=now).rows
    ids = [r.id for r in rows]
    secrets: set[str] = set()
    for cid in ids:
        for field in ("name", "mobile", "email", "account_name"):
            try:
                value = desk.reveal("admin", cid, field, now=now)
            except partnerdesk.PartnerDeskError:
                continue
            if len(value) >= 4:
                secrets.add(value)
    for r in rows:  # masked values too
        secrets |= {v for v in (r.name, r.mobile, r.email) if v and len(v) >= 4}
    new = "a" * 32
    desk.associate("admin", new, account_name="Private Account", name="Private Person Name", now=now)
    secrets |= {"Private Account", "Private Person Name"}
    reason = "customer Private Person Name asked"
    desk.freeze("admin", ids[:1], reason=reason, now=now)
    desk.set_budget("admin", ids[1], "100", now=now)
    desk.assign_manager("admin", ids[:2], "am_001", now=now)
    req = desk.request_partner_disassociation("admin", ids[2], reason=reason, now=now)
    aid = desk.request_authorization("admin", ids[1], scopes=["place_orders"], duration_days=10, accept_commitment_letter=True, now=now)
    job = desk.export("admin", io.BytesIO(), ids=ids, now=now)
    objects: list[object] = [
        *desk.search(now=now, limit=50).rows,
        desk.search(now=now, limit=5),
        *desk.events(),
        *desk.audit_log(),
        *desk.operators,
        *desk.disassociation_requests(),
        desk.authorization(aid, now=now),
        *desk.manager_history(ids[0]),
        *desk.association_history(),
        *desk.budget_records(ids[1]),
        desk.budget_usage(ids[1], now=now),
        desk.spend_summary("admin", now=now),
        job,
        desk.partner,
        desk,
        Actor.customer(new),
    ]
    # A query's str() is its text filter (the caller's own search terms, needed to round-trip);
    # its repr keeps them out.
    assert "Private" not in repr(partnerdesk.Query.name("Private Person Name"))
    for o in objects:
        text = repr(o) + " " + str(o)
        leaked = [s for s in secrets if s in text]
        assert not leaked, f"{type(o).__name__} shows personal data"
    # Records are values: equal copies compare and hash equal (usable in sets and dicts).
    for make in (
        lambda: desk.events(),
        lambda: desk.audit_log(),
        lambda: desk.disassociation_requests(),
        lambda: desk.manager_history(ids[0]),
        lambda: desk.association_history(),
        lambda: desk.budget_records(ids[1]),
        lambda: [desk.authorization(aid, now=now), desk.budget_usage(ids[1], now=now), desk.spend_summary("admin", now=now)],
        lambda: desk.exports,
    ):
        a, b = make(), make()
        assert a == b and [hash(x) for x in a] == [hash(x) for x in b]  # type: ignore[attr-defined]
        assert len(set(a)) == len({repr(x) + str(hash(x)) for x in a})  # type: ignore[arg-type]
    assert req in {r.id for r in desk.disassociation_requests()}
