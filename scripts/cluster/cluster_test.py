#!/usr/bin/env python3
"""Cluster test with real processes (issue 10): several mjproxy instances on one PostgreSQL database.

One external `mjproxy sandbox` with 6 accounts, 3 `mjproxy serve` processes with the same `store.url` (a fresh
schema on MJPROXY_TEST_POSTGRES_URL, else the cluster of scripts/postgres/cluster.sh) and a webhook receiver:
  - the account leases spread evenly (2 per instance, visible in /ready and in the account JSON);
  - tasks are submitted round-robin to the 3 instances and read from another instance than the submit;
    live events (SSE) of some tasks are followed on a third instance;
  - one instance is killed with SIGKILL while jobs run: its accounts are held again by the others within
    the lease time, and every task still ends SUCCESS with its own image;
  - Discord ran exactly one job per task (final messages counted over the REST API), and a SUCCESS webhook
    arrived for every task.
Prints the figures; exits non-zero on any violation. Python standard library only; bounded in time.
"""
import argparse
import concurrent.futures
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from procs import call, free_port, wait_for  # noqa: E402
from webhooks import WebhookReceiver  # noqa: E402

MJ_BOT = "936929561302675456"
GUILD = 1172000000000000001
FINISHED = ("SUCCESS", "FAILURE", "CANCEL")


def postgres_url():
    url = os.environ.get("MJPROXY_TEST_POSTGRES_URL")
    if not url:
        script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "postgres", "cluster.sh")
        url = subprocess.run([script, "start"], check=True, capture_output=True, text=True).stdout.strip()
    return url


