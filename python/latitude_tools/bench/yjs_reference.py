#!/usr/bin/env python3
"""The reference for `make bench-fanout`: a pycrdt-websocket server relaying Yjs updates.

    yjs_reference.py serve --port P          run the server (prints "serving on 127.0.0.1:P")
    yjs_reference.py updates --clients N --count K --out FILE
                                             pre-generate, per client, K y-websocket update
                                             frames (each sets that client's drag position
                                             in a shared Y.Map), for the native generator

Update file format: for each frame, a little-endian u16 client index, a u32 length, then
the frame bytes ([messageSync=0, messageYjsUpdate=2, varuint length, update]).
"""
import argparse, asyncio, struct, sys


def varuint(n):
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def updates(args):
    from pycrdt import Doc, Map
    with open(args.out, "wb") as out:
        for client in range(args.clients):
            doc = Doc()
            drags = doc.get("drags", type=Map)
            frames = []
            for k in range(args.count):
                before = doc.get_state()
                drags[f"n{client}"] = [k / args.count, 0.5]
                update = doc.get_update(before)
                frames.append(bytes([0, 2]) + varuint(len(update)) + update)
            for frame in frames:
                out.write(struct.pack("<HI", client, len(frame)) + frame)
    print(f"wrote {args.clients}×{args.count} updates to {args.out}", file=sys.stderr)


async def serve(args):
    import websockets
    from pycrdt import Channel
    from pycrdt.websocket import WebsocketServer

    class WebsocketsChannel(Channel):
        def __init__(self, websocket):
            self._websocket = websocket
            self._path = websocket.request.path

        @property
        def path(self):
            return self._path

        def __aiter__(self):
            return self

        async def __anext__(self):
            try:
                return await self.recv()
            except Exception:
                raise StopAsyncIteration()

        async def send(self, message):
            await self._websocket.send(message)

        async def recv(self):
            message = await self._websocket.recv()
            return message if isinstance(message, bytes) else message.encode()

    async with WebsocketServer() as server:
        async with websockets.serve(lambda ws: server.serve(WebsocketsChannel(ws)), "127.0.0.1", args.port,
                                    max_size=None, compression=None) as listener:
            port = listener.sockets[0].getsockname()[1]
            print(f"serving on 127.0.0.1:{port}", file=sys.stderr, flush=True)
            await asyncio.Future()


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve")
    s.add_argument("--port", type=int, default=0)
    u = sub.add_parser("updates")
    u.add_argument("--clients", type=int, default=50)
    u.add_argument("--count", type=int, default=3000)
    u.add_argument("--out", required=True)
    args = parser.parse_args()
    if args.command == "serve":
        asyncio.run(serve(args))
    else:
        updates(args)


if __name__ == "__main__":
    main()
