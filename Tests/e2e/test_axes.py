"""Axes created live: from example sentences, from the built-in axis pack; projections."""
import json
import urllib.request

from latitude_tools.e2e.harness import ROOT, Client, run, typed


def get(server, path):
    return json.loads(urllib.request.urlopen(f"http://127.0.0.1:{server.port}{path}").read())


def test_the_built_in_axes_are_listed(server):
    axes = {a["id"]: a for a in get(server, "/v1/axes")["axes"]}
    for name in ("sentiment", "length", "formality", "question", "concreteness"):
        assert name in axes
    assert axes["sentiment"]["pack"] == "latitude-builtin"
    assert axes["sentiment"]["poles"] == {"negative": "negative", "positive": "positive"}


def test_axes_from_examples_and_from_the_pack_order_texts(server):
    async def scenario():
        a = await Client.connect(server.url("axes-live"), "ra")
        b = await Client.connect(server.url("axes-live"), "rb")
        await a.join()
        await b.join()
        await a.op("axis.create", {
            "axis": "food", "name": "Food", "poles": {"negative": "weather", "positive": "food"},
            "provider": "examples",
            "params": {"examples": {
                "negative": ["It rained all afternoon.", "A cold wind blew from the north.",
                             "The sky cleared by evening."],
                "positive": ["The bread was warm and fresh.", "We ate pasta with tomato sauce.",
                             {"text": "She cooked a spicy curry.", "weight": 2}]}}})
        await a.expect("ack")
        created = await b.expect("op")
        assert created["op"]["kind"] == "axis.create"
        assert "direction" not in created["op"]["payload"]
        calibration = created["op"]["payload"]["calibration"]
        assert calibration["negativeMean"] < calibration["positiveMean"]
        await a.op("axis.create", {"axis": "mood", "provider": "pack", "params": {"axis": "sentiment"}})
        await a.expect("ack")
        await a.op("axis.create", {"axis": "nope", "provider": "pack", "params": {"axis": "no-such-axis"}})
        nack = await a.expect("nack")
        assert nack["code"] == "unknown_axis"
        await a.op("axis.create", {"axis": "bad", "name": "Bad", "poles": {"negative": "a", "positive": "b"},
                                   "provider": "examples", "params": {"examples": {"negative": [], "positive": ["x"]}}})
        assert (await a.expect("nack"))["code"] == "malformed"
        await a.op("node.create", typed("happy", "I loved this wonderful, delightful meal."))
        await a.expect("ack")
        await a.op("node.create", typed("sad", "The weather was miserable and the trip was awful."))
        await a.expect("ack")
        readout = get(server, "/v1/docs/axes-live/projections")
        coords = {n["id"]: n["coords"] for n in readout["nodes"]}
        assert coords["happy"]["mood"]["at"] > coords["sad"]["mood"]["at"]
        assert coords["happy"]["food"]["at"] > coords["sad"]["food"]["at"]
        await a.close()
        await b.close()
    run(scenario())


def test_the_built_in_pack_matches_its_schema():
    import jsonschema
    schema = json.loads((ROOT / "Schema/axis-pack.schema.json").read_text())
    pack = json.loads((ROOT / "AxisPacks/builtin.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(pack)
    bad = {"name": "x", "version": "1", "axes": [{"id": "a b", "name": "A", "poles": {"negative": "n", "positive": "p"}}]}
    assert list(jsonschema.Draft202012Validator(schema).iter_errors(bad))
