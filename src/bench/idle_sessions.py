"""Holds N idle ngrok 1.x sessions on a tunneld, for run.sh's memory-per-session figure.

    python3 src/bench/idle_sessions.py --server HOST:PORT --token T --sessions N

Each session is what the 1.x client opens: a TLS control connection, Auth, then two http
tunnels (ReqTunnel), and a Ping every 20 s; ReqProxy is answered with nothing, as no traffic
comes. Prints `IDLE-READY N` once every tunnel is open, then holds the sessions until killed.
The shipped client (`quarkus-run.jar client`) holds one session per process, and a thousand
JVMs would not fit beside the server on the benchmark's machine; the 1.x wire protocol is
small enough to speak here (src/docs/protocol.md).
"""
import argparse
import asyncio
import json
import os
import ssl
import struct
import sys


def frame(kind, payload):
    body = json.dumps({"Type": kind, "Payload": payload}).encode()
    return struct.pack("<q", len(body)) + body


async def read_frame(reader):
    length, = struct.unpack("<q", await reader.readexactly(8))
    if not 0 < length <= 65536:
        raise ValueError(f"frame length {length}")
    return json.loads(await reader.readexactly(length))


# At most this many sessions between their TCP connect and their AuthResp: tunneld closes a
# source address's connections beyond 50 that have not sent their first frame
# (limits.unidentified-connections-per-address), and on a loaded machine handshakes can
# finish faster than it reads them.
OPENING_AT_ONCE = 25


async def session(host, port, token, n, context, opening, opened):
    async with opening:
        reader, writer = await asyncio.open_connection(host, port, ssl=context)
        writer.write(frame("Auth", {"Version": "2", "MmVersion": "1.7", "User": token, "Password": "",
                                    "OS": "linux", "Arch": "amd64", "ClientId": ""}))
        answer = await read_frame(reader)
    if answer["Type"] != "AuthResp" or answer["Payload"].get("Error"):
        raise RuntimeError(f"session {n}: auth refused: {answer}")
    for side in "ab":
        writer.write(frame("ReqTunnel", {"ReqId": side, "Protocol": "http", "Hostname": "",
                                         "Subdomain": f"idle{n}{side}", "HttpAuth": "", "RemotePort": 0}))
    tunnels = 0
    while tunnels < 2:
        message = await read_frame(reader)
        if message["Type"] == "NewTunnel":
            if message["Payload"].get("Error"):
                raise RuntimeError(f"session {n}: tunnel refused: {message['Payload']['Error']}")
            tunnels += 1
    opened.release()

    async def ping():
        while True:
            await asyncio.sleep(20)
            writer.write(frame("Ping", {}))

    pinger = asyncio.create_task(ping())
    try:
        while True:
            await read_frame(reader)   # Pong, ReqProxy: nothing to do
    finally:
        pinger.cancel()


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--server", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--sessions", type=int, required=True)
    args = parser.parse_args()
    host, port = args.server.rsplit(":", 1)
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE   # tunneld's generated, self-signed certificate
    opening = asyncio.Semaphore(OPENING_AT_ONCE)
    opened = asyncio.Semaphore(0)
    tasks = [asyncio.create_task(session(host, int(port), args.token, n, context, opening, opened))
             for n in range(args.sessions)]

    async def all_opened():
        for _ in range(args.sessions):
            await opened.acquire()

    waiting = asyncio.create_task(all_opened())
    done, _ = await asyncio.wait([waiting, *tasks], timeout=120, return_when=asyncio.FIRST_COMPLETED)
    if waiting in done:
        print(f"IDLE-READY {args.sessions}", flush=True)
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    failed = [t for t in done if t is not waiting]
    sys.stderr.write(f"idle_sessions.py: {failed[0].exception()!r}\n" if failed else
                     "idle_sessions.py: not every session opened within 120 s\n")
    sys.stderr.flush()
    os._exit(1)   # at once, without cancelling a thousand tasks


if __name__ == "__main__":
    asyncio.run(main())
