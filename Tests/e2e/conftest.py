"""End-to-end tests against the real `latitude serve` process with real WebSocket clients.
The harness (server, clients, helpers) is `latitude_tools.e2e.harness`."""
import pytest

from latitude_tools.e2e.harness import Server, recorded_traffic_checked


@pytest.fixture(autouse=True)
def recorded_traffic_matches_the_schemas():
    """After each test, every recorded frame must validate against Schema/protocol."""
    yield from recorded_traffic_checked()


@pytest.fixture
def server(tmp_path):
    s = Server(tmp_path / "e2e.sqlite").start()
    yield s
    s.stop()
