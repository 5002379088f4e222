"""The canvas on a cluster, in a real browser: it follows its document when another node
takes it over (close 4010, "moved") and when its owner dies, and resyncs by seq each time."""
import pytest
from selenium.webdriver.common.by import By

from latitude_tools.e2e.browser import browser_windows, model, wait
from latitude_tools.e2e.harness import Client, fp16_base64, run, unit


@pytest.fixture
def browsers():
    yield from browser_windows()


async def add_node(url, node, seed):
    client = await Client.connect(url, f"adder-{node}")
    await client.join()
    await client.op("node.create", {"node": node, "latent": fp16_base64(unit(seed)),
                                    "origin": {"kind": "typed", "parents": []}}, floor=1000 + seed)
    assert (await client.expect_any({"ack", "nack"}))["t"] == "ack"
    await client.close()


def online_with(driver, node):
    wait(driver, lambda d: d.find_element(By.ID, "status").text == "online", timeout=30, message="never online")
    wait(driver, lambda d: model(d, f"m.nodes.has('{node}')"), timeout=30, message=f"{node} never arrived")


def test_the_canvas_follows_its_document_across_nodes(cluster, browsers):
    doc = "browsed"
    run(add_node(cluster.nginx.url(doc), "n1", 1))
    owner = cluster.node_of(cluster.owner(doc)[0])
    other = next(n for n in cluster.nodes if n is not owner)
    # A window pointed straight at a node that does not own the document: that node asks
    # the owner for it, the owner hands it over, and the canvas gets there by reconnecting.
    direct = browsers()
    direct.get(f"http://127.0.0.1:{other.port}/?doc={doc}&name=dana")
    online_with(direct, "n1")
    assert cluster.node_of(cluster.owner(doc)[0]) is other, "the document moved to the node asked"
    direct.get("about:blank")  # no second client pinned to one node from here on
    # A window through nginx; the owner dies; the canvas reconnects through nginx to the next
    # node, which takes the document, and sees what was written there meanwhile.
    routed = browsers()
    routed.get(f"http://127.0.0.1:{cluster.nginx.port}/?doc={doc}&name=rui")
    online_with(routed, "n1")
    serving = cluster.node_of(cluster.owner(doc)[0])
    serving.kill()
    run(add_node(cluster.nginx.url(doc), "n2", 2))
    online_with(routed, "n2")
    assert model(routed, "m.nodes.size") == 2
