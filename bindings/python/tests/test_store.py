"""Durable desks: `Desk.open` / `partnerdesk.open`, `save_to`, what a change commits, several
instances on one store (`refresh`, `follow`), checkpoints, on real SQLite files in a temporary
folder (and on PostgreSQL when PARTNERDESK_PG_URL is set)."""

from __future__ import annotations

import datetime
import json
import os
import pathlib
import subprocess
import sys
import threading
import time
import uuid
from typing import Any

import pytest

import partnerdesk
from partnerdesk import Desk

VIEW_SPEND = "PD_VIEW_SPEND"
SET_BUDGET = "BPC_ITEM_SUBCUSTSERV_010111"


def demo() -> tuple[Desk, datetime.datetime]:
    return partnerdesk.demo_portfolio(200, seed=7)


def history(desk: Desk) -> dict[str, object]:
    """What a reopen must give back: the event log, the audit log and the snapshot."""
    return {
        "events": json.loads(desk.events_json()),
        "audit": [repr(r) for r in desk.audit_log()],
        "denied": [r.denied_code for r in desk.audit_log() if not r.allowed],
        "snapshot": json.loads(desk.to_snapshot_json()),
    }


# What another process sees when it opens the store (the same `history`, as JSON).
READER = """
import json, sys
import partnerdesk
desk = partnerdesk.open(sys.argv[1], partner=sys.argv[2] or None)
print(json.dumps({
    "events": json.loads(desk.events_json()),
    "audit": [repr(r) for r in desk.audit_log()],
    "denied": [r.denied_code for r in desk.audit_log() if not r.allowed],
    "snapshot": json.loads(desk.to_snapshot_json()),
    "store_kind": desk.store_kind,
}))
"""


def read_in_another_process(location: str, partner: str = "") -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-c", READER, location, partner],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    seen: dict[str, object] = json.loads(out.stdout)
    return seen


def governed_changes(desk: Desk, now: datetime.datetime) -> None:
    """A granted change and a refused one (its refusal audited)."""
    desk.grant_permissions("admin", "ops_billing", [VIEW_SPEND], now=now)
    with pytest.raises(partnerdesk.AdministratorOnlyError):
        desk.grant_permissions("am_000", "ops_billing", [SET_BUDGET], now=now)


def test_a_change_and_a_refusal_are_on_disk_when_they_return(tmp_path: pathlib.Path) -> None:
    desk, now = demo()
    location = str(tmp_path / "desk.db")
    assert desk.store_kind is None
    desk.save_to(location)
    assert desk.store_kind == "sqlite"
    governed_changes(desk, now)
    expected = history(desk)
    assert expected["denied"] == ["ADMINISTRATOR_ONLY"]
    partner = desk.partner.id
    del desk

    # Another process opens the file: the data is on disk, not in this process's memory.
    seen = read_in_another_process(location)
    assert seen.pop("store_kind") == "sqlite"
    assert seen == expected
    # And here, by path object and partner, through both spellings of `open`.
    for reopened in (
        partnerdesk.open(tmp_path / "desk.db", partner=partner),
        Desk.open(location),
    ):
        assert history(reopened) == expected
        ops = next(o for o in reopened.operators if o.id == "ops_billing")
        assert VIEW_SPEND in ops.permissions


def test_save_to_never_overwrites_and_a_failure_leaves_the_desk_in_memory(
    tmp_path: pathlib.Path,
) -> None:
    desk, now = demo()
    with pytest.raises(partnerdesk.StoreUnavailableError):
        desk.save_to(tmp_path / "no" / "such" / "folder" / "desk.db")
    assert desk.store_kind is None
    desk.save_to(tmp_path / "desk.db")
    again, _ = demo()
    with pytest.raises(partnerdesk.InvalidArgumentError) as e:
        again.save_to(tmp_path / "desk.db")
    assert e.value.field == "location"
    assert again.store_kind is None
    # A durable desk copied to a second file: both hold it as it was then.
    desk.grant_permissions("admin", "ops_billing", [VIEW_SPEND], now=now)
    desk.save_to(tmp_path / "second.db")
    snapshot = desk.to_snapshot_json()
    for name in ("desk.db", "second.db"):
        assert Desk.open(tmp_path / name).to_snapshot_json() == snapshot


