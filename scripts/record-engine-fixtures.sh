#!/usr/bin/env bash
# record-engine-fixtures.sh -- make the test certificates and let the docker CLI write the context store test_engine reads.
# Usage: scripts/record-engine-fixtures.sh  (needs openssl and the docker CLI; no daemon)
# Writes tests/unit/engine/certs/ (a throwaway CA, a server certificate for
# 127.0.0.1 and localhost, a client certificate) and tests/unit/engine/dockerconfig/
# (contexts made by `docker context create`, `docker context use plain`), so
# where docker keeps a context's meta.json and TLS files is docker's word, not ours.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/tests/unit/engine
certs=$out/certs
cfg=$out/dockerconfig
rm -rf "$certs" "$cfg"
mkdir -p "$certs" "$cfg"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

days=36500
openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days $days -subj "/CN=c2s test CA" \
	-keyout "$certs/ca-key.pem" -out "$certs/ca.pem" 2>/dev/null
# a CA that signed nothing here: a client trusting only it must refuse the daemon
mkdir -p "$certs/other"
openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days $days -subj "/CN=c2s other CA" \
	-keyout "$tmp/other-key.pem" -out "$certs/other/ca.pem" 2>/dev/null
mk() { # mk NAME CN EXT
	openssl req -newkey rsa:2048 -nodes -sha256 -subj "/CN=$2" -keyout "$certs/$1-key.pem" \
		-out "$tmp/$1.csr" 2>/dev/null
	printf '%s\n' "$3" >"$tmp/$1.ext"
	openssl x509 -req -sha256 -days $days -in "$tmp/$1.csr" -CA "$certs/ca.pem" -CAkey "$certs/ca-key.pem" \
		-CAcreateserial -extfile "$tmp/$1.ext" -out "$certs/$1.pem" 2>/dev/null
}
mk server localhost "subjectAltName=IP:127.0.0.1,DNS:localhost
extendedKeyUsage=serverAuth"
mk client c2s-client "extendedKeyUsage=clientAuth"
# DOCKER_CERT_PATH's names for the client side
cp "$certs/client.pem" "$certs/cert.pem"
cp "$certs/client-key.pem" "$certs/key.pem"
rm -f "$certs/ca.srl" "$certs/client.pem" "$certs/client-key.pem"

export DOCKER_CONFIG=$cfg
unset DOCKER_HOST DOCKER_CONTEXT DOCKER_TLS_VERIFY DOCKER_CERT_PATH
docker context create tls-ctx --description "tcp with TLS" \
	--docker "host=tcp://127.0.0.1:2376,ca=$certs/ca.pem,cert=$certs/cert.pem,key=$certs/key.pem" >/dev/null
docker context create plain --docker "host=unix:///tmp/c2s-plain.sock" >/dev/null
docker context create skip --docker "host=tcp://example.invalid:2376,skip-tls-verify=true" >/dev/null
docker context create ssh-ctx --docker "host=ssh://user@example.invalid" >/dev/null
docker context use plain >/dev/null 2>&1
docker --version >"$out/recorded-with.txt"
echo "recorded $out"

# How the CLI writes a query: run docker commands against a socket that
# answers every request and records its request line (method, path, query).
sock=$tmp/capture.sock
python3 - "$sock" "$tmp/lines" <<'PY' &
import socketserver, sys, os
sock, log = sys.argv[1], sys.argv[2]
class H(socketserver.StreamRequestHandler):
    def handle(self):
        while True:
            line = self.rfile.readline()
            if not line:
                return
            headers = {}
            while True:
                h = self.rfile.readline()
                if h in (b"\r\n", b"\n", b""):
                    break
                k, _, v = h.decode().partition(":")
                headers[k.strip().lower()] = v.strip()
            n = int(headers.get("content-length", "0"))
            if n:
                self.rfile.read(n)
            with open(log, "a") as f:
                f.write(line.decode().rstrip("\r\n") + "\n")
            body = b"" if line.startswith(b"HEAD") else (b"OK" if b"/_ping" in line else b"[]")
            self.wfile.write(b"HTTP/1.1 200 OK\r\nApi-Version: 1.50\r\nContent-Type: application/json\r\n"
                             b"Content-Length: %d\r\n\r\n" % len(body) + body)
class S(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True
S(sock, H).serve_forever()
PY
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
export DOCKER_HOST=unix://$sock
run() { printf '# docker %s\n' "$*" >>"$tmp/lines"; docker "$@" >/dev/null 2>&1 || true; }
run service ls --filter label=com.docker.stack.namespace=s1
run network ls --filter label=com.docker.stack.namespace=s1
run secret ls --filter "label=a<b&c>d" --filter name=zz --filter name=aa --filter "label=é x" \
	--filter "label=$(printf 'tab\tnl\\q"u\342\200\250v\bw')"
run config ls --filter "name=a b+c/d?e%f#g" --filter label=k=v
run service ls --filter mode=replicated --filter mode=replicated
cp "$tmp/lines" "$out/docker-requests.txt"
kill $pid
