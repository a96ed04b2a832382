#!/usr/bin/python3
"""A test-only HTTP/1.1 proxy in front of s3rver that injects faults: error statuses, connections
reset in the middle of a request or a response, dropped connections and slow responses. With
--tls-cert/--tls-key it also terminates TLS, so the client's certificate checks meet a real
handshake.

Faults come from a file the test writes (--faults), one rule per line, consumed in order:
    ACTION [ARGS...] [@SUBSTRING] [#N]
the first rule whose SUBSTRING (the rest of the line, spaces included: "@GET /backups/k") occurs
in "METHOD TARGET" (every request when absent) and, with #N,
that is the proxy's Nth request (counted from 1 since it started, over all connections) is applied
to that request and removed. Actions:
    status CODE [S3CODE]   answer CODE with an S3 <Error> document (default S3CODE InternalError)
    reset-request          read half the request body, then reset the connection (RST)
    reset-response         forward, send the response head and half its body, then reset
    drop                   read the request, close without answering
    delay MS               forward, wait MS milliseconds before answering
    stall-response MS      forward, send the response head and half its body, wait MS
                           milliseconds (a stalled transfer), then close
    strip-headers NAME...  forward without these request headers: "strip-headers range" makes
                           a server that ignores Range (HTTP allows it: 200, the whole object),
                           "strip-headers if-match" one that ignores If-Match
Every request is appended to --log as "METHOD TARGET ACTION", every connection as "accept", and
the multipart uploads the server saw as "upload created ID" ("... unanswered" when the fault
kept the reply from the client), "upload completed ID STATUS" (the
server's status, also when the client never got it) and "upload aborted ID STATUS": the upload ids
a test must find completed or aborted, since s3rver cannot list open uploads.

A GET carrying a Range or If-Match header is also logged as "ranged TARGET RANGE if-match ETAG".
s3rver 3.7.1 ignores If-Match; the proxy answers a GET whose If-Match is not the object's
ETag (s3rver's answer) with 412 PreconditionFailed, as S3 does, so a client's resume of a
replaced object meets the real protocol's refusal.

s3rver 3.7.1 answers AbortMultipartUpload with 405 (not implemented). With --s3rver-storage DIR
the proxy performs it on s3rver's files instead (removes the upload's directory, answers 204),
so tests can check that an aborted upload leaves nothing open.

Prints "listening on PORT" once bound. Standard library only."""
import argparse
import os
import re
import shutil
import socket
import socketserver
import ssl
import struct
import sys
import threading
import time
from urllib.parse import parse_qs, urlsplit

LOCK = threading.Lock()
REQUESTS = [0]  # requests seen so far (the #N of the rules)


def take_rule(path, request_line, number):
    with LOCK:
        try:
            with open(path) as f:
                lines = [l.rstrip("\n") for l in f if l.strip()]
        except FileNotFoundError:
            return None
        for i, line in enumerate(lines):
            number_match = re.search(r"\s#(\d+)\s*$", line)
            at = int(number_match.group(1)) if number_match else None
            if number_match:
                line = line[:number_match.start()]
            # The substring runs to the end of the rule ("@GET /backups/key": that request line).
            words, sep, match = line.partition("@")
            match = match.strip() if sep else None
            if (match is None or match in request_line) and (at is None or at == number):
                del lines[i]
                with open(path + ".tmp", "w") as f:
                    f.write("".join(l + "\n" for l in lines))
                os.replace(path + ".tmp", path)
                return words.split()
    return None


def log(path, text):
    with LOCK:
        with open(path, "a") as f:
            f.write(text + "\n")


def read_head(sock_file):
    lines = []
    while True:
        line = sock_file.readline(65537)
        if not line:
            return None
        if line in (b"\r\n", b"\n"):
            return lines
        lines.append(line.decode("latin-1").rstrip("\r\n"))


def header(lines, name):
    for line in lines[1:]:
        k, _, v = line.partition(":")
        if k.strip().lower() == name:
            return v.strip()
    return None


def reset(sock):
    # SO_LINGER with a zero timeout makes close() send RST: a connection reset, not a clean EOF.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def read_body(f, lines, is_head_response=False, status=200):
    if is_head_response or status in (204, 304) or 100 <= status < 200:
        return b""
    if (header(lines, "transfer-encoding") or "").lower() == "chunked":
        out = b""
        while True:
            size_line = f.readline()
            size = int(size_line.split(b";")[0], 16)
            chunk = f.read(size + 2)[:size]
            out += chunk
            if size == 0:
                while f.readline() not in (b"\r\n", b"\n", b""):
                    pass
                return out
    length = header(lines, "content-length")
    if length is not None:
        return f.read(int(length))
    return f.read()  # until the upstream closes


def error_body(code, s3code):
    return (f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{s3code}</Code>'
            f"<Message>injected by fault_proxy (HTTP {code})</Message>"
            f"<RequestId>fault-{int(time.time() * 1000)}</RequestId></Error>").encode()