def test_two_desks_on_one_file_conflict_then_refresh_converges(tmp_path: pathlib.Path) -> None:
    a, now = demo()
    location = tmp_path / "desk.db"
    a.save_to(location, max_attempts=1)
    b = Desk.open(location, max_attempts=1)
    a.grant_permissions("admin", "ops_billing", [VIEW_SPEND], now=now)
    # B did not see A's change: refused with one attempt, nothing of it committed, B caught up.
    with pytest.raises(partnerdesk.ConcurrentChangeError) as e:
        b.grant_permissions("admin", "ops_billing", [SET_BUDGET], now=now)
    assert e.value.found_events == e.value.expected_events + 1
    assert b.events_json() == a.events_json()
    b.grant_permissions("admin", "ops_billing", [SET_BUDGET], now=now)
    assert a.refresh() == 1
    assert a.refresh() == 0
    assert a.to_snapshot_json() == b.to_snapshot_json()
    assert [repr(r) for r in a.audit_log()] == [repr(r) for r in b.audit_log()]
    # With the default attempts the same race resolves by itself.
    c = Desk.open(location)
    a.revoke_permissions("admin", "ops_billing", [SET_BUDGET], now=now)
    c.revoke_permissions("admin", "ops_billing", [VIEW_SPEND], now=now)
    ops = next(o for o in c.operators if o.id == "ops_billing")
    assert VIEW_SPEND not in ops.permissions and SET_BUDGET not in ops.permissions
    assert a.refresh() == 1


def test_follow_waits_for_another_instance_without_holding_the_gil(
    tmp_path: pathlib.Path,
) -> None:
    a, now = demo()
    a.save_to(tmp_path / "desk.db")
    b = Desk.open(tmp_path / "desk.db")
    assert b.follow(0) is False
    assert b.follow(datetime.timedelta(milliseconds=60)) is False

    ticks = 0
    stop = threading.Event()

    def count() -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1
            time.sleep(0.001)

    def commit_later() -> None:
        time.sleep(0.3)
        a.grant_permissions("admin", "ops_billing", [VIEW_SPEND], now=now)

    counter = threading.Thread(target=count)
    writer = threading.Thread(target=commit_later)
    counter.start()
    writer.start()
    started = time.monotonic()
    try:
        assert b.follow(10.0) is True
    finally:
        writer.join()
        stop.set()
        counter.join()
    assert time.monotonic() - started < 5
    assert ticks > 10, "other Python threads ran while follow waited"
    assert b.to_snapshot_json() == a.to_snapshot_json()
    # Reads from other threads are not blocked for the whole wait.
    reader_done = threading.Event()

    def read_while_following() -> None:
        time.sleep(0.1)
        assert len(b) == len(a)
        reader_done.set()

    reader = threading.Thread(target=read_while_following)
    reader.start()
    assert b.follow(0.6) is False
    reader.join()
    assert reader_done.is_set()


@pytest.mark.parametrize(
    "timeout",
    [-1, -0.5, 3601, float("nan"), float("inf"), datetime.timedelta(days=2), datetime.timedelta(seconds=-1)],
)
def test_follow_refuses_a_negative_or_huge_timeout(timeout: object) -> None:
    desk, _ = demo()
    with pytest.raises(partnerdesk.InvalidArgumentError) as e:
        desk.follow(timeout)  # type: ignore[arg-type]
    assert e.value.field == "timeout"


def test_follow_takes_seconds_or_a_timedelta_only() -> None:
    desk, _ = demo()
    for wrong in ("1", None, True):
        with pytest.raises(TypeError):
            desk.follow(wrong)  # type: ignore[arg-type]


