"""The canvas in a real browser (headless chromium + Selenium): two people on one
document see each other's drags and decoded text, axes appear for everyone, the history
scrubber reaches earlier states, and a restarted server is resynced."""
import asyncio
import json
import urllib.request

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from latitude_tools.e2e.browser import browser_windows, model, wait

from latitude_tools.e2e.harness import fp16_base64, unit, Client, Server, run, typed


async def seed(server, doc):
    a = await Client.connect(server.url(doc), "seed")
    await a.join()
    await a.op("axis.create", {"axis": "mood", "provider": "pack", "params": {"axis": "sentiment"}})
    await a.expect("ack")
    await a.op("axis.create", {"axis": "size", "provider": "pack", "params": {"axis": "length"}})
    await a.expect("ack")
    await a.op("view.bind", {"x": "mood", "y": "size"})
    await a.expect("ack")
    await a.op("node.create", typed("n1", "The soup was cold and the service was slow."))
    await a.expect("ack")
    await a.close()


@pytest.fixture
def browsers():
    yield from browser_windows()


def open_doc(driver, server, doc, name):
    driver.get(f"http://127.0.0.1:{server.port}/?doc={doc}&name={name}")
    wait(driver, lambda d: d.find_element(By.ID, "status").text == "online", message="never online")
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, '[data-node="n1"]'), message="no card")


def seeded_pair(server, browsers, doc):
    """A seeded document open in two windows, alice's and bob's."""
    run(seed(server, doc))
    alice, bob = browsers(), browsers()
    open_doc(alice, server, doc, "alice")
    open_doc(bob, server, doc, "bob")
    return alice, bob


def card_position(driver, node):
    return driver.find_element(By.CSS_SELECTOR, f'[data-node="{node}"]').get_attribute("transform")


def test_a_drag_in_one_browser_moves_the_card_and_brings_text_to_the_other(server, browsers):
    alice, bob = seeded_pair(server, browsers, "drag")
    before = card_position(bob, "n1")
    text_before = model(bob, "m.nodes.get('n1').text")
    # Record every provisional rendering of n1 in bob's canvas (a stage may show briefly).
    bob.execute_script("""
      window.__stages = [];
      new MutationObserver(() => {
        const card = document.querySelector('[data-node="n1"].provisional');
        if (card) window.__stages.push([card.getAttribute('data-stage'),
                                         card.querySelector('.badge').textContent]);
      }).observe(document.body, { subtree: true, childList: true, attributes: true });""")
    def drag():
        card = alice.find_element(By.CSS_SELECTOR, '[data-node="n1"] rect')
        chain = ActionChains(alice).click_and_hold(card)
        for _ in range(12):
            chain = chain.move_by_offset(25, -6).pause(0.04)
        chain.release().perform()
    drag()
    wait(bob, lambda d: card_position(d, "n1") != before, message="bob never saw the card move")
    wait(bob, lambda d: model(d, "m.nodes.get('n1').source") in ("generated", "bank")
         and not model(d, "m.nodes.get('n1').pending"), timeout=60, message="no decoded text")
    decoded = model(bob, "m.nodes.get('n1').text")
    assert decoded and decoded == model(alice, "m.nodes.get('n1').text")
    assert model(bob, "m.nodes.get('n1').fidelity") > 0
    badge = bob.find_element(By.CSS_SELECTOR, '[data-node="n1"] .badge').text
    assert "fidelity" in badge
    assert text_before  # the card showed the typed text before the drag
    stages = bob.execute_script("return window.__stages;")
    assert stages, "bob never saw provisional text before the final one"
    assert {stage for stage, _ in stages} <= {"bank", "greedy"}
    assert all(badge.startswith("provisional") for _, badge in stages)
    wait(bob, lambda d: not d.find_elements(By.CSS_SELECTOR, '[data-node="n1"].provisional'),
         message="the final text did not replace the provisional one")
    wait(bob, lambda d: "dragging" not in d.find_element(By.ID, "people").text, timeout=5,
         message="bob's People list still says alice is dragging after the release")


