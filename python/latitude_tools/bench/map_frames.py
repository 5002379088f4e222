#!/usr/bin/env python3
"""`make bench-map-frames`: the canvas's Map view with a 5,000-node document in headless
Chromium: how long the Map view takes to open, and frame times while panning and zooming,
against the Axes view of the same document measured in the same run (the reference); and
a drag's frame time on a 200-node canvas (the Axes view): `performance.now()` around each
pointer move's handling (the card follows the pointer, the drag is sent), against a full
redraw of the same canvas.

A release `latitude serve` (LATITUDE_BIN for another build) gets 5,000 nodes with their
latents (no decodes) and a UMAP map (op.apply umap-layout, timed as `map_compute_s`). In
the page, each pan frame moves the view and redraws it (view.render()) inside a
requestAnimationFrame; the time from the frame's start to the next frame is its frame
time. The Axes view is also measured as a pan gesture moves it (view.panTo: one transform
per frame, the full redraw when the gesture ends). The reference is the Axes view of the same document (compact labels, every one
rebuilt each frame); zoom frames rebuild the dots too. The last stdout line is one JSON
object.
"""
import argparse, asyncio, json, math, statistics, sys, tempfile, time
from pathlib import Path

from selenium.webdriver.common.by import By

from latitude_tools.e2e.browser import open_browser, wait
from latitude_tools.e2e.harness import Client, Server, fp16_base64, unit


def log(message):
    print(message, file=sys.stderr, flush=True)


async def populate(server, doc, count, layout=True):
    a = await Client.connect(server.url(doc), "bench")
    await a.join()
    await a.op("axis.create", {"axis": "mood", "provider": "pack", "params": {"axis": "sentiment"}})
    await a.op("axis.create", {"axis": "tone", "provider": "pack", "params": {"axis": "formality"}})
    await a.op("view.bind", {"x": "mood", "y": "tone"})
    for _ in range(3):
        await a.expect("ack", 60)
    for start in range(0, count, 500):
        for i in range(start, min(count, start + 500)):
            await a.op("node.create", {"node": f"d{i}", "text": f"Sentence number {i}.",
                                       "latent": fp16_base64(unit(i)), "origin": {"kind": "typed", "parents": []}})
        for _ in range(start, min(count, start + 500)):
            await a.expect("ack", 60)
        log(f"  {min(count, start + 500)} nodes")
    if not layout:
        await a.close()
        return 0
    started = time.perf_counter()
    await a.op("op.apply", {"plugin": "latitude.maps", "operation": "umap-layout", "params": {},
                            "inputs": [], "outputs": []})
    await a.expect("ack", 600)
    seconds = time.perf_counter() - started
    await a.close()
    return seconds


FRAMES = """
const done = arguments[arguments.length - 1];
const [frames, mode] = [arguments[0], arguments[1]];
const view = window.latitude.view;
const times = [];
let last = null, i = 0;
function step(now) {
  if (last !== null) times.push(now - last);
  last = now;
  if (i++ >= frames) return done(times);
  if (mode === "zoom") {
    view.scale *= (i % 2 ? 1.05 : 1 / 1.05);
    view.render();
  } else if (mode === "drag-pan") {
    // What a pan gesture does: the drawing moves by one transform.
    view.panTo([view.offset[0] + 3, view.offset[1] + 2]);
  } else {
    view.offset = [view.offset[0] + 3, view.offset[1] + 2];
    view.render();
  }
  requestAnimationFrame(step);
}
requestAnimationFrame(step);
"""


DRAG = """
const done = arguments[arguments.length - 1];
const count = arguments[0];
const view = window.latitude.view;
const full = [];
for (let i = 0; i < 20; i++) { const t0 = performance.now(); view.render(); full.push(performance.now() - t0); }
const card = document.querySelector('.card[data-node="d0"] rect');
const box = card.getBoundingClientRect();
let [x, y] = [box.left + 10, box.top + 10];
card.dispatchEvent(new PointerEvent("pointerdown", { clientX: x, clientY: y, bubbles: true, pointerId: 1 }));
const moves = [];
for (let i = 0; i < count; i++) {
  x += 2; y += 1;
  const t0 = performance.now();
  window.dispatchEvent(new PointerEvent("pointermove", { clientX: x, clientY: y, bubbles: true, pointerId: 1 }));
  moves.push(performance.now() - t0);
}
window.dispatchEvent(new PointerEvent("pointerup", { clientX: x, clientY: y, bubbles: true, pointerId: 1 }));
done([moves, full]);
"""


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(math.ceil(q * len(ordered))) - 1)]


