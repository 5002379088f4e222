"""End-to-end tests against the real `latitude serve` process with real WebSocket clients.
The harness (server, clients, helpers) is `latitude_tools.e2e.harness`."""
import json

import pytest

from latitude_tools.e2e.harness import TRAFFIC, Server, validators


@pytest.fixture(autouse=True)
def recorded_traffic_matches_the_schemas():
    """After each test, every recorded frame must validate against Schema/protocol."""
    TRAFFIC["client"].clear()
    TRAFFIC["server"].clear()
    yield
    client_schema, server_schema = validators()
    for side, validator in (("client", client_schema), ("server", server_schema)):
        for frame in TRAFFIC[side]:
            errors = sorted(validator.iter_errors(frame), key=str)
            assert not errors, f"{side} frame {json.dumps(frame)[:300]} breaks the schema: {errors[0].message}"


@pytest.fixture
def server(tmp_path):
    s = Server(tmp_path / "e2e.sqlite").start()
    yield s
    s.stop()
