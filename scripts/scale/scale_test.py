#!/usr/bin/env python3
"""Scale test (issue 9): 50 and 1,000 sandbox accounts connect and serve.

1. `mjproxy` in sandbox mode with 50 simulated accounts: all connect (`/ready`), and 50 imagine tasks, one per
   account (accountFilter.instanceId), all end SUCCESS.
2. `mjproxy sandbox --channels 1000` as its own process and the proxy with 1,000 configured accounts: all connect,
   and imagines on 20 accounts spread over the range end SUCCESS.
Prints the figures (connect time, RSS of the proxy); exits non-zero on a violation. Bounded in time.
"""
import argparse
import concurrent.futures
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from procs import call, free_port, rss_mb, wait_for  # noqa: E402


GUILD = 1172000000000000001










def connected(api):
    status, body = call("GET", api + "/ready", timeout=10)
    return (body or {}).get("accounts", {}).get("connected", 0) if status == 200 else 0


def serve(api, account_ids, label):
    """One imagine per account (by instanceId); all must end SUCCESS."""
    slowest = [0.0]

    def submit(account):
        for _ in range(200):
            started = time.monotonic()
            try:
                _, answer = call("POST", api + "/mj/submit/imagine",
                                 {"prompt": f"scale {label} {account}", "accountFilter": {"instanceId": str(account)}}, timeout=60)
            except OSError as e:
                raise SystemExit(f"scale test: {label}: submit for account {account} got no answer in {time.monotonic() - started:.1f} s: {e!r}")
            slowest[0] = max(slowest[0], time.monotonic() - started)
            if answer and answer.get("code") in (1, 22):
                return answer["result"]
            time.sleep(0.1)
        raise SystemExit(f"scale test: account {account} refused every submit: {answer}")

    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        ids = list(pool.map(submit, account_ids))
    print(f"scale test: {label}: {len(ids)} submits, the slowest answered in {slowest[0]:.2f} s", flush=True)

    def done():
        _, tasks = call("POST", api + "/mj/task/list-by-condition", {"ids": ids}, timeout=60)
        finished = [t for t in tasks or [] if t["status"] in ("SUCCESS", "FAILURE", "CANCEL")]
        return tasks if len(finished) == len(ids) else None

    tasks = wait_for(f"{label}: every task to finish", done, 240)
    failed = [t for t in tasks if t["status"] != "SUCCESS"]
    wrong = [t for t in tasks if t["status"] == "SUCCESS" and t["properties"].get("discordInstanceId") not in {str(a) for a in account_ids}]
    return len(tasks), failed, wrong


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=".build/debug/mjproxy")
    ap.add_argument("--small", type=int, default=50)
    ap.add_argument("--large", type=int, default=1000)
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="mjproxy-scale-")
    procs = []
    problems = []
    try:
        # 1. In-process sandbox with `small` accounts.
        api_port = free_port()
        env = dict(os.environ, MJPROXY_HTTP_PORT=str(api_port), MJPROXY_SANDBOX_PORT=str(free_port()),
                   MJPROXY_SANDBOX_GATEWAY_PORT=str(free_port()), MJPROXY_SANDBOX_ACCOUNTS=str(args.small),
                   MJPROXY_SANDBOX_SPEED_FACTOR="0.02", MJPROXY_SANDBOX_TILE_SIZE="32",
                   MJPROXY_STORE_PATH=os.path.join(work, "small.sqlite"), MJPROXY_LOG_LEVEL="error")
        small = subprocess.Popen([args.binary, "serve"], env=env, stdout=open(os.path.join(work, "small.log"), "w"), stderr=subprocess.STDOUT)
        procs.append(small)
        api = f"http://127.0.0.1:{api_port}"
        started = time.monotonic()
        wait_for(f"{args.small} accounts connected", lambda: connected(api) >= args.small, 120)
        took = time.monotonic() - started
        accounts = [GUILD + n for n in range(1, args.small + 1)]
        count, failed, wrong = serve(api, accounts, "small")
        print(f"scale test: {args.small} sandbox accounts connected in {took:.1f} s; {count} tasks (one per account), "
              f"{len(failed)} not SUCCESS, {len(wrong)} on the wrong account; RSS {rss_mb(small.pid):.0f} MB")
        if failed or wrong:
            problems.append(f"{args.small} accounts: {len(failed)} failed, {len(wrong)} misplaced")
        small.terminate()
        small.wait(timeout=15)

        # 2. External sandbox with `large` channels, the proxy with `large` configured accounts.
        rest, gateway, api_port = free_port(), free_port(), free_port()
        sandbox = subprocess.Popen(
            [args.binary, "sandbox", "--port", str(rest), "--gateway-port", str(gateway), "--channels", str(args.large),
             "--speed-factor", "0.02", "--tile-size", "32"], stdout=open(os.path.join(work, "sandbox.log"), "w"), stderr=subprocess.STDOUT)
        procs.append(sandbox)
        wait_for("the sandbox", lambda: call("GET", f"http://127.0.0.1:{rest}/api/v9/gateway", timeout=2)[0] == 200, 60)
        config = os.path.join(work, "large.yaml")
        with open(config, "w") as f:
            f.write(f'http: {{host: 127.0.0.1, port: {api_port}}}\nstore: {{path: "{work}/large.sqlite"}}\n')
            f.write(f'discord: {{gatewayUrl: "ws://127.0.0.1:{gateway}", apiBase: "http://127.0.0.1:{rest}/api/v9"}}\n')
            f.write("sandbox: {enabled: false}\naccounts:\n")
            for n in range(1, args.large + 1):
                f.write(f'  - {{guildId: "{GUILD}", channelId: "{GUILD + n}", userToken: "sandbox-token-{n}"}}\n')
        large = subprocess.Popen([args.binary, "serve", "--config", config], env=dict(os.environ, MJPROXY_LOG_LEVEL="error"),
                                 stdout=open(os.path.join(work, "large.log"), "w"), stderr=subprocess.STDOUT)
        procs.append(large)
        api = f"http://127.0.0.1:{api_port}"
        started = time.monotonic()
        wait_for(f"{args.large} accounts connected", lambda: connected(api) >= args.large, 300, interval=1)
        took = time.monotonic() - started
        step = max(1, args.large // 20)
        accounts = [GUILD + n for n in range(1, args.large + 1, step)]
        count, failed, wrong = serve(api, accounts, "large")
        print(f"scale test: {args.large} accounts connected in {took:.1f} s; {count} tasks on accounts across the range, "
              f"{len(failed)} not SUCCESS, {len(wrong)} on the wrong account; proxy RSS {rss_mb(large.pid):.0f} MB")
        for t in failed[:5]:
            print(f"  not SUCCESS {t['id']} on {t['properties'].get('discordInstanceId')}: {t['status']} {t['failReason']}")
        if failed or wrong:
            problems.append(f"{args.large} accounts: {len(failed)} failed, {len(wrong)} misplaced")
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    p.kill()
        if problems:
            for name in sorted(os.listdir(work)):
                if name.endswith(".log"):
                    with open(os.path.join(work, name)) as f:
                        print(f"--- {name} (tail)\n" + "".join(f.readlines()[-20:]))
        shutil.rmtree(work, ignore_errors=True)
    if problems:
        print("scale test FAILED: " + "; ".join(problems))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