def log_upload(path, method, query, status, body, action):
    if method == "POST" and "uploads" in query and status == 200:
        start = body.find(b"<UploadId>")
        end = body.find(b"</UploadId>")
        if start >= 0 and end > start:
            # A reply cut off or delayed past the client's timeout: the client never learns the id.
            lost = " unanswered" if action in ("reset-response", "delay") else ""
            log(path, f"upload created {body[start + 10:end].decode('latin-1')}{lost}")
    elif method == "POST" and "uploadId" in query:
        # S3 may answer 200 with an <Error> body for a Complete that failed late.
        ok = status == 200 and b"<Error>" not in body
        log(path, f"upload completed {query['uploadId'][0]} {status if ok else 'failed-' + str(status)}")
    elif method == "DELETE" and "uploadId" in query:
        log(path, f"upload aborted {query['uploadId'][0]} {status}")


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        args = self.server.args
        client = self.request
        log(args.log, "accept")
        if args.tls_cert:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(args.tls_cert, args.tls_key)
            try:
                client = context.wrap_socket(client, server_side=True)
            except (ssl.SSLError, OSError) as e:
                log(args.log, f"TLS handshake refused: {e}")
                return
        upstream = None
        cf = client.makefile("rb")
        try:
            while True:
                lines = read_head(cf)
                if not lines:
                    return
                method, target = lines[0].split(" ")[:2]
                request_line = f"{method} {target}"
                length = int(header(lines, "content-length") or 0)
                with LOCK:
                    REQUESTS[0] += 1
                    number = REQUESTS[0]
                rule = take_rule(args.faults, request_line, number) if args.faults else None
                action = rule[0] if rule else "pass"
                log(args.log, f"{request_line} {' '.join(rule) if rule else 'pass'}")
                if action == "reset-request":
                    cf.read(length // 2)
                    reset(client)
                    return
                body = cf.read(length) if length else b""
                if action == "drop":
                    client.close()
                    return
                if action == "status":
                    code = int(rule[1])
                    payload = error_body(code, rule[2] if len(rule) > 2 else "InternalError")
                    client.sendall(f"HTTP/1.1 {code} Injected\r\nContent-Type: application/xml\r\n"
                                   f"Content-Length: {len(payload)}\r\n\r\n".encode() + payload)
                    continue
                query = parse_qs(urlsplit(target).query, keep_blank_values=True)
                if args.s3rver_storage and method == "DELETE" and "uploadId" in query:
                    bucket = urlsplit(target).path.split("/")[1]
                    upload = os.path.join(args.s3rver_storage, bucket, "._S3rver_uploads",
                                          os.path.basename(query["uploadId"][0]))
                    status = "204 No Content" if os.path.isdir(upload) else "404 Not Found"
                    shutil.rmtree(upload, ignore_errors=True)
                    log(args.log, f"upload aborted {query['uploadId'][0]} {status.split()[0]}")
                    client.sendall(f"HTTP/1.1 {status}\r\nContent-Length: 0\r\n\r\n".encode())
                    continue
                if method == "GET" and (header(lines, "range") or header(lines, "if-match")):
                    log(args.log, f"ranged {target} {header(lines, 'range')} if-match {header(lines, 'if-match')}")
                if action == "strip-headers":
                    lines = [lines[0]] + [l for l in lines[1:]
                                          if l.split(":")[0].strip().lower() not in rule[1:]]
                if_match = header(lines, "if-match")
                if upstream is None:
                    upstream = socket.create_connection((args.upstream_host, args.upstream_port))
                    uf = upstream.makefile("rb")
                upstream.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
                response = read_head(uf)
                if response is None:
                    client.close()
                    return
                status = int(response[0].split(" ")[1])
                rbody = read_body(uf, response, method == "HEAD", status)
                log_upload(args.log, method, query, status, rbody, action)
                if (if_match and method == "GET" and 200 <= status < 300 and
                        if_match.replace('"', "") != (header(response, "etag") or "").replace('"', "")):
                    payload = error_body(412, "PreconditionFailed")
                    log(args.log, f"precondition failed {target}")
                    client.sendall(f"HTTP/1.1 412 Precondition Failed\r\nContent-Type: application/xml\r\n"
                                   f"Content-Length: {len(payload)}\r\n\r\n".encode() + payload)
                    continue
                # Re-frame the body with a Content-Length: the proxy has it whole.
                head = [l for l in response if not l.lower().startswith(("transfer-encoding:", "content-length:"))]
                if method != "HEAD" or header(response, "content-length") is not None:
                    head.append(f"Content-Length: {header(response, 'content-length') if method == 'HEAD' else len(rbody)}")
                raw_head = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1")
                if action == "delay":
                    time.sleep(int(rule[1]) / 1000.0)
                if action == "reset-response":
                    client.sendall(raw_head + rbody[: len(rbody) // 2])
                    reset(client)
                    return
                if action == "stall-response":
                    client.sendall(raw_head + rbody[: len(rbody) // 2])
                    time.sleep(int(rule[1]) / 1000.0)
                    client.close()
                    return
                client.sendall(raw_head + rbody)
                if (header(response, "connection") or "").lower() == "close":
                    return
        except (ConnectionError, BrokenPipeError, ssl.SSLError, OSError):
            return
        finally:
            if upstream is not None:
                upstream.close()


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--upstream", required=True, help="host:port of s3rver")
    p.add_argument("--faults", help="file of fault rules, consumed in order")
    p.add_argument("--log", default=os.devnull)
    p.add_argument("--tls-cert")
    p.add_argument("--tls-key")
    p.add_argument("--s3rver-storage")
    args = p.parse_args()
    args.upstream_host, port = args.upstream.rsplit(":", 1)
    args.upstream_port = int(port)
    server = Server(("127.0.0.1", 0), Handler)
    server.args = args
    print(f"listening on {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
