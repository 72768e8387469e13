"""Helpers shared by the process-level scripts (crash test, scale test, benchmarks): free ports, JSON over
HTTP, bounded waits, RSS. Python standard library only; loopback only."""
import json
import socket
import time
import urllib.error
import urllib.request


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def call(method, url, body=None, headers=None, timeout=30):
    """One JSON exchange: (status, parsed answer or None)."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        try:
            return e.code, json.loads(e.read() or b"null")
        except ValueError:
            return e.code, None


def wait_for(what, predicate, timeout, interval=0.2):
    """Polls `predicate` until it returns a truthy value; TimeoutError after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except (OSError, ValueError, urllib.error.URLError):
            pass
        time.sleep(interval)
    raise TimeoutError(f"timed out waiting for {what} ({timeout} s)")


def rss_text(pid):
    """'38 MB (anon 21, file 17)': the resident set and its parts (heap and stacks; pages of mapped files)."""
    fields = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "RssAnon", "RssFile"):
                fields[key] = int(value.split()[0]) / 1024
    return f"{fields.get('VmRSS', float('nan')):.0f} MB (anon {fields.get('RssAnon', float('nan')):.0f}, file {fields.get('RssFile', float('nan')):.0f})"


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")