def test_cards_are_kept_across_redraws_and_a_pan_moves_the_drawing_as_one(server, browsers):
    """Keyed reconciliation: a card's element survives redraws (selection, a peer's edit,
    a resize), and a pan gesture moves everything by one transform, redrawn in place at the end."""
    alice, bob = seeded_pair(server, browsers, "keyed")

    async def second_node():
        c = await Client.connect(server.url("keyed"), "seed2")
        await c.join()
        await c.op("node.create", typed("n2", "What a wonderful sunny afternoon at the beach."))
        await c.expect("ack")
        await c.close()
    run(second_node())
    for driver in (alice, bob):
        wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, '[data-node="n2"]'), message="no n2 card")
    card = alice.find_element(By.CSS_SELECTOR, '[data-node="n1"]')
    rect = alice.find_element(By.CSS_SELECTOR, '[data-node="n1"] rect')
    rect.click()
    alice.execute_script("window.dispatchEvent(new Event('resize'))")
    # Bob nudges n1: alice's card moves, shows provisional text, then the decoded one.
    bob.find_element(By.CSS_SELECTOR, '[data-node="n1"] rect').click()
    ActionChains(bob).send_keys(Keys.ARROW_UP).perform()
    wait(alice, lambda d: model(d, "m.nodes.get('n1').source") in ("generated", "bank")
         and not model(d, "m.nodes.get('n1').pending"), timeout=60, message="no decode")
    assert alice.execute_script("return arguments[0].isConnected && arguments[0] === "
                                "document.querySelector('[data-node=\"n1\"]')", card), "n1's card was rebuilt"
    assert alice.execute_script("return arguments[0].isConnected", rect), "its rect was rebuilt"
    before = card.get_attribute("transform")
    # A pan gesture on the empty canvas by (60, -40): mid-gesture only the root's transform
    # moves (unless something else redraws meanwhile, which draws at the new place anyway).
    moving, card_mid = alice.execute_script("""
      const svg = document.getElementById('canvas');
      const box = svg.getBoundingClientRect();
      const at = (dx, dy) => ({ clientX: box.left + 5 + dx, clientY: box.top + 5 + dy, bubbles: true, pointerId: 7 });
      svg.dispatchEvent(new PointerEvent('pointerdown', at(0, 0)));
      svg.dispatchEvent(new PointerEvent('pointermove', at(30, -20)));
      svg.dispatchEvent(new PointerEvent('pointermove', at(60, -40)));
      const result = [svg.querySelector(':scope > g').getAttribute('transform'),
                      document.querySelector('[data-node="n1"]').getAttribute('transform')];
      svg.dispatchEvent(new PointerEvent('pointerup', at(60, -40)));
      return result;""")
    shift = [float(v) for v in moving[len("translate("):-1].split(",")]
    assert abs(shift[0] - 60) < 0.01 and abs(shift[1] + 40) < 0.01, moving
    assert card_mid == before, "mid-gesture the card itself did not move"
    assert alice.execute_script("return document.querySelector('#canvas > g').getAttribute('transform')") is None, \
        "the pan did not end in a full redraw"
    after = [float(v) for v in card.get_attribute("transform")[len("translate("):-1].split(",")]
    start = [float(v) for v in before[len("translate("):-1].split(",")]
    assert abs(after[0] - start[0] - 60) < 1.5 and abs(after[1] - start[1] + 40) < 1.5, (before, after)


def test_first_use_reaches_a_first_drag_without_touching_an_axis_control(server, browsers):
    """A brand-new document starts with sentiment on x and formality on y (logged ops), says
    what to do while empty, and a typed sentence can be dragged at once; two people opening
    it together create the axes once."""
    alice, bob = browsers(), browsers()
    for driver, name in ((alice, "alice"), (bob, "bob")):
        driver.get(f"http://127.0.0.1:{server.port}/?doc=fresh&name={name}")
    for driver in (alice, bob):
        wait(driver, lambda d: d.find_element(By.ID, "status").text == "online", message="never online")
        wait(driver, lambda d: model(d, "m.view.x") == "sentiment" and model(d, "m.view.y") == "formality",
             message="the new document's axes were not bound")
    assert alice.find_element(By.ID, "empty-hint").is_displayed()
    assert model(alice, "m.axes.size") == 2, "two people opening it created the axes once"
    text = alice.find_element(By.ID, "node-text")
    text.send_keys("My flight was delayed for six hours.\n")
    wait(alice, lambda d: d.find_elements(By.CSS_SELECTOR, "[data-node] rect"), message="no card")
    wait(alice, lambda d: not d.find_element(By.ID, "empty-hint").is_displayed(), message="hint stayed")
    node = alice.find_element(By.CSS_SELECTOR, "[data-node]").get_attribute("data-node")
    wait(bob, lambda d: d.find_elements(By.CSS_SELECTOR, f'[data-node="{node}"]'), message="bob has no card")
    def drag():
        card = alice.find_element(By.CSS_SELECTOR, f'[data-node="{node}"] rect')
        chain = ActionChains(alice).click_and_hold(card)
        for _ in range(8):
            chain = chain.move_by_offset(20, -10).pause(0.04)
        chain.release().perform()
    drag()
    wait(bob, lambda d: model(d, f"m.nodes.get('{node}').source") in ("generated", "bank"),
         timeout=60, message="the drag was not decoded")
    assert "bind an axis" not in alice.find_element(By.ID, "errors").text