def follow_events(api, task_id, timeout):
    """Reads a task's event stream until the server closes it; returns the event names."""
    events = []
    with urllib.request.urlopen(f"{api}/mj/task/{task_id}/events", timeout=timeout) as r:
        for raw in r:
            line = raw.decode().rstrip("\n")
            if line.startswith("event:"):
                events.append(line.split(":", 1)[1].strip())
    return events


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=".build/debug/mjproxy")
    ap.add_argument("--tasks", type=int, default=300)
    ap.add_argument("--accounts", type=int, default=6)
    ap.add_argument("--instances", type=int, default=3)
    ap.add_argument("--speed-factor", default="0.1")
    ap.add_argument("--rehold-limit", type=float, default=15.0, help="seconds within which a killed instance's accounts are held again")
    ap.add_argument("--timeout", type=float, default=600.0)
    args = ap.parse_args()

    work = tempfile.mkdtemp(prefix="mjproxy-cluster-")
    procs = []
    receiver = WebhookReceiver()
    problems = []
    try:
        schema = "cluster_" + uuid.uuid4().hex[:12]
        base_url = postgres_url()
        store_url = base_url + ("&" if "?" in base_url else "?") + f"schema={schema}"
        rest_port, gw_port = free_port(), free_port()
        sandbox = subprocess.Popen(
            [args.binary, "sandbox", "--port", str(rest_port), "--gateway-port", str(gw_port), "--channels", str(max(10, args.accounts)),
             "--speed-factor", args.speed_factor, "--tile-size", "64"],
            stdout=open(os.path.join(work, "sandbox.log"), "w"), stderr=subprocess.STDOUT)
        procs.append(sandbox)
        base = f"http://127.0.0.1:{rest_port}"
        wait_for("the sandbox", lambda: call("GET", base + "/api/v9/gateway")[0] == 200, 30)

        channels = [str(GUILD + n) for n in range(1, args.accounts + 1)]
        config = os.path.join(work, "mjproxy.yaml")
        with open(config, "w") as f:
            f.write(f'store: {{url: "{store_url}"}}\n')
            f.write(f'webhook: {{url: "http://127.0.0.1:{receiver.port}/hook"}}\n')
            f.write(f'discord: {{gatewayUrl: "ws://127.0.0.1:{gw_port}", apiBase: "{base}/api/v9"}}\n')
            f.write("sandbox: {enabled: false}\naccounts:\n")
            for n, ch in enumerate(channels, start=1):
                f.write(f'  - {{guildId: "{GUILD}", channelId: "{ch}", userToken: "sandbox-token-{n}", coreSize: 3, queueSize: 100, timeoutMinutes: 5}}\n')

        apis = []
        instances = []
        for i in range(args.instances):
            port = free_port()
            env = dict(os.environ, MJPROXY_HTTP_HOST="127.0.0.1", MJPROXY_HTTP_PORT=str(port), MJPROXY_INSTANCE_ID=f"node-{i}",
                       MJPROXY_OUTBOUND_ALLOW_PRIVATE_NETWORKS="true", MJPROXY_STORE_PATH=os.path.join(work, f"unused-{i}.sqlite"))
            p = subprocess.Popen([args.binary, "serve", "--config", config], env=env,
                                 stdout=open(os.path.join(work, f"proxy-{i}.log"), "w"), stderr=subprocess.STDOUT)
            procs.append(p)
            instances.append(p)
            apis.append(f"http://127.0.0.1:{port}")

        def held(api):
            status, body = call("GET", api + "/ready", timeout=10)
            return (body or {}).get("heldAccounts", []) if status == 200 else None

        share = -(-args.accounts // args.instances)

        def spread():
            h = [held(api) for api in apis]
            if any(x is None for x in h):
                return None
            flat = [a for x in h for a in x]
            return h if sorted(flat) == sorted(channels) and all(len(x) <= share for x in h) else None

        holdings = wait_for("every instance ready and the accounts spread evenly", spread, 120, interval=0.5)
        print(f"cluster test: leases {dict(zip([f'node-{i}' for i in range(args.instances)], holdings))}")
        # The account JSON of every instance names each account's holder (as of its last lease round).
        expected = {a: f"node-{i}" for i, h in enumerate(holdings) for a in h}

        def listed_holders(api):
            _, listed = call("GET", api + "/mj/account/list")
            return {a["id"]: (a.get("properties") or {}).get("instance") for a in listed or []}

        for api in apis:
            try:
                wait_for("the account JSON to name the holders", lambda: listed_holders(api) == expected, 15)
            except TimeoutError:
                problems.append(f"account JSON holders {listed_holders(api)} != leases {expected}")

        # Submit round-robin.
        prompts = {}
        submitted_to = {}

        def submit(i):
            prompt = f"cluster harbour number {i} at dawn"
            api_index = i % args.instances
            for _ in range(100):
                status, answer = call("POST", apis[api_index] + "/mj/submit/imagine", {"prompt": prompt})
                if status == 200 and answer and answer.get("code") in (1, 22):
                    return answer["result"], prompt, api_index
                time.sleep(0.2)
            raise SystemExit(f"cluster test: submit {i} refused: {status} {answer}")

        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            for task_id, prompt, api_index in pool.map(submit, range(args.tasks)):
                prompts[task_id] = prompt
                submitted_to[task_id] = api_index
        ids = list(prompts)
        if len(set(ids)) != args.tasks:
            problems.append(f"task ids not unique: {args.tasks} submits, {len(set(ids))} ids")

        victim = 1 % args.instances
        survivors = [i for i in range(args.instances) if i != victim]

        # Live events of a few tasks submitted to one survivor, followed on the other (never the victim).
        followed = [t for t in ids if submitted_to[t] == survivors[0]][:6]
        sse_pool = concurrent.futures.ThreadPoolExecutor(len(followed) or 1)
        sse = {t: sse_pool.submit(follow_events, apis[survivors[-1]], t, args.timeout) for t in followed}

        def statuses(api):
            _, tasks = call("POST", api + "/mj/task/list-by-condition", {"ids": ids}, timeout=60)
            return {t["id"]: t for t in tasks or []}

        def mid_run():
            s = [t["status"] for t in statuses(apis[survivors[0]]).values()]
            return s.count("SUCCESS") >= 6 and s.count("IN_PROGRESS") >= 3 and s.count("NOT_START") >= 6

        wait_for("jobs finished, running and waiting at once", mid_run, 180, interval=0.1)
        orphaned = set(held(apis[victim]) or [])
        instances[victim].send_signal(signal.SIGKILL)
        instances[victim].wait(timeout=10)
        killed_at = time.monotonic()
        counts = {}
        for t in statuses(apis[survivors[0]]).values():
            counts[t["status"]] = counts.get(t["status"], 0) + 1
        print(f"cluster test: SIGKILL of node-{victim} (holding {sorted(orphaned)}) with tasks {counts}")

        def reheld():
            h = [held(apis[i]) or [] for i in survivors]
            return h if orphaned <= {a for x in h for a in x} else None

        wait_for("the killed instance's accounts to be held again", reheld, 60, interval=0.2)
        took = time.monotonic() - killed_at
        print(f"cluster test: its accounts held again after {took:.1f} s")
        if took > args.rehold_limit:
            problems.append(f"accounts held again after {took:.1f} s (limit {args.rehold_limit:.0f} s)")

        # Every task read from another instance than the one it was submitted to (a survivor).
        def reader(task_id):
            others = [i for i in survivors if i != submitted_to[task_id]]
            return others[hash(task_id) % len(others)]

        def all_finished():
            views = {i: statuses(apis[i]) for i in survivors}
            final = {t: views[reader(t)].get(t) for t in ids}
            return final if all(v and v["status"] in FINISHED for v in final.values()) else None

        final = wait_for("every task to finish", all_finished, args.timeout, interval=1)
        # The survivors answer the same for every task.
        views = [statuses(apis[i]) for i in survivors]
        differing = [t for t in ids if len({json.dumps(v.get(t), sort_keys=True) for v in views}) != 1]

        # Discord's view: exactly one final message per task, the one the task shows.
        finals = {}
        for n, ch in enumerate(channels, start=1):
            before_id = None
            for _ in range(50):
                url = f"{base}/api/v9/channels/{ch}/messages?limit=100" + (f"&before={before_id}" if before_id else "")
                status, page = call("GET", url, headers={"Authorization": f"sandbox-token-{n}"})
                if status != 200 or not page:
                    break
                for m in page:
                    if m.get("author", {}).get("id") != MJ_BOT or not m.get("attachments"):
                        continue
                    match = re.match(r"^\*\*(.*)\*\* - <@\d+> \((fast|relax|turbo)\)", m.get("content", ""))
                    if match:
                        finals.setdefault(match.group(1), []).append(m["attachments"][0]["url"].split("?")[0])
                before_id = page[-1]["id"]
                if len(page) < 100:
                    break

        lost = [t for t in ids if final[t]["status"] != "SUCCESS"]
        duplicated = []
        misassigned = []
        for t in ids:
            urls = [u for p, us in finals.items() if p.startswith(prompts[t]) for u in us]
            if len(urls) > 1:
                duplicated.append(t)
            shown = ((final[t].get("properties") or {}).get("discordImageUrl") or final[t].get("imageUrl") or "").split("?")[0]
            if final[t]["status"] == "SUCCESS" and (len(urls) != 1 or shown != urls[0]):
                misassigned.append(t)
        succeeded = {t for t in ids if final[t]["status"] == "SUCCESS"}

        def hooks():
            with receiver.lock:
                got = {d[0] for d in receiver.deliveries if d[1] == "task.success"}
            return got if succeeded <= got else None

        try:
            wait_for("a SUCCESS webhook for every task", hooks, 120, interval=0.5)
        except TimeoutError:
            pass
        with receiver.lock:
            success_hooks = [d for d in receiver.deliveries if d[1] == "task.success"]
        missing_hooks = succeeded - {d[0] for d in success_hooks}
        repeated_hooks = len(success_hooks) - len({d[0] for d in success_hooks})

        sse_bad = []
        for t, fut in sse.items():
            try:
                events = fut.result(timeout=60)
            except Exception as e:  # noqa: BLE001 - reported as a failure
                events = [f"error: {e}"]
            if not events or events[-1] != "task.success":
                sse_bad.append((t, events))
        sse_pool.shutdown(wait=False)

        print(f"cluster test: tasks {len(ids)}, lost {len(lost)}, jobs duplicated {len(duplicated)}, mis-assignments {len(misassigned)}, "
              f"answers differing between instances {len(differing)}, SUCCESS webhooks missing {len(missing_hooks)} "
              f"(repeated {repeated_hooks}), event streams followed {len(sse)} (not ending in task.success: {len(sse_bad)})")
        for t in lost[:5]:
            print(f"  lost {t}: {final[t]['status']} {final[t].get('failReason')}")
        for t in misassigned[:5]:
            print(f"  mis-assigned {t}: {prompts[t]} -> {final[t].get('imageUrl')}")
        for t, events in sse_bad[:3]:
            print(f"  events of {t}: {events}")
        if lost:
            problems.append(f"{len(lost)} tasks not SUCCESS")
        if duplicated:
            problems.append(f"{len(duplicated)} tasks ran more than once")
        if misassigned:
            problems.append(f"{len(misassigned)} tasks show another task's image")
        if differing:
            problems.append(f"{len(differing)} tasks answered differently by the instances")
        if missing_hooks:
            problems.append(f"{len(missing_hooks)} SUCCESS webhooks missing")
        if sse_bad:
            problems.append(f"{len(sse_bad)} event streams did not end with task.success")
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    p.kill()
        receiver.server.shutdown()
        if problems:
            for name in sorted(os.listdir(work)):
                if name.endswith(".log"):
                    with open(os.path.join(work, name)) as f:
                        print(f"--- {name} (tail)\n" + "".join(f.readlines()[-30:]))
        shutil.rmtree(work, ignore_errors=True)
    if problems:
        print("cluster test FAILED: " + "; ".join(problems))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
