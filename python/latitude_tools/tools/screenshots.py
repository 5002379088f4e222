#!/usr/bin/env python3
"""`make screenshots`: PNGs of the canvas's main views in docs/screenshots/, from a real
`latitude serve` and headless chromium (the browser tests' helpers)."""
import asyncio, pathlib, tempfile, time

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from latitude_tools.e2e.browser import model, open_browser, wait
from latitude_tools.e2e.harness import Client, Server, typed
from latitude_tools.paths import ROOT

OUT = ROOT / "docs/screenshots"
SENTENCES = [
    "The soup was cold and the waiter ignored us.",
    "What a wonderful evening with old friends.",
    "Please submit the quarterly report by Friday.",
    "lol that movie was sooo good",
    "The committee regrets to inform you of the decision.",
    "I can't believe how rude that guy was.",
    "Thank you so much for the lovely gift!",
    "The results were disappointing but not surprising.",
]


# 200 readable sentences for the crowded canvas: every subject with every ending.
SUBJECTS = ["The new café downtown", "My landlord", "This phone", "The train to work", "Our team lead",
            "The hotel room", "That concert", "The city council", "My neighbour's dog", "The final exam"]
ENDINGS = ["was an absolute delight.", "ruined my whole weekend.", "is fine, I suppose.",
           "deserves a formal complaint.", "made everyone laugh.", "was late again this morning.",
           "exceeded all of our expectations.", "is honestly the worst.", "will be reviewed on Monday.",
           "surprised me in a good way.", "was cold, slow and overpriced.", "kindly requests your attendance.",
           "has been absolutely wonderful.", "broke down twice this week.", "is under new management.",
           "smelled of fresh bread.", "never answers the phone.", "won an award last year.",
           "was quieter than I expected.", "needs a serious upgrade."]


async def seeder(server, doc):
    """A client on `doc` with the built-in sentiment (x) and formality (y) axes bound."""
    a = await Client.connect(server.url(doc), "seed", "demo")  # "latitude" is the server's own actor
    await a.join()
    for axis, pack in (("sentiment", "sentiment"), ("formality", "formality")):
        await a.op("axis.create", {"axis": axis, "provider": "pack", "params": {"axis": pack}})
        await a.expect("ack")
    await a.op("view.bind", {"x": "sentiment", "y": "formality"})
    await a.expect("ack")
    return a


async def seed_crowd(server, doc="crowd"):
    a = await seeder(server, doc)
    count = 0
    for subject in SUBJECTS:
        for ending in ENDINGS:
            await a.op("node.create", typed(f"c{count}", f"{subject} {ending}"))
            count += 1
    for _ in range(count):
        await a.expect("ack", 120)
    await a.close()
    return count


