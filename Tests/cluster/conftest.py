"""Cluster tests: PostgreSQL, three `latitude serve` nodes and nginx, all started by the
tests on loopback (`make test-cluster`). Every recorded frame must match Schema/protocol,
as in the end-to-end suite."""
import pytest

from latitude_tools.e2e.cluster import Cluster
from latitude_tools.e2e.harness import recorded_traffic_checked


@pytest.fixture(autouse=True)
def recorded_traffic_matches_the_schemas():
    """After each test, every recorded frame must validate against Schema/protocol."""
    yield from recorded_traffic_checked()


@pytest.fixture
def cluster(tmp_path):
    with Cluster(tmp_path, size=3, lease_ms=2000, fsync=False) as running:
        yield running