def test_arrow_keys_nudge_the_selection_and_escape_cancels_a_drag(server, browsers):
    alice, bob = seeded_pair(server, browsers, "keys")
    x = lambda d: model(d, "m.position(m.nodes.get('n1'))[0]")
    start = x(bob)
    alice.find_element(By.CSS_SELECTOR, '[data-node="n1"] rect').click()
    for _ in range(3):
        ActionChains(alice).send_keys(Keys.ARROW_RIGHT).pause(0.1).perform()
    wait(bob, lambda d: abs(x(d) - (start + 0.3)) < 0.05, timeout=20,
         message="three nudges did not move n1 by 0.3 on x for bob")
    wait(bob, lambda d: not model(d, "m.nodes.get('n1').pending"), timeout=60, message="not decoded")
    nudged = x(bob)
    def drag_then_escape():
        card = alice.find_element(By.CSS_SELECTOR, '[data-node="n1"] rect')
        chain = ActionChains(alice).click_and_hold(card)
        for _ in range(12):
            chain = chain.move_by_offset(30, 0).pause(0.04)
        chain.send_keys(Keys.ESCAPE).release().perform()
    drag_then_escape()
    wait(bob, lambda d: abs(x(d) - nudged) < 0.02 and not model(d, "m.nodes.get('n1').pending"),
         timeout=60, message="Escape did not bring n1 back")


def test_undo_and_redo_are_per_user_and_never_undo_someone_elses_change(server, browsers):
    alice, bob = seeded_pair(server, browsers, "undo")
    x = lambda d: model(d, "m.position(m.nodes.get('n1'))[0]")
    near = lambda value: (lambda d: abs(x(d) - value) < 0.03)
    start = x(alice)
    def press(driver, key, shift=False):
        chain = ActionChains(driver).key_down(Keys.CONTROL)
        if shift:
            chain = chain.key_down(Keys.SHIFT)
        chain = chain.send_keys(key)
        if shift:
            chain = chain.key_up(Keys.SHIFT)
        chain.key_up(Keys.CONTROL).perform()
    for driver in (alice, bob):
        driver.find_element(By.CSS_SELECTOR, '[data-node="n1"] rect').click()
    ActionChains(alice).send_keys(Keys.ARROW_RIGHT).perform()
    wait(bob, near(start + 0.1), timeout=20, message="alice's nudge never reached bob")
    press(alice, "z")
    wait(bob, near(start), timeout=20, message="alice's undo did not put n1 back")
    press(alice, "z", shift=True)
    wait(bob, near(start + 0.1), timeout=20, message="alice's redo did not move n1 again")
    wait(alice, near(start + 0.1), timeout=20, message="alice does not see her redo")
    ActionChains(bob).send_keys(Keys.ARROW_RIGHT).perform()  # bob changes the same node
    wait(alice, near(start + 0.2), timeout=20, message="bob's nudge never reached alice")
    alice.find_element(By.ID, "undo").click()
    wait(alice, lambda d: "bob has changed that node since" in d.find_element(By.ID, "errors").text,
         message="alice's undo over bob's change was not refused")
    assert abs(x(bob) - (start + 0.2)) < 0.03, "bob's change was undone"
    press(bob, "z")
    wait(alice, near(start + 0.1), timeout=20, message="bob's own undo did not take back his nudge")


async def crowd(server, doc, count):
    """`count` nodes at the same point (one latent), on two bound axes."""
    a = await Client.connect(server.url(doc), "crowd")
    await a.join()
    await a.op("axis.create", {"axis": "mood", "provider": "pack", "params": {"axis": "sentiment"}})
    await a.op("axis.create", {"axis": "tone", "provider": "pack", "params": {"axis": "formality"}})
    await a.op("view.bind", {"x": "mood", "y": "tone"})
    for _ in range(3):
        await a.expect("ack")
    latent = fp16_base64(unit(5))
    # In batches the server's frame rate limit (120/s, bursts of 240) lets through.
    for start in range(0, count, 100):
        batch = range(start, min(count, start + 100))
        for i in batch:
            await a.op("node.create", {"node": f"c{i}", "text": f"Crowded sentence number {i} about the weather.",
                                       "latent": latent, "origin": {"kind": "typed", "parents": []}})
        for _ in batch:
            await a.expect("ack")
        if count > 200:
            await asyncio.sleep(0.9)
    await a.close()


