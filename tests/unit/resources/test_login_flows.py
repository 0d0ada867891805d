"""OpenID Connect flows in progress: single use, expiry, bounded storage."""

from datetime import UTC, datetime, timedelta

import pytest

from crunchusers.domain.resources.login_flows import (
    PURGE_BATCH,
    LoginFlow,
    LoginFlows,
    TooManyFlows,
)
from crunchusers.domain.resources.root import ApiRoot

NOW = datetime(2026, 1, 1, tzinfo=UTC)
LIFETIME = timedelta(minutes=10)


def flow(expires=NOW + LIFETIME, provider="google"):
    return LoginFlow(provider, "nonce", "verifier", "https://api/cb/", "digest", expires)


def test_a_flow_works_once():
    flows = LoginFlows()
    started = flow()
    state = flows.start(started, NOW, limit=10)
    assert len(state) >= 43 and state not in flows.data  # only its hash is a key
    assert flows.take(state, NOW) is started
    assert flows.take(state, NOW) is None
    assert len(flows) == 0 and len(flows.by_expiry) == 0


@pytest.mark.parametrize("state", [None, "", 42, "unknown"])
def test_unknown_states_take_nothing(state):
    flows = LoginFlows()
    flows.start(flow(), NOW, limit=10)
    assert flows.take(state, NOW) is None
    assert len(flows) == 1


def test_expiry_is_inclusive_and_an_expired_flow_is_dropped():
    flows = LoginFlows()
    on_time = flows.start(flow(), NOW, limit=10)
    late = flows.start(flow(), NOW, limit=10)
    assert flows.take(on_time, NOW + LIFETIME) is not None
    assert flows.take(late, NOW + LIFETIME + timedelta(seconds=1)) is None
    assert len(flows) == 0


def test_starting_purges_expired_flows_in_batches():
    flows = LoginFlows()
    for _ in range(PURGE_BATCH + 3):
        flows.start(flow(), NOW, limit=100)
    later = NOW + LIFETIME + timedelta(seconds=1)
    flows.start(flow(later + LIFETIME), later, limit=100)
    assert len(flows) == 3 + 1  # a batch went; the rest goes with the next start
    flows.start(flow(later + LIFETIME), later, limit=100)
    assert len(flows) == 2
    assert len(flows.data) == len(flows.by_expiry) == len(flows)


def test_at_most_limit_flows_live_at_once():
    flows = LoginFlows()
    flows.start(flow(), NOW, limit=2)
    flows.start(flow(), NOW, limit=2)
    with pytest.raises(TooManyFlows):
        flows.start(flow(), NOW, limit=2)
    flows.start(flow(), NOW + LIFETIME + timedelta(seconds=1), limit=2)  # purged first
    assert len(flows) == 1


def test_the_api_root_has_flows_and_older_roots_gain_them():
    root = ApiRoot()
    assert isinstance(root.login_flows, LoginFlows)
    del root.login_flows  # a database from before this version
    assert root.login_flows is None
    root.ensure_containers()
    assert isinstance(root.login_flows, LoginFlows)
