import partnerdesk


def test_imports() -> None:
    desk, now = partnerdesk.demo_portfolio(100, seed=1)
    assert len(desk) == 100
