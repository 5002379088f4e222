"""Every example in Schema/protocol/examples.json is a valid frame of its side's schema.
(The Swift ProtocolExampleTests round-trip the same examples through the server's types.)"""
import json

import pytest

from latitude_tools.e2e.harness import SCHEMAS, validators


EXAMPLES = json.loads((SCHEMAS / "examples.json").read_text())


@pytest.mark.parametrize("side", ["client", "server"])
def test_every_example_validates_against_its_schema(side):
    client, server = validators()
    validator = client if side == "client" else server
    for frame in EXAMPLES[side]:
        errors = sorted(validator.iter_errors(frame), key=str)
        assert not errors, f"{side} example {json.dumps(frame)[:200]}: {errors[0].message}"


def test_every_frame_type_has_an_example():
    for side in ("client", "server"):
        schema = json.loads((SCHEMAS / f"{side}.schema.json").read_text())
        types = set()
        for variant in schema["oneOf"]:
            t = variant["properties"]["t"]
            types.update(t.get("enum", [t.get("const")]))
        covered = {frame["t"] for frame in EXAMPLES[side]}
        assert types == covered, f"{side}: no example for {sorted(types - covered)}"