async def seed(server):
    a = await seeder(server, "demo")
    for i, text in enumerate(SENTENCES):
        await a.op("node.create", typed(f"n{i}", text))
        await a.expect("ack")
    move = await a.op("node.move", {"node": "n0", "coordinates": [{"axis": "sentiment", "value": 1.5},
                                                                  {"axis": "formality", "value": 0.5}]})
    await a.expect("ack")
    while True:
        frame = await a.expect("op", 120)
        if frame["op"]["kind"] == "node.decoded" and frame["op"]["payload"]["answers"] == move:
            break
    await a.close()


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    server = Server(pathlib.Path(tempfile.mkdtemp()) / "demo.sqlite").start()
    try:
        asyncio.run(seed(server))
        alice, bob = open_browser(1400, 860), open_browser(1400, 860)
        for driver, name in ((alice, "alice"), (bob, "bob")):
            driver.get(f"http://127.0.0.1:{server.port}/?doc=demo&name={name}")
            wait(driver, lambda d: d.find_element(By.ID, "status").text == "online")
            wait(driver, lambda d: model(d, "m.nodes.size") == len(SENTENCES))
        ActionChains(bob).move_to_element_with_offset(bob.find_element(By.ID, "canvas"), 80, -60).perform()
        time.sleep(1)
        alice.save_screenshot(str(OUT / "canvas.png"))
        alice.find_element(By.CSS_SELECTOR, '[data-node="n0"] rect').click()
        time.sleep(0.5)
        for details in alice.find_elements(By.CSS_SELECTOR, "#readout details"):
            details.click()
        time.sleep(0.5)
        alice.save_screenshot(str(OUT / "readout.png"))
        # The history: the list of changes, and n0's trail (it was moved once).
        alice.find_element(By.ID, "hist-toggle").click()
        wait(alice, lambda d: d.find_elements(By.CSS_SELECTOR, "#hist-list li"))
        alice.execute_script("window.latitude.view.handlers.onSelect('n0', false);")
        wait(alice, lambda d: d.find_elements(By.CSS_SELECTOR, "circle.trail-dot"))
        time.sleep(0.5)
        alice.save_screenshot(str(OUT / "history.png"))
        alice.find_element(By.ID, "hist-close").click()
        # The Features panel: n0's strongest features, and a feature found by a word.
        alice.execute_script("window.latitude.view.handlers.onSelect('n0', false);")
        wait(alice, lambda d: d.find_elements(By.CSS_SELECTOR, "#feature-list li.feature"))
        alice.find_element(By.ID, "feature-query").send_keys("food")
        alice.find_element(By.CSS_SELECTOR, "#feature-search button").click()
        wait(alice, lambda d: d.find_elements(By.CSS_SELECTOR, "#feature-found li.feature-result"))
        alice.find_element(By.CSS_SELECTOR, "#feature-found li.feature-result").click()
        wait(alice, lambda d: d.find_element(By.ID, "feature-chosen").is_displayed())
        alice.execute_script("document.getElementById('features').scrollIntoView()")
        time.sleep(0.5)
        alice.save_screenshot(str(OUT / "features.png"))
        # A sweep: n0's text at 9 points along sentiment, each with its fidelity.
        alice.execute_script("document.getElementById('sweep').scrollIntoView()")
        Select(alice.find_element(By.ID, "sweep-axis")).select_by_value("sentiment")
        alice.find_element(By.CSS_SELECTOR, "#sweep-form button").click()
        wait(alice, lambda d: len([e for e in d.find_elements(By.CSS_SELECTOR, "#sweep-list .sweep-text") if e.text]) == 9,
             timeout=180)
        time.sleep(0.5)
        alice.save_screenshot(str(OUT / "sweep.png"))
        alice.execute_script("window.scrollTo(0, 0); document.getElementById('right').scrollTop = 0;")
        # The Map view: a UMAP map of the sentences, coloured by sentiment.
        alice.execute_script("window.latitude.view.handlers.onSelect(null, false);")
        alice.find_element(By.CSS_SELECTOR, 'input[name="view-mode"][value="map"]').click()
        alice.find_element(By.ID, "map-run").click()
        wait(alice, lambda d: model(d, "m.map && m.map.positions.size") == len(SENTENCES), timeout=60)
        Select(alice.find_element(By.ID, "map-colour")).select_by_value("sentiment")
        time.sleep(1)
        alice.save_screenshot(str(OUT / "map.png"))
        alice.find_element(By.CSS_SELECTOR, 'input[name="view-mode"][value="axes"]').click()
        # Undo: alice types a sentence, then takes it back; Redo is offered.
        alice.find_element(By.ID, "node-text").send_keys("This one goes away again.")
        alice.find_element(By.CSS_SELECTOR, "#node-form button[type=submit]").click()
        wait(alice, lambda d: model(d, "m.nodes.size") == len(SENTENCES) + 1)
        wait(alice, lambda d: d.find_element(By.ID, "undo").is_enabled())
        alice.find_element(By.ID, "undo").click()
        wait(alice, lambda d: model(d, "m.nodes.size") == len(SENTENCES) and d.find_element(By.ID, "redo").is_enabled())
        time.sleep(0.5)
        alice.save_screenshot(str(OUT / "undo.png"))
        # First use: a brand-new document gets two built-in axes bound, and says what to do.
        alice.get(f"http://127.0.0.1:{server.port}/?doc=fresh&name=alice")
        wait(alice, lambda d: model(d, "m.view.x && m.view.y"), timeout=60)
        time.sleep(0.5)
        alice.save_screenshot(str(OUT / "first-use.png"))
        # 200 sentences: zoomed out (compact dots with short labels), then zoomed in (cards).
        crowd = asyncio.run(seed_crowd(server))
        alice.get(f"http://127.0.0.1:{server.port}/?doc=crowd&name=alice")
        wait(alice, lambda d: model(d, "m.nodes.size") == crowd, timeout=60)
        alice.execute_script("window.latitude.view.fit();")
        time.sleep(1)
        alice.save_screenshot(str(OUT / "crowd-out.png"))
        alice.execute_script(
            "const v = window.latitude.view; v.scale *= 12; v.offset = [v.offset[0] * 12, v.offset[1] * 12]; v.render();")
        time.sleep(1)
        alice.save_screenshot(str(OUT / "crowd-in.png"))
        for driver in (alice, bob):
            driver.quit()
        print(f"wrote {', '.join(p.name for p in sorted(OUT.glob('*.png')))} to {OUT}")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
