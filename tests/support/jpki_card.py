#!/usr/bin/env python3
"""A My Number card for vsmartcard's vpcd, standard library only.

Connects to vpcd (insert = connect, remove = disconnect) and answers like the JPKI
application: SELECT of the AID, the token EF 0006, the user-authentication certificate EF
000A read with READ BINARY. Modes: jpki (the card), other (not a My Number card: the AID
select answers 6A82), mute (powers on, then never answers an APDU).

Usage: jpki_card.py --port 35963 --cert cert.der [--mode jpki|other|mute] [--chunk N]
The process stays connected (card present) until it gets SIGTERM (card removed).
"""
import argparse
import signal
import socket
import struct
import sys
import time

AID = bytes.fromhex("D392F000260100000001")
ATR = bytes.fromhex("3B8B80010031C164086032060F900057")  # a plausible ATR; onshid ignores it


def recv_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data


def send(sock, payload):
    sock.sendall(struct.pack(">H", len(payload)) + payload)


class Card:
    def __init__(self, cert, mode, chunk):
        self.cert = cert
        self.mode = mode
        self.chunk = chunk  # the most bytes one READ BINARY returns (shorter reads → 6Cxx)
        self.selected_app = False
        self.ef = None

    def apdu(self, a):
        if len(a) < 4:
            return b"\x67\x00"
        cla, ins, p1, p2 = a[0], a[1], a[2], a[3]
        body = a[5:5 + a[4]] if len(a) > 5 else b""
        if ins == 0xA4 and p1 == 0x04:  # SELECT by AID
            if self.mode == "other" or body != AID:
                return b"\x6A\x82"
            self.selected_app = True
            return b"\x90\x00"
        if ins == 0xA4 and p1 == 0x02:  # SELECT EF
            if not self.selected_app:
                return b"\x69\x86"
            self.ef = {b"\x00\x06": b"JPKIAPICCTOKEN2".ljust(32, b"\0"), b"\x00\x0a": self.cert}.get(body)
            return b"\x90\x00" if self.ef is not None else b"\x6A\x82"
        if ins == 0x20:  # VERIFY: a test that fails if onshid ever sends a PIN
            sys.stderr.write("jpki_card: VERIFY received\n")
            sys.stderr.flush()
            return b"\x69\x83"
        if ins == 0xB0:  # READ BINARY
            if self.ef is None:
                return b"\x69\x86"
            offset = (p1 << 8) | p2
            le = a[4] if len(a) == 5 else 0
            want = le or 256
            if self.chunk and want > self.chunk:
                return bytes([0x6C, self.chunk])  # "wrong length: ask for this many"
            return self.ef[offset:offset + want] + b"\x90\x00"
        return b"\x6D\x00"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--mode", default="jpki", choices=["jpki", "other", "mute"])
    ap.add_argument("--chunk", type=int, default=0)
    args = ap.parse_args()
    card = Card(open(args.cert, "rb").read(), args.mode, args.chunk)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    for _ in range(100):
        try:
            sock = socket.create_connection(("127.0.0.1", args.port))
            break
        except OSError:
            time.sleep(0.1)
    else:
        sys.exit("jpki_card: vpcd is not listening on port %d" % args.port)
    print("inserted", flush=True)
    try:
        while True:
            n = struct.unpack(">H", recv_exact(sock, 2))[0]
            msg = recv_exact(sock, n)
            if n == 1:
                if msg[0] == 4:
                    send(sock, ATR)
                continue  # power off / on / reset need no answer
            if card.mode == "mute":
                continue  # never answers: the reader times out
            send(sock, card.apdu(msg))
    except EOFError:
        pass


if __name__ == "__main__":
    main()
