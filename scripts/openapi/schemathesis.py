#!/usr/bin/env python3
"""Holds a running mjproxy to its own OpenAPI document with schemathesis (PyPI).

Starts `.build/debug/mjproxy` in sandbox mode (free ports, a temporary store and image folder, an API
secret and an admin secret), waits until it is ready and has one finished task, then runs
`schemathesis run` against /openapi.json with the document's examples, coverage cases, generated
cases and stateful sequences along the document's links (bounded by --max-examples per operation, a
fixed --seed, a request timeout and a hard limit per run), and once more for the task routes under the
`/mj-relax` server (mode prefix), checking:

  * not_a_server_error          no 5xx, ever;
  * status_code_conformance     every status is one the document lists for the operation;
  * content_type_conformance    every Content-Type is the documented one;
  * response_schema_conformance every JSON answer validates against its schema;
  * ignored_auth                secured operations refuse requests without (or with wrong) secrets;
  * unsupported_method          undocumented methods on documented paths answer 405.

Everything runs inside a private network namespace (`unshare -n`, loopback only): generated webhook
URLs, describe links and account proxies can name any host, and none of those requests may leave the
machine. Exits non-zero when schemathesis reports any failure or error.
"""

import argparse
import fcntl
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from procs import call, free_port, wait_for  # noqa: E402

API_SECRET = "schemathesis-api-secret"
ADMIN_SECRET = "schemathesis-admin-secret"
CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "ignored_auth",
    "unsupported_method",
]


def loopback_up():
    """Brings `lo` up in a new network namespace (SIOCGIFFLAGS / SIOCSIFFLAGS; no `ip` needed)."""
    siocgifflags, siocsifflags, iff_up = 0x8913, 0x8914, 0x1
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        ifreq = struct.pack("16sh", b"lo", 0)
        flags = struct.unpack("16sh", fcntl.ioctl(s, siocgifflags, ifreq))[1]
        fcntl.ioctl(s, siocsifflags, struct.pack("16sh", b"lo", flags | iff_up))
    finally:
        s.close()


def isolate(argv):
    """Re-runs this script inside a new network namespace; returns only when already inside one."""
    if os.environ.get("MJPROXY_SCHEMATHESIS_NETNS") == "1":
        loopback_up()
        return
    unshare = shutil.which("unshare")
    if unshare is None:
        sys.exit("schemathesis run refused: `unshare` (util-linux) is needed to keep generated URLs off the network")
    env = dict(os.environ, MJPROXY_SCHEMATHESIS_NETNS="1")
    # Root may create the namespace directly; others map themselves to root in a user namespace.
    prefix = [unshare, "-n"] if os.geteuid() == 0 else [unshare, "-r", "-n"]
    os.execve(unshare, prefix + [sys.executable, os.path.abspath(__file__)] + argv, env)


def start_proxy(binary, workdir, log_path):
    """Starts mjproxy in sandbox mode; returns (process, base URL)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MJPROXY_")}
    env.update({
        "MJPROXY_HTTP_HOST": "127.0.0.1", "MJPROXY_HTTP_PORT": str(port),
        "MJPROXY_STORE_PATH": os.path.join(workdir, "store.sqlite"),
        "MJPROXY_SANDBOX_PORT": str(free_port()), "MJPROXY_SANDBOX_GATEWAY_PORT": str(free_port()),
        "MJPROXY_SANDBOX_SPEED_FACTOR": "0.02", "MJPROXY_SANDBOX_TILE_SIZE": "32", "MJPROXY_SANDBOX_ACCOUNTS": "3",
        "MJPROXY_IMAGES_MIRROR": "disk", "MJPROXY_IMAGES_DIR": os.path.join(workdir, "images"),
        "MJPROXY_API_SECRET": API_SECRET, "MJPROXY_ADMIN_SECRET": ADMIN_SECRET, "MJPROXY_LOG_LEVEL": "warning",
    })
    log = open(log_path, "wb")
    proc = subprocess.Popen([os.path.abspath(binary), "serve"], cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT)
    return proc, f"http://127.0.0.1:{port}"


def schemathesis(schema, url, options, args):
    """One `schemathesis run` with the checks, the seed and the secrets; its exit code."""
    command = [
        sys.executable, "-m", "schemathesis.cli", "run", schema, "--url", url,
        "--checks", ",".join(CHECKS), "--seed", str(args.seed),
        "--workers", "1", "--request-timeout", "45", "--no-color",
        "-H", f"mj-api-secret: {API_SECRET}", "-H", f"mj-admin-secret: {ADMIN_SECRET}",
        "--suppress-health-check", "too_slow,filter_too_much",
        "--report", "junit", "--report-dir", args.report_dir,
        "--generation-database", "none",
    ] + options
    print("$ " + " ".join(c if "secret:" not in c else c.split(":")[0] + ": ***" for c in command), flush=True)
    try:
        # Run from the report folder: schemathesis keeps its cache (`.schemathesis/`) in the working directory.
        return subprocess.run(command, timeout=args.timeout, cwd=args.report_dir).returncode
    except subprocess.TimeoutExpired:
        print(f"schemathesis did not finish within {args.timeout} s", file=sys.stderr)
        return 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", default=".build/debug/mjproxy")
    parser.add_argument("--seed", type=int, default=int(os.environ.get("MJPROXY_SCHEMATHESIS_SEED", "11")))
    parser.add_argument("--max-examples", type=int, default=int(os.environ.get("MJPROXY_SCHEMATHESIS_EXAMPLES", "25")))
    parser.add_argument("--timeout", type=float, default=420, help="hard limit for the whole schemathesis run (s)")
    parser.add_argument("--report-dir", default=".build/schemathesis")
    args, extra = parser.parse_known_args()
    isolate(sys.argv[1:])

    args.report_dir = os.path.abspath(args.report_dir)
    os.makedirs(args.report_dir, exist_ok=True)
    workdir = tempfile.mkdtemp(prefix="mjproxy-schemathesis-")
    log_path = os.path.join(args.report_dir, "mjproxy.log")
    proc, base = start_proxy(args.binary, workdir, log_path)
    try:
        wait_for("mjproxy to be ready", lambda: call("GET", base + "/ready")[0] == 200, timeout=90)
        # A finished task, so lists, fetches and the image links carry real tasks from the start.
        auth = {"mj-api-secret": API_SECRET}
        status, answer = call("POST", base + "/mj/submit/imagine", {"prompt": "a lighthouse at dusk"}, headers=auth)
        task_id = answer.get("result") if status == 200 and isinstance(answer, dict) else None
        if task_id:
            def finished():
                answer = call("GET", f"{base}/mj/task/{task_id}/fetch", headers=auth)[1]
                return isinstance(answer, dict) and answer.get("status") in ("SUCCESS", "FAILURE")
            wait_for("the seed task to finish", finished, timeout=60)
        # Every operation at the root with every phase; then the task routes once more under a mode
        # prefix (one of the document's servers), with the examples and a few generated cases.
        runs = [
            (base, ["--phases", "examples,coverage,fuzzing,stateful", "--max-examples", str(args.max_examples)]),
            (base + "/mj-relax", ["--phases", "examples,fuzzing", "--max-examples", "5", "--include-path-regex", "^/mj/(submit|task)/"]),
        ]
        rc = 0
        for url, phases in runs:
            code = schemathesis(base + "/openapi.json", url, phases + extra, args)
            rc = rc or code
        if proc.poll() is not None:
            print(f"mjproxy exited during the run (code {proc.returncode}); see {log_path}", file=sys.stderr)
            rc = rc or 1
        return rc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
