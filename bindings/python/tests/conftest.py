"""Shared fixtures: the quick-start demo desk (1,000 customers, seed 42) and its clock."""

from __future__ import annotations

import datetime

import pytest

import partnerdesk


@pytest.fixture(scope="session")
def demo() -> tuple[partnerdesk.Desk, datetime.datetime]:
    return partnerdesk.demo_portfolio(1000, seed=42)


@pytest.fixture(scope="session")
def desk(demo: tuple[partnerdesk.Desk, datetime.datetime]) -> partnerdesk.Desk:
    return demo[0]


@pytest.fixture(scope="session")
def now(demo: tuple[partnerdesk.Desk, datetime.datetime]) -> datetime.datetime:
    return demo[1]