def test_an_in_memory_desk_has_no_store() -> None:
    desk, now = demo()
    assert desk.store_kind is None
    assert desk.refresh() == 0
    assert desk.follow(5) is False  # at once: nothing can commit to a desk in memory
    with pytest.raises(partnerdesk.InvalidArgumentError) as e:
        desk.checkpoint()
    assert e.value.field == "desk"
    desk.grant_permissions("admin", "ops_billing", [VIEW_SPEND], now=now)


def test_a_checkpoint_is_where_the_next_open_starts(tmp_path: pathlib.Path) -> None:
    desk, now = demo()
    desk.save_to(tmp_path / "desk.db", checkpoint_every=0)
    desk.grant_permissions("admin", "ops_billing", [VIEW_SPEND], now=now)
    at = desk.checkpoint()
    assert at == len(desk.events()) > 0
    desk.revoke_permissions("admin", "ops_billing", [VIEW_SPEND], now=now)
    expected = history(desk)
    del desk
    assert history(Desk.open(tmp_path / "desk.db")) == expected


def test_a_due_checkpoint_is_stored_after_the_change_under_a_read_lock(tmp_path: pathlib.Path) -> None:
    """`checkpoint_every=2`: the change that makes a checkpoint due returns with it stored
    (taken once the change released the write lock), and the next open starts there."""
    import sqlite3

    desk, now = demo()
    location = tmp_path / "desk.db"
    desk.save_to(location, checkpoint_every=2)
    first = len(desk.events())

    def latest() -> int:
        with sqlite3.connect(location) as db:
            return db.execute("SELECT MAX(event_seq) FROM checkpoints").fetchone()[0]

    assert latest() == first
    desk.grant_permissions("admin", "ops_billing", [VIEW_SPEND], now=now)
    assert latest() == first  # one event: not due
    desk.revoke_permissions("admin", "ops_billing", [VIEW_SPEND], now=now)
    assert latest() == first + 2 == len(desk.events())
    expected = history(desk)
    del desk
    assert history(Desk.open(location)) == expected


def test_mask_policies_are_there_after_a_reopen(tmp_path: pathlib.Path) -> None:
    # Setting a policy is a change like the others: committed, so a reopen has it (it used to
    # come back as the console's default).
    desk, _ = demo()
    desk.save_to(tmp_path / "desk.db")
    rows = partnerdesk.MaskPolicy(
        account_name=partnerdesk.MaskRule("hidden"),
        name=partnerdesk.MaskRule("keep", first=0, last=1),
    )
    exports = partnerdesk.MaskPolicy(mobile=partnerdesk.MaskRule("pseudonym"))
    assert desk.row_policy() != rows and desk.export_policy() != exports
    desk.set_row_policy(rows)
    desk.set_export_policy(exports)
    assert [e.kind for e in desk.events()[-2:]] == ["mask_policy_set", "mask_policy_set"]
    del desk
    reopened = Desk.open(tmp_path / "desk.db")
    assert reopened.row_policy() == rows
    assert reopened.export_policy() == exports


def test_open_without_a_partner_opens_the_one_desk_there(tmp_path: pathlib.Path) -> None:
    location = tmp_path / "desk.db"
    with pytest.raises(partnerdesk.StoreUnavailableError):
        Desk.open(location)  # an empty store
    desk, now = demo()
    desk.save_to(location)
    snapshot = desk.to_snapshot_json()
    assert Desk.open(location).to_snapshot_json() == snapshot
    other = Desk.empty("other_partner", "Other", site="china", tier="distributor", now=now)
    other.save_to(location)
    with pytest.raises(partnerdesk.InvalidArgumentError) as e:
        Desk.open(location)
    assert e.value.field == "partner"
    assert Desk.open(location, partner=desk.partner.id).to_snapshot_json() == snapshot
    assert Desk.open(location, partner="other_partner").partner.id == "other_partner"
    with pytest.raises(partnerdesk.StoreUnavailableError):
        Desk.open(location, partner="no_such_partner")
    with pytest.raises(partnerdesk.InvalidIdError):
        Desk.open(location, partner="")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"max_attempts": 0}, "max_attempts"),
        ({"max_attempts": 65}, "max_attempts"),
        ({"max_attempts": -1}, "max_attempts"),
        ({"max_attempts": 2**40}, "max_attempts"),
        ({"checkpoint_every": -1}, "checkpoint_every"),
    ],
)
def test_options_out_of_range_are_refused(
    tmp_path: pathlib.Path, kwargs: dict[str, Any], field: str
) -> None:
    desk, _ = demo()
    with pytest.raises(partnerdesk.InvalidArgumentError) as e:
        desk.save_to(tmp_path / "desk.db", **kwargs)
    assert e.value.field == field
    assert desk.store_kind is None
    assert not (tmp_path / "desk.db").exists()


