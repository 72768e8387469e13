#!/usr/bin/env python3
"""Crash test with real processes (issue 7): nothing is lost or sent twice across a kill -9.

`mjproxy sandbox` runs as its own process; the proxy runs with 3 accounts against it, a webhook
receiver answers 503 until after the crash. 30 imagine tasks are submitted, the proxy is killed
with SIGKILL while jobs run, restarted 15 s later, and then:
  - every task ends SUCCESS with its own image (the final message in Discord for its prompt);
  - Discord ran exactly one job per task (final messages in the channels, counted over REST);
  - a SUCCESS webhook delivery arrived for every task.
Prints the figures; exits non-zero on any violation. Python standard library only; bounded in time.
"""
import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from procs import call as request, free_port, wait_for as wait_until  # noqa: E402
from webhooks import WebhookReceiver  # noqa: E402


MJ_BOT = "936929561302675456"
GUILD = "1172000000000000001"
CHANNELS = ["1172000000000000002", "1172000000000000003", "1172000000000000004"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=".build/debug/mjproxy")
    ap.add_argument("--tasks", type=int, default=30)
    ap.add_argument("--speed-factor", default="0.2")
    ap.add_argument("--down", type=float, default=15.0, help="seconds between the kill and the restart")
    ap.add_argument("--timeout", type=float, default=240.0)
    args = ap.parse_args()

    work = tempfile.mkdtemp(prefix="mjproxy-crash-")
    procs = []
    receiver = WebhookReceiver(accepting=False)

    def stop_all():
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait(timeout=10)

    try:
        rest_port, gw_port, api_port = free_port(), free_port(), free_port()
        sandbox_log = open(os.path.join(work, "sandbox.log"), "w")
        sandbox = subprocess.Popen(
            [args.binary, "sandbox", "--port", str(rest_port), "--gateway-port", str(gw_port),
             "--speed-factor", args.speed_factor, "--tile-size", "64"],
            stdout=sandbox_log, stderr=subprocess.STDOUT)
        procs.append(sandbox)
        base = f"http://127.0.0.1:{rest_port}"
        wait_until("the sandbox", lambda: request("GET", base + "/api/v9/gateway")[0] == 200, 30)

        config = os.path.join(work, "mjproxy.yaml")
        accounts = "\n".join(
            f'  - {{guildId: "{GUILD}", channelId: "{ch}", userToken: "sandbox-token-{i + 1}", coreSize: 3, queueSize: 10, timeoutMinutes: 3}}'
            for i, ch in enumerate(CHANNELS))
        with open(config, "w") as f:
            f.write(f"""http: {{host: 127.0.0.1, port: {api_port}}}
store: {{path: "{work}/store.sqlite"}}
webhook: {{url: "http://127.0.0.1:{receiver.port}/hook"}}
discord:
  gatewayUrl: "ws://127.0.0.1:{gw_port}"
  apiBase: "{base}/api/v9"
sandbox: {{enabled: false}}
accounts:
{accounts}
""")
        env = dict(os.environ, MJPROXY_OUTBOUND_ALLOW_PRIVATE_NETWORKS="true")
        api = f"http://127.0.0.1:{api_port}"

        def start_proxy(n):
            log = open(os.path.join(work, f"proxy-{n}.log"), "w")
            p = subprocess.Popen([args.binary, "serve", "--config", config], stdout=log, stderr=subprocess.STDOUT, env=env)
            procs.append(p)
            wait_until("the proxy to be ready", lambda: request("GET", api + "/ready")[0] == 200, 60)
            return p

        proxy = start_proxy(1)
        prompts = {}
        for i in range(args.tasks):
            prompt = f"crash test lighthouse number {i} at dusk"
            status, answer = request("POST", api + "/mj/submit/imagine", {"prompt": prompt})
            if status != 200 or answer.get("code") not in (1, 22):
                raise SystemExit(f"crash test: submit {i} refused: {status} {answer}")
            prompts[answer["result"]] = prompt
        ids = list(prompts)

        def statuses():
            _, tasks = request("POST", api + "/mj/task/list-by-condition", {"ids": ids})
            return {t["id"]: t for t in tasks}

        # Kill while jobs run: some finished, some running, some still queued.
        def mid_run():
            s = [t["status"] for t in statuses().values()]
            return s.count("SUCCESS") >= 3 and s.count("IN_PROGRESS") >= 3 and s.count("NOT_START") >= 3

        wait_until("jobs to be finished, running and waiting at once", mid_run, 90, interval=0.05)
        before = statuses()
        proxy.send_signal(signal.SIGKILL)
        proxy.wait(timeout=10)
        counts = {}
        for t in before.values():
            counts[t["status"]] = counts.get(t["status"], 0) + 1
        print(f"crash test: SIGKILL with tasks {counts}")
        time.sleep(args.down)
        receiver.accepting = True
        start_proxy(2)

        def all_finished():
            s = statuses()
            return s if len(s) == len(ids) and all(t["status"] in ("SUCCESS", "FAILURE", "CANCEL") for t in s.values()) else None

        final = wait_until("every task to finish after the restart", all_finished, args.timeout, interval=0.5)

        # Final messages per prompt in the channels (Discord's view: one job per task).
        finals = {}
        for i, ch in enumerate(CHANNELS):
            headers = {"Authorization": f"sandbox-token-{i + 1}"}
            before_id = None
            for _ in range(20):
                url = f"{base}/api/v9/channels/{ch}/messages?limit=100" + (f"&before={before_id}" if before_id else "")
                status, page = request("GET", url, headers=headers)
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

        def strip(url):
            return (url or "").split("?")[0]

        lost = [i for i in ids if final[i]["status"] != "SUCCESS"]
        misassigned = []
        duplicated = []
        for i in ids:
            prompt = prompts[i]
            urls = [u for p, us in finals.items() if p.startswith(prompt) for u in us]
            if len(urls) > 1:
                duplicated.append(i)
            if final[i]["status"] == "SUCCESS" and (len(urls) != 1 or strip((final[i].get("properties") or {}).get("discordImageUrl") or final[i].get("imageUrl")) != urls[0]):
                misassigned.append(i)
        time.sleep(0)
        delivered = wait_until(
            "a SUCCESS webhook for every task",
            lambda: (lambda got: got if got >= {i for i in ids if final[i]["status"] == "SUCCESS"} else None)(
                {d[0] for d in receiver.deliveries if d[1] == "task.success"}),
            60, interval=0.5) if not lost else {d[0] for d in receiver.deliveries if d[1] == "task.success"}
        missing_hooks = [i for i in ids if i not in delivered]
        print(f"crash test: tasks {len(ids)}, lost {len(lost)}, jobs duplicated {len(duplicated)}, "
              f"mis-assignments {len(misassigned)}, SUCCESS webhooks missing {len(missing_hooks)} "
              f"(503 answers before the restart: {receiver.refused}, deliveries after: {len(receiver.deliveries)})")
        for i in lost[:5]:
            print(f"  lost {i}: {final[i]['status']} {final[i].get('failReason')}")
        for i in misassigned[:5]:
            print(f"  mis-assigned {i}: {prompts[i]} → {final[i].get('imageUrl')}")
        if lost or duplicated or misassigned or missing_hooks:
            for name in sorted(os.listdir(work)):
                if name.endswith(".log"):
                    print(f"--- {name} (tail)")
                    with open(os.path.join(work, name)) as f:
                        print("".join(f.readlines()[-30:]))
            return 1
        return 0
    finally:
        stop_all()
        receiver.server.shutdown()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
