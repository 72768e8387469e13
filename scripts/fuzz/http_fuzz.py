#!/usr/bin/env python3
"""Seeded, bounded HTTP fuzzer for the mjproxy API (Python 3 standard library only).

Starts `.build/debug/mjproxy` itself in sandbox mode (free ports, a temporary store), twice: once
without and once with an API secret. Against every route of the API (and the /mj-fast, /mj-relax,
/mj-turbo prefixes) it sends --requests hostile requests drawn from a generator seeded with --seed:
typed junk in every field, huge and non-finite numbers, deep nesting, 200 KB strings, invalid UTF-8,
bad and huge base64, data: URLs, odd paths and methods, missing/wrong/long auth headers, wrong
content types, truncated bodies.

It asserts:
  * no answer is ever 5xx;
  * every error answer is a JSON object {"code": int, "description": str} with a contract code;
  * junk never becomes a task: every submit body carries one field the contract refuses, so the
    task count (GET /mj/task/list) is the same before and after;
  * with a secret, a request without the right secret on a known route never gets past 401;
  * the process is alive at the end and /health answers.
It prints the figures (requests sent, answers by status, failures) and exits non-zero on any violation.
"""

import argparse
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter

# Routes of Sources/HTTPAPI/APIResponder.swift: (method, template, kind).
ROUTES = [
    ("POST", "/mj/submit/imagine", "imagine"),
    ("POST", "/mj/submit/action", "action"),
    ("POST", "/mj/submit/blend", "blend"),
    ("POST", "/mj/submit/describe", "describe"),
    ("POST", "/mj/submit/shorten", "shorten"),
    ("POST", "/mj/submit/modal", "modal"),
    ("POST", "/mj/submit/change", "change"),
    ("POST", "/mj/submit/simple-change", "simple-change"),
    ("POST", "/mj/submit/upload-discord-images", "upload"),
    ("POST", "/mj/insight-face/swap", "swap"),
    ("POST", "/mj/task/{id}/cancel", "cancel"),
    ("GET", "/mj/task/{id}/image-seed", "image-seed"),
    ("GET", "/mj/task/{id}/fetch", "fetch"),
    ("POST", "/mj/task/list-by-condition", "list-by-condition"),
    ("POST", "/mj/task/list-by-ids", "list-by-condition"),
    ("GET", "/mj/task/list", "list"),
    ("GET", "/mj/task/queue", "queue"),
    ("GET", "/health", "health"),
    ("GET", "/ready", "ready"),
]
PREFIXES = ["", "", "", "/mj-fast", "/mj-relax", "/mj-turbo", "/mj-FAST", "/mj-slow"]
METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"]
# Codes an error answer may carry (contract §2.2, §3): validation, auth, unknown route, method, body timeout.
ERROR_CODES = {4, 401, 403, 404, 405, 408}
PNG_HEAD = bytes([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])