def card_boxes(driver):
    return driver.execute_script("""
      return [...document.querySelectorAll('[data-node]')].map((g) => {
        const r = g.querySelector('rect').getBoundingClientRect();
        return [g.getAttribute('data-node'), r.left, r.top, r.right, r.bottom,
                g.classList.contains('compact')];
      });""")


def test_cards_at_the_same_point_never_hide_each_other_and_crowds_turn_compact(server, browsers):
    run(crowd(server, "same", 4))
    alice = browsers()
    alice.get(f"http://127.0.0.1:{server.port}/?doc=same&name=alice")
    wait(alice, lambda d: len(d.find_elements(By.CSS_SELECTOR, "[data-node]")) == 4, message="no cards")
    boxes = card_boxes(alice)
    width, height = alice.execute_script("const r = document.getElementById('canvas').getBoundingClientRect(); return [r.width, r.height];")
    for i, (_, l1, t1, r1, b1, _) in enumerate(boxes):
        assert l1 >= -1 and t1 >= -1, "a card is cut off at the edge"
        for _, l2, t2, r2, b2, _ in boxes[i + 1:]:
            shared = max(0, min(r1, r2) - max(l1, l2)) * max(0, min(b1, b2) - max(t1, t2))
            assert shared < 0.5 * (r2 - l2) * (b2 - t2), "a card hides most of another"
    assert alice.find_elements(By.CSS_SELECTOR, "line.leader"), "offset cards point back to their node"
    run(crowd(server, "many", 200))
    bob = browsers()
    bob.get(f"http://127.0.0.1:{server.port}/?doc=many&name=bob")
    wait(bob, lambda d: len(d.find_elements(By.CSS_SELECTOR, "[data-node]")) == 200, timeout=60, message="not 200 cards")
    assert all(compact for *_, compact in card_boxes(bob)), "200 nodes should be compact"
    # Thousands of nodes: dots (a selected one with its text), dragged by their dots.
    run(crowd(server, "dense", 1200))
    carol = browsers()
    carol.get(f"http://127.0.0.1:{server.port}/?doc=dense&name=carol")
    wait(carol, lambda d: d.execute_script("return document.querySelectorAll('circle.dot').length") == 1200,
         timeout=90, message="1,200 nodes were not drawn as dots")
    assert not carol.find_elements(By.CSS_SELECTOR, ".card"), "no cards above the limit"
    moved = carol.execute_script("""
      const view = window.latitude.view;
      view.overrides.set('c7', [1.5, 1.5]);
      view.render();
      const dot = document.querySelector('circle[data-node="c7"]');
      const placed = [dot.getAttribute('cx'), dot.getAttribute('cy')];
      view.overrides.delete('c7');
      return placed;""")
    assert [float(v) for v in moved] == [1.5, 1.5], moved


def test_a_sweep_shows_texts_along_an_axis_and_a_step_can_be_dropped(server, browsers):
    alice, bob = seeded_pair(server, browsers, "sweep")
    alice.find_element(By.CSS_SELECTOR, '[data-node="n1"] rect').click()
    wait(alice, lambda d: d.find_element(By.CSS_SELECTOR, "#sweep-form button").is_enabled(),
         message="the sweep button stayed disabled with one node selected")
    steps = alice.find_element(By.ID, "sweep-steps")
    steps.clear()
    steps.send_keys("5")
    alice.find_element(By.CSS_SELECTOR, "#sweep-form button").click()
    def texts(d):
        return [e.text for e in d.find_elements(By.CSS_SELECTOR, "#sweep-list .sweep-text")]
    wait(alice, lambda d: len(texts(d)) == 5 and all(texts(d)), timeout=120, message="sweep incomplete")
    values = [e.text for e in alice.find_elements(By.CSS_SELECTOR, "#sweep-list .sweep-value")]
    assert values == ["-2.00", "-1.00", "0.00", "1.00", "2.00"]
    last = texts(alice)[-1]
    before = model(bob, "m.nodes.size")
    alice.find_elements(By.CSS_SELECTOR, "#sweep-list button")[-1].click()
    wait(bob, lambda d: model(d, "m.nodes.size") == before + 1, message="the dropped step never reached bob")
    wait(bob, lambda d: model(d, f"[...m.nodes.values()].some(n => n.text === {last!r} && !n.pending)"),
         timeout=60, message="the dropped node did not decode to the step's text")