def test_a_location_is_a_path_or_a_url(tmp_path: pathlib.Path) -> None:
    with pytest.raises(TypeError):
        Desk.open(42)  # type: ignore[arg-type]
    with pytest.raises(partnerdesk.InvalidArgumentError):
        Desk.open("  ")
    desk, _ = demo()
    desk.save_to(f"sqlite:{tmp_path / 'desk.db'}")
    assert Desk.open(tmp_path / "desk.db").store_kind == "sqlite"
    # A location is never repeated in an error (a path may name a person, a URL may hold a
    # password).
    missing = tmp_path / "no_such_folder" / "desk.db"
    for location in (str(missing), f"sqlite:{missing}"):
        with pytest.raises(partnerdesk.StoreUnavailableError) as e:
            Desk.open(location)
        assert "no_such_folder" not in str(e.value) and "no_such_folder" not in e.value.reason


def test_a_huawei_import_step_is_committed(tmp_path: pathlib.Path) -> None:
    desk = partnerdesk.empty_desk("p-1", "Example", site="international")
    desk.save_to(tmp_path / "desk.db")
    fixtures = partnerdesk.huawei_fixtures()
    desk.import_huawei("list_sub_customers", fixtures["list_sub_customers.intl.json"])
    assert len(desk) > 0
    reopened = Desk.open(tmp_path / "desk.db")
    assert reopened.to_snapshot_json() == desk.to_snapshot_json()


def test_an_export_is_recorded_in_the_store(tmp_path: pathlib.Path) -> None:
    desk, now = demo()
    desk.save_to(tmp_path / "desk.db")
    data = desk.export_to_buffer("admin", query="assoc=reseller", now=now)
    assert data
    job = desk.exports[-1]
    reopened = Desk.open(tmp_path / "desk.db")
    assert reopened.exports[-1] == job


def pg_url() -> str | None:
    url = os.environ.get("PARTNERDESK_PG_URL")
    if url:
        return url
    if os.environ.get("CI"):
        pytest.fail(
            "CI is set but PARTNERDESK_PG_URL is not: the PostgreSQL tests must run in CI "
            "(scripts/test.sh starts a server with scripts/pg.sh)"
        )
    print("skipped: PARTNERDESK_PG_URL is not set (eval \"$(scripts/pg.sh start)\" starts one)")
    return None


def test_on_postgresql_a_change_and_a_refusal_are_there_after_a_reopen() -> None:
    url = pg_url()
    if url is None:
        pytest.skip('PARTNERDESK_PG_URL is not set (eval "$(scripts/pg.sh start)" starts one)')
    # A partner id of this run only: the server is shared by runs and by other tests.
    partner = f"py_{uuid.uuid4().hex[:20]}"
    base, now = demo()
    snap = json.loads(base.to_snapshot_json())
    snap["partner"]["id"] = partner
    desk = Desk.from_snapshot_json(json.dumps(snap))
    desk.save_to(url)
    assert desk.store_kind == "postgresql"
    governed_changes(desk, now)
    desk.checkpoint()
    desk.revoke_permissions("admin", "ops_billing", [VIEW_SPEND], now=now)
    expected = history(desk)
    del desk
    seen = read_in_another_process(url, partner)
    assert seen.pop("store_kind") == "postgresql"
    assert seen == expected
    # Two instances on the server: one follows the other.
    a = Desk.open(url, partner=partner)
    b = Desk.open(url, partner=partner, max_attempts=1)
    a.grant_permissions("admin", "ops_billing", [SET_BUDGET], now=now)
    assert b.follow(10) is True
    assert b.to_snapshot_json() == a.to_snapshot_json()


