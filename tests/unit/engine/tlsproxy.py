#!/usr/bin/env python3
"""tlsproxy.py -- a TLS front for fakedockerd's unix socket, for test_engine's tcp:// + TLS cases.

tlsproxy.py --cert PEM --key PEM --ca PEM --target UNIX_SOCKET
Listens on 127.0.0.1 (a free port), asks every client for a certificate signed
by --ca, and relays the bytes to --target. Prints "READY <port>" once listening;
SIGTERM ends it.
"""
import argparse
import socket
import ssl
import sys
import threading


def pump(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def serve(conn, ctx, target):
    try:
        tls = ctx.wrap_socket(conn, server_side=True)
    except (ssl.SSLError, OSError):
        conn.close()
        return
    back = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    back.connect(target)
    t = threading.Thread(target=pump, args=(back, tls), daemon=True)
    t.start()
    pump(tls, back)
    t.join(5)
    tls.close()
    back.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--ca", required=True)
    ap.add_argument("--target", required=True)
    a = ap.parse_args()
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(a.cert, a.key)
    ctx.load_verify_locations(a.ca)
    ctx.verify_mode = ssl.CERT_REQUIRED
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.bind(("127.0.0.1", 0))
    ls.listen(16)
    print("READY %d" % ls.getsockname()[1], flush=True)
    while True:
        conn, _ = ls.accept()
        threading.Thread(target=serve, args=(conn, ctx, a.target), daemon=True).start()


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(0)