def test_an_axis_defined_in_one_browser_appears_in_the_other(server, browsers):
    alice, bob = seeded_pair(server, browsers, "axes")
    alice.find_element(By.CSS_SELECTOR, "#new-axis summary").click()
    alice.find_element(By.ID, "axis-name").send_keys("Weather")
    alice.find_element(By.ID, "axis-neg-label").send_keys("dry")
    alice.find_element(By.ID, "axis-pos-label").send_keys("wet")
    alice.find_element(By.ID, "axis-neg").send_keys("A dry, sunny desert.\nNo rain for months.")
    alice.find_element(By.ID, "axis-pos").send_keys("Heavy rain all day.\nThe streets flooded.")
    alice.find_element(By.CSS_SELECTOR, "#axis-form button[type=submit]").click()
    wait(bob, lambda d: "Weather" in [o.text for o in d.find_elements(By.CSS_SELECTOR, "#axis-x option")],
         message="bob never saw the new axis")
    # Both windows place the card on the new axis from the axis op itself (its axisCoords),
    # at the server's coordinate, and bob's binding moves alice's view: nothing is refetched.
    axis = model(bob, "[...m.axes.values()].find((a) => a.name === 'Weather').id")
    Select(bob.find_element(By.ID, "axis-y")).select_by_value(axis)
    wait(alice, lambda d: model(d, "m.view.y") == axis, message="alice never saw the binding")
    readout = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{server.port}/v1/docs/axes/projections").read())
    expected = {n["id"]: n["coords"][axis]["at"] for n in readout["nodes"]}
    for driver in (alice, bob):
        assert abs(model(driver, "m.position(m.nodes.get('n1'))[1]") - expected["n1"]) < 1e-6
        fetches = driver.execute_script(
            "return performance.getEntriesByType('resource').filter((e) => e.name.includes('/state')).length")
        assert fetches == 1, f"the document state was fetched {fetches} times (only the join should)"


def test_the_history_scrubber_reaches_an_earlier_state(server, browsers):
    run(seed(server, "history"))
    async def two_moves():
        a = await Client.connect(server.url("history"), "mover", "mover")
        await a.join()
        for value in (0.5, 1.5):
            await a.op("node.move", {"node": "n1", "coordinates": [{"axis": "mood", "value": value}]}, floor=100)
            await a.expect("ack")
        await a.close()
    run(two_moves())
    alice = browsers()
    open_doc(alice, server, "history", "alice")
    alice.find_element(By.ID, "node-text").send_keys("A second sentence, added later.")
    alice.find_element(By.CSS_SELECTOR, "#node-form button[type=submit]").click()
    wait(alice, lambda d: model(d, "m.nodes.size") == 2, message="the new node never showed")
    alice.find_element(By.ID, "hist-toggle").click()
    # With the history open, a selected node shows its trail: one point per move.
    alice.execute_script("window.latitude.view.handlers.onSelect('n1', false);")
    wait(alice, lambda d: len(d.find_elements(By.CSS_SELECTOR, "circle.trail-dot")) == 2, timeout=20,
         message="no trail of n1's two moves")
    alice.execute_script("window.latitude.view.handlers.onSelect(null, false);")
    alice.execute_script(
        "const r = document.getElementById('hist-range'); r.value = 4; r.dispatchEvent(new Event('input'));")
    wait(alice, lambda d: model(d, "m.nodes.size") == 1 and model(d, "m.seq") == 4,
         message="the scrubber did not reach seq 4")
    assert "replaying" in alice.find_element(By.TAG_NAME, "body").get_attribute("class")
    # The history list names who did what, and when; picking an entry scrubs to it.
    entries = lambda d: [li.text for li in d.find_elements(By.CSS_SELECTOR, "#hist-list li")]
    wait(alice, lambda d: any("alice" in e and "added “A second sentence, added later.”" in e for e in entries(d)),
         message="the history list does not show alice's sentence")
    newest = entries(alice)[0]
    assert newest.startswith("#") and ":" in newest.split("\n")[0], f"no time in {newest!r}"
    alice.find_element(By.CSS_SELECTOR, '#hist-list li[data-seq="3"]').click()
    wait(alice, lambda d: model(d, "m.seq") == 3, message="picking an entry did not scrub to it")
    assert "tester: put" in alice.find_element(By.ID, "hist-label").text
    Select(alice.find_element(By.ID, "hist-person")).select_by_value("alice")
    wait(alice, lambda d: all("alice" in e.split("\n")[0] for e in entries(d)), message="the person filter")
    alice.execute_script(
        "const r = document.getElementById('hist-range'); r.value = 0; r.dispatchEvent(new Event('input'));")
    wait(alice, lambda d: model(d, "m.nodes.size") == 0 and model(d, "m.axes.size") == 0)
    alice.find_element(By.ID, "hist-close").click()
    wait(alice, lambda d: model(d, "m.nodes.size") == 2)