def measure(driver, frames, mode="render"):
    driver.set_script_timeout(600)
    times = driver.execute_async_script(FRAMES, frames, mode)
    return {"p50": round(statistics.median(times), 2), "p95": round(percentile(times, 0.95), 2)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--nodes", type=int, default=5000)
    parser.add_argument("--frames", type=int, default=120)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    server = Server(folder / "frames.sqlite", "--frames-per-second", "1000000", "--frame-burst", "1000000").start()
    try:
        log(f"populating {args.nodes} nodes")
        compute = asyncio.run(populate(server, "frames", args.nodes))
        driver = open_browser()
        try:
            driver.get(f"http://127.0.0.1:{server.port}/?doc=frames&name=bench")
            wait(driver, lambda d: d.execute_script(
                "const m = window.latitude.model(); return m.map && m.map.positions.size") == args.nodes,
                timeout=120, message="the map never loaded")
            axes = measure(driver, 20)
            axes_gesture = measure(driver, args.frames, mode="drag-pan")
            driver.execute_script("window.latitude.view.render()")
            started = time.perf_counter()
            driver.find_element(By.CSS_SELECTOR, 'input[name="view-mode"][value="map"]').click()
            wait(driver, lambda d: d.execute_script(
                "return document.querySelectorAll('circle.dot').length") == args.nodes, timeout=120)
            open_ms = (time.perf_counter() - started) * 1000
            pan = measure(driver, args.frames)
            zoom = measure(driver, args.frames // 4, mode="zoom")
            log("a drag on a 200-node canvas")
            asyncio.run(populate(server, "drag", 200, layout=False))
            driver.get(f"http://127.0.0.1:{server.port}/?doc=drag&name=bench")
            wait(driver, lambda d: d.execute_script("return document.querySelectorAll('[data-node]').length") == 200,
                 timeout=60, message="the 200-node canvas never drew")
            driver.set_script_timeout(120)
            moves, full = driver.execute_async_script(DRAG, args.frames)
        finally:
            driver.quit()
    finally:
        server.stop()
    result = {
        "nodes": args.nodes, "map_compute_s": round(compute, 3), "map_open_ms": round(open_ms, 1),
        "map_pan_frame_ms_p50": pan["p50"], "map_pan_frame_ms_p95": pan["p95"],
        "map_zoom_frame_ms_p50": zoom["p50"], "map_zoom_frame_ms_p95": zoom["p95"],
        "axes_pan_frame_ms_p50": axes["p50"], "axes_pan_frame_ms_p95": axes["p95"],
        "axes_pan_gesture_frame_ms_p50": axes_gesture["p50"],
        "axes_pan_gesture_frame_ms_p95": axes_gesture["p95"],
        "pan_speedup_vs_axes_p95": round(axes["p95"] / max(pan["p95"], 1e-6), 2),
        "drag_frame_ms_p50_200": round(statistics.median(moves), 2),
        "drag_frame_ms_p95_200": round(percentile(moves, 0.95), 2),
        "full_render_ms_p95_200": round(percentile(full, 0.95), 2),
        "drag_speedup_vs_full_render_p95": round(percentile(full, 0.95) / max(percentile(moves, 0.95), 1e-3), 1),
    }
    log(f"Map view, {args.nodes} nodes: opens in {result['map_open_ms']} ms; pan frames p50 "
        f"{pan['p50']} ms, p95 {pan['p95']} ms (Axes view of the same nodes: p95 {axes['p95']} ms "
        f"redrawn each frame, p95 {axes_gesture['p95']} ms as a pan gesture moves it); "
        f"zoom frames p95 {zoom['p95']} ms; a drag on 200 nodes: p95 {result['drag_frame_ms_p95_200']} ms "
        f"per pointer move (a full redraw: p95 {result['full_render_ms_p95_200']} ms)")
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