def test_changes_from_several_threads_are_all_committed(tmp_path: pathlib.Path) -> None:
    """Python threads changing one durable desk: each change commits under the desk's lock
    (with the GIL released), none is lost, and a reopen gives the same history."""
    desk, now = demo()
    desk.save_to(tmp_path / "desk.db")
    matching = desk.count("assoc=reseller", now=now)
    errors: list[BaseException] = []

    def work(login: str) -> None:
        try:
            for _ in range(10):
                desk.grant_permissions("admin", login, [VIEW_SPEND], now=now)
                desk.revoke_permissions("admin", login, [VIEW_SPEND], now=now)
                assert desk.count("assoc=reseller", now=now) == matching
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    logins = ("ops_billing", "am_000", "am_001", "am_002")
    threads = [threading.Thread(target=work, args=(login,)) for login in logins]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    expected = history(desk)
    assert len([r for r in desk.audit_log() if r.kind.endswith("permissions")]) >= 80
    assert history(Desk.open(tmp_path / "desk.db")) == expected


KEY = b"the host's event key, 32 bytes!!"
OTHER = b"another host's key, also 32 b.."


def test_a_store_sealed_with_an_event_key_opens_with_that_key_only(
    tmp_path: pathlib.Path,
) -> None:
    desk, now = demo()
    location = tmp_path / "desk.db"
    desk.save_to(location, event_key=KEY)
    governed_changes(desk, now)
    expected = history(desk)
    head = desk.chain_head()
    assert head and desk.events()[-1].link == head
    del desk

    # Without the key, or with another: a typed error, never a desk sealing differently.
    with pytest.raises(partnerdesk.StoreCorruptError) as e:
        partnerdesk.open(location)
    assert "EVENT_CHAIN_BROKEN" in str(e.value)
    with pytest.raises(partnerdesk.StoreCorruptError):
        Desk.open(location, event_key=OTHER)

    reopened = partnerdesk.open(location, event_key=KEY)
    assert history(reopened) == expected
    assert reopened.chain_head() == head
    # It keeps sealing with the key: a further change opens again with it.
    reopened.grant_permissions("admin", "ops_billing", [SET_BUDGET], now=now)
    expected = history(reopened)
    del reopened
    assert history(Desk.open(location, event_key=KEY)) == expected


def test_a_desk_with_an_event_key_is_stored_only_with_that_key(tmp_path: pathlib.Path) -> None:
    """`save_to` of a desk that has a key needs the same key (nothing is stored otherwise);
    a durable desk's key cannot change (a key changed mid-log would not open again)."""
    desk, now = demo()
    desk.set_event_key(KEY)
    wrong: list[dict[str, Any]] = [{}, {"event_key": OTHER}, {"event_key": b"short"}]
    for kwargs in wrong:
        with pytest.raises(partnerdesk.InvalidArgumentError) as e:
            desk.save_to(tmp_path / "desk.db", **kwargs)
        assert e.value.field == "event_key", kwargs
        assert desk.store_kind is None
    with pytest.raises(TypeError):
        desk.save_to(tmp_path / "desk.db", event_key="a text key of 32 characters.....")  # type: ignore[arg-type]
    with pytest.raises(partnerdesk.StoreUnavailableError):
        Desk.open(tmp_path / "desk.db")  # nothing was stored
    desk.save_to(tmp_path / "desk.db", event_key=KEY)
    assert desk.store_kind == "sqlite"
    desk.set_event_key(KEY)  # the key it has: accepted
    for key in (None, OTHER):
        with pytest.raises(partnerdesk.InvalidArgumentError) as e2:
            desk.set_event_key(key)
        assert e2.value.field == "key"
    desk.grant_permissions("admin", "ops_billing", [VIEW_SPEND], now=now)
    assert history(Desk.open(tmp_path / "desk.db", event_key=KEY)) == history(desk)