def test_the_operations_form_says_what_is_missing_then_mixes_the_selection(server, browsers):
    run(seed(server, "mixing"))
    alice = browsers()
    open_doc(alice, server, "mixing", "alice")
    alice.find_element(By.ID, "node-text").send_keys("The soup was hot and the service was quick.")
    alice.find_element(By.CSS_SELECTOR, "#node-form button[type=submit]").click()
    wait(alice, lambda d: model(d, "m.nodes.size") == 2, message="the typed sentence never showed")
    alice.execute_script("window.latitude.view.handlers.onSelect('n1', false);")
    alice.find_element(By.ID, "op-mix").click()
    wait(alice, lambda d: "mix needs at least 2 selected nodes" in d.find_element(By.ID, "errors").text,
         message="no error for a mix of one node")
    other = model(alice, "[...m.nodes.keys()].find((id) => id !== 'n1')")
    alice.execute_script(f"window.latitude.view.handlers.onSelect('{other}', true);")
    alice.find_element(By.ID, "op-mix").click()
    wait(alice, lambda d: model(d, "m.nodes.size") == 3, timeout=60, message="the mix never made a node")
    origins = model(alice, "[...m.nodes.values()].map((n) => n.origin)")
    mixed = [o for o in origins if o and sorted(o.get("parents", [])) == sorted(["n1", other])]
    assert mixed, f"no node made from the two selected: {origins}"


def test_reconnecting_after_a_server_restart_resyncs(tmp_path, browsers):
    first = Server(tmp_path / "restart.sqlite").start()
    run(seed(first, "restart"))
    alice = browsers()
    open_doc(alice, first, "restart", "alice")
    port = first.port
    assert first.stop() == 0
    wait(alice, lambda d: d.find_element(By.ID, "status").text == "offline", message="offline not shown")
    second = Server(tmp_path / "restart.sqlite").start(port=port)
    try:
        wait(alice, lambda d: d.find_element(By.ID, "status").text == "online", timeout=30,
             message="never reconnected")
        async def add():
            c = await Client.connect(second.url("restart"), "other")
            await c.join()
            await c.op("node.create", typed("n2", "Written while you were away."), floor=100)
            await c.expect("ack")
            await c.close()
        run(add())
        wait(alice, lambda d: model(d, "m.nodes.has('n2')"), message="the new node never arrived")
    finally:
        second.stop()


def test_restore_to_here_appends_ops_and_brings_deleted_nodes_back(server, browsers):
    run(seed(server, "restore"))
    alice = browsers()
    open_doc(alice, server, "restore", "alice")
    original = model(alice, "m.nodes.get('n1').text")
    alice.find_element(By.CSS_SELECTOR, '[data-node="n1"] rect').click()
    wait(alice, lambda d: d.find_elements(By.CSS_SELECTOR, "#readout .edit-form"))
    alice.execute_script(
        "[...document.querySelectorAll('#readout button')].find(b => b.textContent === 'Delete').click()")
    wait(alice, lambda d: model(d, "m.nodes.size") == 0, message="the delete never applied")
    alice.find_element(By.ID, "hist-toggle").click()
    alice.execute_script(
        "const r = document.getElementById('hist-range'); r.value = 4; r.dispatchEvent(new Event('input'));")
    wait(alice, lambda d: model(d, "m.seq") == 4 and model(d, "m.nodes.size") == 1)
    alice.find_element(By.ID, "hist-restore").click()
    wait(alice, lambda d: model(d, "[...m.nodes.values()].some(n => n.origin && n.origin.kind === 'restored')"),
         message="no restored node")
    restored = model(alice, "[...m.nodes.values()].find(n => n.origin.kind === 'restored')")
    assert restored["origin"]["parents"] == ["n1"]
    assert restored["text"] == original
    assert model(alice, "m.seq") > 5  # appended after the delete; history was not rewritten


TOPICS = [
    "The flight was delayed for six hours.", "Our plane left three hours late.",
    "The airline lost my luggage again.", "I love baking bread on Sunday mornings.",
    "Fresh sourdough needs a long rise.", "She bakes cinnamon rolls for the neighbours.",
    "The central bank raised interest rates.", "Stocks fell after the inflation report.",
    "Bond yields climbed to a ten-year high.",
]