class Generator:
    """Hostile values and requests from one seeded random source."""

    def __init__(self, rng, huge_budget=16):
        self.rng = rng
        # Multi-megabyte values are few per run, so a run stays well under a minute.
        self.huge_budget = huge_budget

    def huge(self):
        """Whether one more multi-megabyte value may be generated."""
        if self.huge_budget <= 0:
            return False
        self.huge_budget -= 1
        return True

    def number(self):
        r = self.rng
        return r.choice([
            "1e400", "-1e400", "1e19", "-1e19", "9223372036854775808", "-9223372036854775809", "1e308", "4.9e-324",
            "0", "-0", "1.5", "3", "1.0", "NaN", "Infinity", "-Infinity", "1e", "--1", "0x10", "01",
            str(r.randint(-2**70, 2**70)), repr(r.uniform(-1e30, 1e30)), "1" * r.randint(20, 400),
        ])

    def string_literal(self):
        r = self.rng
        choice = r.randrange(12)
        if choice == 0 and self.huge():
            return json.dumps("x" * 200_000)
        if choice == 1:
            return json.dumps("".join(chr(r.randint(0, 0x2FFF)) for _ in range(r.randint(0, 64))))
        if choice == 2:
            return '"\\ud800"'  # lone surrogate
        if choice == 3:
            return '"bad \\x escape"'
        if choice == 4:
            return json.dumps(r.choice(["", " ", "\u0000", "%00", "../..", "猫 --ar 1:" + "9" * 400, "cat --ar 999999999:1"]))
        if choice == 5:
            return json.dumps("data:image/png;base64," + self.base64_text())
        if choice == 6:
            return json.dumps(self.base64_text())
        if choice == 7:
            return json.dumps(r.choice(["http://", "ftp://x", "http://127.0.0.1:1/x", "javascript:alert(1)", "http://[::1", "//x"]))
        if choice == 8:
            return json.dumps(r.choice(["MID_JOURNEY", "niji", "mj", "FAST", "relax", "TURBO", "U1", "V9", "R", "UPSCALE", "PORTRAIT"]))
        if choice == 9:
            return json.dumps(str(r.randint(0, 10**17)))
        if choice == 10:
            return json.dumps("MJ::JOB::upsample::" + str(r.randint(-5, 10)) + "::" + "a" * r.randint(0, 40))
        return json.dumps("".join(r.choice("abcXYZ019 _-:/") for _ in range(r.randint(1, 40))))

    def base64_text(self):
        r = self.rng
        choice = r.randrange(8)
        if choice == 0:
            return "!!!not base64***"
        if choice == 1:
            return "A"  # bad length
        if choice == 2:
            import base64
            return base64.b64encode(PNG_HEAD + os.urandom(r.randint(0, 64))).decode()
        if choice == 3:
            import base64
            return base64.b64encode(b"GIF89a" + bytes(r.getrandbits(8) for _ in range(20))).decode() + "===="
        if choice == 4:
            return "QUFB" * r.randint(1, 5000)  # valid base64 of "AAA…": not an image
        if choice == 5 and self.huge():
            # More than 4 MB decoded, starting like a PNG (V10 without decoding all of it).
            import base64
            return base64.b64encode(PNG_HEAD).decode() + "A" * (4 * 1024 * 1024 * 4 // 3 + 64)
        if choice == 6:
            return "iVBORw0KGgo=" + "AAAA"  # padding in the middle
        return "".join(r.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/= \n") for _ in range(r.randint(0, 200)))

    def value(self, depth=0):
        r = self.rng
        choice = r.randrange(9 if depth < 3 else 5)
        if choice == 0:
            return "null"
        if choice == 1:
            return r.choice(["true", "false"])
        if choice == 2:
            return self.number()
        if choice in (3, 4):
            return self.string_literal()
        if choice == 5:
            return "[" + ",".join(self.value(depth + 1) for _ in range(r.randint(0, 4))) + "]"
        if choice == 6:
            keys = [self.key() for _ in range(r.randint(0, 4))]
            return "{" + ",".join(json.dumps(k) + ":" + self.value(depth + 1) for k in keys) + "}"
        if choice == 7:
            n = r.choice([100, 600, 10_000])
            return "[" * n + "1" + "]" * n
        return '{"a":' * 300 + "1" + "}" * 300

    FIELDS = ["prompt", "base64Array", "base64", "state", "notifyHook", "botType", "accountFilter", "taskId", "customId",
              "chooseSameChannel", "action", "index", "content", "dimensions", "link", "maskBase64", "sourceBase64",
              "sourceUrl", "targetBase64", "targetUrl", "ids", "filter", "PROMPT", "TaskId", "modes", "remix"]

    def key(self):
        r = self.rng
        if r.random() < 0.8:
            return r.choice(self.FIELDS)
        return r.choice(["", " ", "\u0000", "k" * 1000, "état", "__proto__"])

    def poison(self, kind):
        """One field the contract refuses for this route, so the body can never become a task."""
        r = self.rng
        if kind in ("modal",):
            return [("maskBase64", json.dumps("!!!"))]
        if kind in ("upload",):
            return [("base64Array", json.dumps(["!!!"]))]
        # Every other submit route validates state/notifyHook before doing anything.
        return [r.choice([
            ("state", self.number()), ("state", "[1]"), ("state", "{}"), ("state", "true"), ("state", json.dumps("s" * 1025)),
            ("notifyHook", json.dumps("ftp://example.invalid/hook")), ("notifyHook", "12"), ("notifyHook", json.dumps("not a url")),
        ])]

    def body(self, kind, submit):
        """A body: mostly an object of junk fields (with the poison first), sometimes raw junk bytes."""
        r = self.rng
        choice = r.randrange(20)
        if choice == 0:
            return b""
        if choice == 1:
            return b"null"
        if choice == 2:
            return bytes(r.getrandbits(8) for _ in range(r.randint(1, 300)))  # binary / invalid UTF-8
        if choice == 3:
            return b'{"prompt":"\xff\xfe cat"}'
        if choice == 4:
            return r.choice([b"[]", b"1", b'"s"', b"true", b"{", b'{"prompt":', b'{"a":1,}', b"\x00"])
        if choice == 5:
            n = r.choice([1000, 10_000])
            return (b"[" * n) + (b"]" * n)
        pairs = list(self.poison(kind)) if submit else []
        poisoned = {k for k, _ in pairs}
        for _ in range(r.randint(0, 6)):
            k = self.key()
            if k in poisoned:
                continue
            pairs.append((k, self.value()))
        text = "{" + ",".join(json.dumps(k) + ":" + v for k, v in pairs) + "}"
        data = text.encode("utf-8", "surrogatepass")
        if r.random() < 0.05:
            data = data[: r.randint(0, len(data))]  # truncated JSON (consistent Content-Length)
        return data

    def path(self, template):
        r = self.rng
        ident = r.choice([str(r.randint(0, 10**16)), "1e19", "%00", "..", "%2e%2e", "%ZZ", "x" * 2000, "", "-1", "🙂", "a%2Fb"])
        p = template.replace("{id}", ident)
        if p.startswith("/mj"):
            p = r.choice(PREFIXES) + p
        choice = r.randrange(12)
        if choice == 0:
            p = p.replace("/", "//")
        elif choice == 1:
            p = p + "/"
        elif choice == 2:
            p = p + "?limit=" + r.choice(["0", "-1", "1e19", "abc", "99999999999999999999", "5"]) + "&before=" + r.choice(["", "x", "1" * 16, "9" * 40])
        elif choice == 3:
            p = "/" + "a/" * r.randint(100, 1500)
        elif choice == 4:
            p = r.choice(["/", "/mj", "/mj/", "/mj/task", "/mj/submit/", "/mj/../health", "/%00", "/mj/submit/imagine%00", "/sandbox/disconnect"])
        return p

    def auth(self, secret):
        r = self.rng
        """Auth headers and whether they must be refused (only when the run has a secret)."""
        choice = r.randrange(8)
        refused = secret is not None
        if choice == 0:
            return [], refused
        if choice == 1:
            return [("mj-api-secret", "wrong")], refused
        if choice == 2:
            return [("Authorization", "Bearer " + "x" * r.randint(1000, 8000))], refused
        if choice == 3:
            return [("mj-api-secret", "")], refused
        if secret is None:
            return [("mj-api-secret", "anything")], False
        if choice == 4:
            return [("Authorization", "bearer " + secret)], False
        if choice == 5:
            return [("mj-api-secret", "Bearer " + secret)], False
        if choice == 6:
            return [("Authorization", secret)], False
        return [("mj-api-secret", secret)], False


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def exchange(port, method, path, headers, body, timeout=20.0, truncate=False):
    """One request on its own connection. Returns (status, headers, body bytes) or (None, reason, b"")."""
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: close"]
    declared = len(body) + (1000 if truncate else 0)
    if body or method in ("POST", "PUT", "PATCH"):
        lines.append(f"Content-Length: {declared}")
    for k, v in headers:
        lines.append(f"{k}: {v}")
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8", "surrogateescape")
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)

    def send():
        # In its own thread: a server may answer (404, 401, 413) before reading a large body, and
        # both sides blocking on full socket buffers would otherwise look like a hung server.
        try:
            sock.sendall(head + body)
            if truncate:
                sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    try:
        chunks = []
        while True:
            try:
                data = sock.recv(65536)
            except socket.timeout:
                return None, "timeout", b""
            except ConnectionResetError:
                break
            if not data:
                break
            chunks.append(data)
    finally:
        sock.close()
        sender.join(timeout=1)
    raw = b"".join(chunks)
    if not raw:
        return None, "closed without answer", b""
    head_end = raw.find(b"\r\n\r\n")
    if head_end < 0:
        return None, "incomplete answer", raw
    status_line, *header_lines = raw[:head_end].decode("latin-1").split("\r\n")
    parts = status_line.split(" ", 2)
    status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
    answer_headers = {}
    for line in header_lines:
        if ":" in line:
            k, v = line.split(":", 1)
            answer_headers[k.strip().lower()] = v.strip()
    payload = raw[head_end + 4:]
    if answer_headers.get("transfer-encoding", "").lower() == "chunked":
        out, rest = b"", payload
        while rest:
            size_end = rest.find(b"\r\n")
            if size_end < 0:
                break
            size = int(rest[:size_end].split(b";")[0] or b"0", 16)
            if size == 0:
                break
            out += rest[size_end + 2: size_end + 2 + size]
            rest = rest[size_end + 4 + size:]
        payload = out
    return status, answer_headers, payload


class Run:
    """One mjproxy process under fuzz."""

    def __init__(self, binary, secret, log_dir):
        self.secret = secret
        self.port = free_port()
        self.workdir = tempfile.mkdtemp(prefix="mjproxy-fuzz-")
        env = dict(os.environ)
        for k in list(env):
            if k.startswith("MJPROXY_"):
                del env[k]
        env.update({
            "MJPROXY_HTTP_HOST": "127.0.0.1", "MJPROXY_HTTP_PORT": str(self.port),
            "MJPROXY_STORE_PATH": os.path.join(self.workdir, "store.sqlite"),
            "MJPROXY_SANDBOX_PORT": str(free_port()), "MJPROXY_SANDBOX_GATEWAY_PORT": str(free_port()),
            "MJPROXY_SANDBOX_SPEED_FACTOR": "0.05", "MJPROXY_SANDBOX_TILE_SIZE": "32", "MJPROXY_LOG_LEVEL": "warning",
        })
        if secret:
            env["MJPROXY_API_SECRET"] = secret
        self.log_path = os.path.join(log_dir or self.workdir, f"mjproxy-{'secret' if secret else 'open'}.log")
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen([os.path.abspath(binary), "serve"], cwd=self.workdir, env=env, stdout=self.log, stderr=subprocess.STDOUT)

    def auth_headers(self):
        return [("mj-api-secret", self.secret)] if self.secret else []

    def wait_healthy(self, timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                status, _, _ = exchange(self.port, "GET", "/health", [], b"", timeout=2)
                if status == 200:
                    return True
            except OSError:
                pass
            time.sleep(0.1)
        return False

    def wait_ready(self, timeout=60):
        """Waits until /ready answers 200 (the sandbox accounts are connected)."""
        deadline = time.time() + timeout
        while time.time() < deadline and self.proc.poll() is None:
            status, _, _ = exchange(self.port, "GET", "/ready", [], b"", timeout=2)
            if status == 200:
                return True
            time.sleep(0.1)
        return False

    def task_count(self):
        status, _, body = exchange(self.port, "GET", "/mj/task/list?limit=1000", self.auth_headers(), b"")
        if status != 200:
            return None
        return len(json.loads(body))

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()

    def log_tail(self, n=40):
        try:
            with open(self.log_path, "rb") as f:
                return b"\n".join(f.read().splitlines()[-n:]).decode("utf-8", "replace")
        except OSError:
            return ""


def check_answer(route_known, method_ok, kind, needs_auth_refusal, status, headers, body, method, malformed):
    """The violations of one answer (empty when fine)."""
    problems = []
    if status is None:
        return [] if malformed else [f"no HTTP answer ({headers})"]
    if status >= 500 and not (kind == "ready" and status == 503):
        problems.append(f"HTTP {status}")
    if method == "HEAD" or (malformed and status == 400):
        # HEAD has no body; a request line that is not HTTP (raw non-ASCII) is refused by the HTTP layer itself.
        return problems
    try:
        value = json.loads(body)
    except ValueError:
        return problems + [f"HTTP {status} body is not JSON: {body[:120]!r}"]
    if isinstance(value, dict) and "code" in value:
        code = value["code"]
        if not isinstance(code, int) or isinstance(code, bool):
            problems.append(f"code is not an integer: {code!r}")
        elif code not in ERROR_CODES:
            problems.append(f"code {code} (a task or an internal error from junk)")
        if not isinstance(value.get("description"), str):
            problems.append("description missing")
        if status >= 400 and status != 413 and code not in (status, 4):
            problems.append(f"HTTP {status} with code {code}")
    elif status >= 400:
        problems.append(f"HTTP {status} without a code: {body[:120]!r}")
    if needs_auth_refusal and route_known and method_ok and status != 401:
        problems.append(f"no 401 without the secret (HTTP {status})")
    if not route_known and status not in (404,):
        problems.append(f"unknown route answered HTTP {status}")
    return problems


def normalise(path):
    p = path.split("?", 1)[0]
    segments = [s for s in p.split("/") if s]
    if segments and segments[0].startswith("mj-") and segments[0][3:].upper() in ("FAST", "RELAX", "TURBO"):
        segments = segments[1:]
    return segments


def classify(method, path):
    """(route known, method allowed, kind) as the API's router sees the path."""
    segments = normalise(path)
    kinds = []
    for m, template, kind in ROUTES:
        t = [s for s in template.split("/") if s]
        if len(t) == len(segments) and all(a.startswith("{") or a == b for a, b in zip(t, segments)):
            kinds.append((m, kind))
    if not kinds:
        return False, False, None
    for m, kind in kinds:
        if m == method:
            return True, True, kind
    return True, False, kinds[0][1]


# Valid submits with hostile prompts: the only requests allowed to create tasks (they reach the sandbox bot).
VALID_HOSTILE_PROMPTS = [
    "cat --ar 1:" + "9" * 400,
    "cat --ar " + "9" * 400 + ":1",
    "cat --ar 0:0",
    "cat --aspect 1:99999999999999999999",
    "cat --seed 99999999999999999999999 --chaos 1e400 --stylize -1e19",
    "cat --zoom 1e400 --iw NaN",
    "猫 🙂 \u0000 --no " + "x" * 3000,
    "<https://127.0.0.1:1/x.png> cat --v 1e19",
]


# Requests that trapped earlier versions (issue 7), always sent first.
KNOWN_CRASHERS = [
    ("/mj/task/list-by-condition", b'{"ids":[1e19]}'),
    ("/mj/task/list-by-condition", b'{"ids":[-1e19, 9223372036854775808, 1e400]}'),
    ("/mj/submit/action", b'{"taskId":1e19,"customId":"MJ::JOB::upsample::1::x"}'),
    ("/mj/submit/change", b'{"taskId":"1","action":"UPSCALE","index":1e19}'),
]


def fuzz_run(binary, secret, requests, seed, log_dir, verbose):
    rng = random.Random(f"{seed}:{secret is not None}")
    gen = Generator(rng)
    run = Run(binary, secret, log_dir)
    stats = Counter()
    failures = []
    sent = 0
    try:
        if not run.wait_healthy() or not run.wait_ready():
            failures.append("mjproxy did not start or get ready:\n" + run.log_tail())
            return sent, stats, failures
        before = run.task_count()
        accepted = 0
        for prompt in VALID_HOSTILE_PROMPTS:
            status, _, payload = exchange(run.port, "POST", "/mj/submit/imagine", run.auth_headers() + [("Content-Type", "application/json")],
                                          json.dumps({"prompt": prompt}).encode())
            sent += 1
            stats[status if status is not None else "none"] += 1
            try:
                code = json.loads(payload).get("code") if status == 200 else None
            except ValueError:
                code = None
            if code in (1, 22):
                accepted += 1
            elif code != 4:
                failures.append(f"valid imagine {prompt[:60]!r}: HTTP {status} {payload[:160]!r}")
        # Requests that once stopped the process: each must get a code-4 answer.
        for path, payload in KNOWN_CRASHERS:
            status, answer_headers, answer = exchange(run.port, "POST", path, run.auth_headers(), payload)
            sent += 1
            stats[status if status is not None else "none"] += 1
            problems = check_answer(True, True, "known", False, status, answer_headers, answer, "POST", False)
            if not problems and json.loads(answer).get("code") != 4:
                problems.append("not a code-4 answer")
            if problems:
                failures.append(f"known crasher {path} {payload[:80]!r}: " + "; ".join(problems))
        for n in range(requests):
            method, template, kind = rng.choice(ROUTES)
            if rng.random() < 0.15:
                method = rng.choice(METHODS)
            path = gen.path(template)
            submit = method in ("POST", "PUT", "PATCH") and "/submit/" in template or template.endswith("/swap")
            body = gen.body(kind, submit) if method in ("POST", "PUT", "PATCH") or rng.random() < 0.05 else b""
            auth, refused = gen.auth(secret)
            headers = list(auth)
            ctype = rng.choice([None, "application/json", "text/plain", "application/json; charset=utf-8", "multipart/form-data; boundary=x",
                                "application/x-www-form-urlencoded", "image/png", "\u00ff"])
            if ctype:
                headers.append(("Content-Type", ctype))
            truncate = rng.random() < 0.01
            known, method_ok, real_kind = classify(method, path)
            try:
                status, answer_headers, payload = exchange(run.port, method, path, headers, body, truncate=truncate)
            except OSError as e:
                status, answer_headers, payload = None, f"socket error {e}", b""
            sent += 1
            stats[status if status is not None else "none"] += 1
            if truncate and status is None:
                continue  # the client went away mid-body: no answer is expected
            malformed = any(ord(c) > 0x7E for c in path)
            problems = check_answer(known, method_ok, real_kind, refused and real_kind not in ("health", "ready"),
                                    status, answer_headers, payload, method, malformed)
            if problems:
                failures.append(f"#{n} {method} {path[:120]} body={body[:160]!r}: " + "; ".join(problems))
                if verbose:
                    print(failures[-1], file=sys.stderr)
            if run.proc.poll() is not None:
                failures.append(f"mjproxy exited (rc {run.proc.returncode}) after request #{n} {method} {path[:120]} body={body[:200]!r}\n" + run.log_tail())
                break
        if run.proc.poll() is None:
            status, _, _ = exchange(run.port, "GET", "/health", [], b"")
            if status != 200:
                failures.append(f"/health answered {status} at the end")
            after = run.task_count()
            if before is None or after is None or after != before + accepted:
                failures.append(f"junk became tasks: {before} tasks before, {accepted} valid submits, {after} after")
        elif not any("exited" in f for f in failures):
            failures.append(f"mjproxy exited (rc {run.proc.returncode}):\n" + run.log_tail())
    finally:
        run.stop()
    return sent, stats, failures


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--binary", default=".build/debug/mjproxy")
    p.add_argument("--requests", type=int, default=1500, help="requests per run (two runs: without and with a secret)")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--log-dir", default=None, help="where to keep the mjproxy logs")
    p.add_argument("--verbose", action="store_true")
    args = p.parse_args()
    if not os.path.exists(args.binary):
        print(f"http_fuzz: {args.binary} not found (run swift build first)", file=sys.stderr)
        return 2
    started = time.time()
    total_sent = 0
    all_failures = []
    for secret in (None, f"fuzz-secret-{args.seed}"):
        label = "with secret" if secret else "without secret"
        sent, stats, failures = fuzz_run(args.binary, secret, args.requests, args.seed, args.log_dir, args.verbose)
        total_sent += sent
        by_status = ", ".join(f"{k}: {v}" for k, v in sorted(stats.items(), key=lambda kv: str(kv[0])))
        print(f"http_fuzz seed {args.seed} {label}: {sent} requests sent; by status {{{by_status}}}; {len(failures)} failures")
        all_failures += [f"[{label}] {f}" for f in failures]
    for f in all_failures[:30]:
        print("FAIL " + f)
    if len(all_failures) > 30:
        print(f"… and {len(all_failures) - 30} more failures")
    print(f"http_fuzz: {total_sent} requests, {len(all_failures)} failures, {time.time() - started:.1f} s")
    return 1 if all_failures else 0


if __name__ == "__main__":
    sys.exit(main())
