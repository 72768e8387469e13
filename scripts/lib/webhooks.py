"""A webhook receiver for the script tests (crash, cluster): records every delivery it accepts."""
import http.server
import json
import threading


class WebhookReceiver:
    """Listens on a free loopback port. Answers 503 while `accepting` is false (counted in `refused`),
    else 200; `deliveries` holds (task id, event, delivery id, status in the body) under `lock`."""

    def __init__(self, accepting=True):
        self.accepting = accepting
        self.lock = threading.Lock()
        self.deliveries = []
        self.refused = 0
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver.lock:
                    if not receiver.accepting:
                        receiver.refused += 1
                        self.send_response(503)
                        self.end_headers()
                        return
                    try:
                        task = json.loads(body)
                    except ValueError:
                        task = {}
                    if not isinstance(task, dict):
                        task = {}
                    receiver.deliveries.append(
                        (task.get("id"), self.headers.get("X-Mjproxy-Event"), self.headers.get("X-Mjproxy-Delivery"), task.get("status")))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