async def topics(server, doc):
    """Nine sentences on three topics (n0…n8), on two bound axes."""
    a = await Client.connect(server.url(doc), "topics")
    await a.join()
    await a.op("axis.create", {"axis": "mood", "provider": "pack", "params": {"axis": "sentiment"}})
    await a.op("axis.create", {"axis": "tone", "provider": "pack", "params": {"axis": "formality"}})
    await a.op("view.bind", {"x": "mood", "y": "tone"})
    for index, text in enumerate(TOPICS):
        await a.op("node.create", typed(f"n{index}", text))
    for _ in range(len(TOPICS) + 3):
        await a.expect("ack")
    await a.close()


def map_distance(driver, u, v):
    return model(driver, f"Math.hypot(...[0, 1].map((i) => m.map.positions.get('{u}')[i] - m.map.positions.get('{v}')[i]))")


def test_a_map_computed_in_one_browser_shows_in_the_other_and_a_drop_moves_the_node(server, browsers):
    run(topics(server, "map"))
    alice, bob = browsers(), browsers()
    open_doc(alice, server, "map", "alice")
    open_doc(bob, server, "map", "bob")
    alice.find_element(By.CSS_SELECTOR, 'input[name="view-mode"][value="map"]').click()
    title = lambda d: d.find_element(By.CSS_SELECTOR, "text.map-title").text
    wait(alice, lambda d: "No map yet" in title(d), message="no empty-map hint")
    alice.find_element(By.ID, "map-run").click()
    wait(alice, lambda d: model(d, "m.map && m.map.positions.size") == 9, timeout=60, message="no map in alice's window")
    wait(bob, lambda d: model(d, "m.map && m.map.positions.size") == 9, timeout=30, message="bob never got the map")
    assert "UMAP" in alice.find_element(By.ID, "map-status").text
    bob.find_element(By.CSS_SELECTOR, 'input[name="view-mode"][value="map"]').click()
    wait(bob, lambda d: len(d.find_elements(By.CSS_SELECTOR, "[data-node]")) == 9, message="bob's map has no cards")
    wait(bob, lambda d: "UMAP map · 9 nodes" in title(d), message="no map title")
    Select(bob.find_element(By.ID, "map-colour")).select_by_value("mood")
    wait(bob, lambda d: d.find_elements(By.CSS_SELECTOR, "rect.colour-stripe"), message="no colour by axis")
    # Alice drops n0 (a flight) onto n4 (baking): its latent moves there and the server
    # places it next to the baking sentences, for both.
    assert map_distance(bob, "n0", "n4") > min(map_distance(bob, "n0", "n1"), map_distance(bob, "n0", "n2"))
    def drop():
        # Where n4 is, read first: the other cards make room while n0 is dragged.
        (sx, sy), (tx, ty) = alice.execute_script("""
          return ['n0', 'n4'].map((id) => {
            const r = document.querySelector(`[data-node="${id}"] rect`).getBoundingClientRect();
            return [r.left + r.width / 2, r.top + r.height / 2];
          });""")
        source = alice.find_element(By.CSS_SELECTOR, '[data-node="n0"] rect')
        ActionChains(alice).click_and_hold(source).move_by_offset(5, 5) \
            .move_by_offset(int(tx - sx) - 5, int(ty - sy) - 5).pause(0.1).release().perform()
    drop()
    wait(bob, lambda d: map_distance(d, "n0", "n4") < min(map_distance(d, "n0", "n1"), map_distance(d, "n0", "n2")),
         timeout=60, message="n0 was not re-placed among the baking sentences in bob's map")
    wait(bob, lambda d: not model(d, "m.nodes.get('n0').pending"), timeout=60, message="n0 was not decoded")
    # The history scrubber shows the map as it was (none before it was computed).
    bob.find_element(By.ID, "hist-toggle").click()
    bob.execute_script(
        "const r = document.getElementById('hist-range'); r.value = 12; r.dispatchEvent(new Event('input'));")
    wait(bob, lambda d: model(d, "m.seq") == 12 and model(d, "m.map") is None, message="the past had a map")
    bob.find_element(By.ID, "hist-close").click()
    wait(bob, lambda d: model(d, "m.map && m.map.positions.size") == 9)


def test_a_large_map_draws_dots_and_pans_without_rebuilding(server, browsers):
    async def many(doc, count):
        a = await Client.connect(server.url(doc), "many")
        await a.join()
        # In batches the server's per-connection frame rate allows.
        for start in range(0, count, 100):
            for i in range(start, min(count, start + 100)):
                await a.op("node.create", {"node": f"d{i}", "text": f"Sentence {i}.", "latent": fp16_base64(unit(i)),
                                           "origin": {"kind": "typed", "parents": []}})
            for _ in range(start, min(count, start + 100)):
                await a.expect("ack")
            await asyncio.sleep(1)
        await a.op("op.apply", {"plugin": "latitude.maps", "operation": "tsne-layout",
                                "params": {"perplexity": 10, "iterations": 100}, "inputs": [], "outputs": []})
        await a.expect("ack", 120)
        await a.close()
    run(many("dots", 400))
    alice = browsers()
    alice.get(f"http://127.0.0.1:{server.port}/?doc=dots&name=alice")
    wait(alice, lambda d: model(d, "m.map && m.map.positions.size") == 400, timeout=60, message="no map")
    alice.find_element(By.CSS_SELECTOR, 'input[name="view-mode"][value="map"]').click()
    wait(alice, lambda d: len(d.find_elements(By.CSS_SELECTOR, "circle.dot")) == 400, message="no dots")
    # Panning moves the layer's transform; the dots themselves are not rebuilt.
    layer_before = alice.execute_script("return window.latitude.view.dots.layer;")
    canvas = alice.find_element(By.ID, "canvas")
    ActionChains(alice).move_to_element_with_offset(canvas, 10, 10).click_and_hold().move_by_offset(80, 40) \
        .release().perform()
    assert alice.execute_script("return window.latitude.view.dots.layer;") == layer_before
    # A dot can be selected: its label appears.
    alice.execute_script("window.latitude.view.handlers.onSelect('d7', false);")
    wait(alice, lambda d: d.find_elements(By.CSS_SELECTOR, "text.dot-label"), message="no label for the selection")


def test_features_are_read_named_used_as_an_axis_and_steered_across_browsers(server, browsers):
    alice, bob = seeded_pair(server, browsers, "features")
    original = model(bob, "m.nodes.get('n1').text")
    alice.find_element(By.CSS_SELECTOR, '[data-node="n1"] rect').click()
    wait(alice, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#feature-list li.feature")) >= 5,
         message="the selected node's features never showed")
    labels = alice.execute_script(
        "return [...document.querySelectorAll('#feature-list .feature-label')].map(e => e.textContent)")
    assert all(labels), labels
    # Search, then choose a result: its top sentences show.
    alice.find_element(By.ID, "feature-query").send_keys("cooking")
    alice.find_element(By.CSS_SELECTOR, "#feature-search button").click()
    wait(alice, lambda d: d.find_elements(By.CSS_SELECTOR, "#feature-found li.feature-result"),
         message="no feature found for 'cooking'")
    chosen = alice.find_element(By.CSS_SELECTOR, "#feature-found li.feature-result")
    feature = int(chosen.get_attribute("data-feature"))
    chosen.click()
    wait(alice, lambda d: d.find_element(By.ID, "feature-chosen").is_displayed()
         and d.find_elements(By.CSS_SELECTOR, "#feature-examples li"), message="the chosen feature never showed")
    # A name given in one browser is the name in the other.
    alice.find_element(By.ID, "feature-name").send_keys("kitchen talk")
    alice.find_element(By.ID, "feature-rename").click()
    wait(bob, lambda d: model(d, f"m.featureName('minilm-topk-4096-e2b', {feature})") == "kitchen talk",
         message="bob never saw the feature's new name")
    # Use as axis: bound to y for everyone, named with the document's name.
    alice.find_element(By.ID, "feature-axis").click()
    wait(bob, lambda d: model(d, "m.view.y") == f"feature-{feature}", message="the feature axis was never bound")
    wait(bob, lambda d: "kitchen talk" in d.execute_script(
        "return [...document.querySelectorAll('#axis-y option')].map(o => o.textContent)"),
        message="the feature axis's name never reached bob's axis list")
    # Colour map: the Map view, coloured by the feature's activation on every node.
    colour_by = "const b = window.latitude.view.colourBy; return b && b.feature === %d ? {version: b.version, n1: b.values.get('n1')} : null;" % feature
    alice.find_element(By.ID, "feature-colour").click()
    wait(alice, lambda d: (d.execute_script(colour_by) or {}).get("n1") is not None,
         message="the map was never coloured by the feature")
    assert alice.execute_script("return window.latitude.view.mode") == "map"
    assert alice.find_element(By.ID, "map-colour").get_attribute("value") == f"feature:{feature}"
    coloured = alice.execute_script(colour_by)["version"]
    # Steering the selection moves the node and brings new text to the other browser.
    alice.find_element(By.ID, "feature-steer").click()
    wait(bob, lambda d: model(d, f"m.nodes.get('n1').text !== {original!r} && !m.nodes.get('n1').pending"),
         timeout=90, message="the steered node never decoded to new text")
    # The document changed, so the colours were fetched again.
    wait(alice, lambda d: d.execute_script(colour_by)["version"] > coloured, message="colours never refreshed")
