"""A real HTTP server on 127.0.0.1 that speaks OpenAI chat-completions and Gemini generateContent.

The real SDKs talk to it over the wire. Replies come from a pluggable rule `answer(messages) -> str | Answer`.
Faults (429/500/503 with retry-after, malformed bodies, hangs) are drawn from a hash of the request body and
how many times that exact body has arrived before, so a run is reproducible and a retry of a failed request
can succeed. Every request is logged, so tests can assert which items were called and how often.

Run standalone (for perf scripts, in a separate process so the server has its own core):
    python -m harness.local_api.server --latency-ms 100      # prints the base URL, serves until stdin closes
(`python -m tests.servers.fake_llm` is the same server under its old name.)
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

from harness.hashing import seed_from, stable_hash
from harness.local_api.rules import RULES, Answer, AnswerRule, echo_rule

Outcome = Literal["ok", "error", "malformed", "hang", "unauthorized"]


@dataclass
class Faults:
    """Fractions of attempts that go wrong; they add up to at most 1."""

    latency_ms: float = 0.0
    error_rate: float = 0.0  # answered 429, 500 or 503
    malformed_rate: float = 0.0  # 200 with a body that is not the protocol's shape
    hang_rate: float = 0.0  # no reply for hang_s
    hang_s: float = 5.0
    retry_after_s: float | None = 0.0  # sent with 429 and 503; None sends no header
    fail_first: int = 0  # every request's first attempts answered with fail_status, before the rates apply
    fail_status: int = 429

    def draw(self, body_key: str, attempt: int) -> tuple[Outcome, int]:
        """The outcome of this attempt and, for errors, its status."""
        if attempt < self.fail_first:
            return "error", self.fail_status
        u = seed_from(body_key, attempt) / 2**31
        if u < self.error_rate:
            return "error", (429, 500, 503)[seed_from(body_key, attempt, "status") % 3]
        u -= self.error_rate
        if u < self.malformed_rate:
            return "malformed", 200
        u -= self.malformed_rate
        return ("hang", 0) if u < self.hang_rate else ("ok", 200)


@dataclass(frozen=True)
class Received:
    protocol: Literal["openai", "gemini"]
    body_key: str  # hash of the request body: the same item retried has the same key
    attempt: int  # 0 for the first time this body arrived
    outcome: Outcome
    status: int
    at: float  # time.monotonic() on arrival
    messages: tuple[tuple[str, str], ...]


def count_tokens(text: str) -> int:
    return max(1, len(text.split()))


class FakeLLMServer:
    def __init__(
        self, answer: AnswerRule = echo_rule, faults: Faults | None = None, api_key: str | None = None, port: int = 0
    ):
        self.answer = answer
        self.port = port
        self.faults = faults or Faults()
        self.api_key = api_key  # when set, a wrong key gets 401 with the key echoed, as some servers do
        self.received: list[Received] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.open_connections = 0
        self._attempts: dict[str, int] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None

    # --- lifecycle ---
    def start(self) -> FakeLLMServer:
        self._httpd = _Server(("127.0.0.1", self.port), _handler_for(self))
        threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # releases hung handlers
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()

    def __enter__(self) -> FakeLLMServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._httpd is not None, "start() the server first"
        host, port = self._httpd.server_address[:2]
        assert isinstance(host, str)  # an AF_INET server: a host name, never bytes
        return f"http://{host}:{port}"

    @property
    def openai_base_url(self) -> str:
        return self.url + "/v1"

    def reset(self) -> None:
        """Forgets the request log but not attempt counts, so faults stay reproducible across runs."""
        with self._lock:
            self.received.clear()
            self.max_in_flight = 0

    def keys_called(self) -> set[str]:
        with self._lock:
            return {r.body_key for r in self.received}

    def texts_called(self) -> list[str]:
        """The last user message of every request received, in arrival order (retries repeat)."""
        with self._lock:
            return [next(c for r, c in reversed(e.messages) if r == "user") for e in self.received]

    # --- request handling (runs on the server's threads) ---
    def _arrive(self, protocol: str, body: dict[str, Any], headers: Any) -> Received:
        """Draws the outcome and logs the request on arrival, so hung requests are counted too."""
        body_key = stable_hash(body)
        messages = _openai_messages(body) if protocol == "openai" else _gemini_messages(body)
        with self._lock:
            attempt = self._attempts.get(body_key, 0)
            self._attempts[body_key] = attempt + 1
            outcome, status = self.faults.draw(body_key, attempt)
            if self.api_key is not None and _sent_key(protocol, headers) != self.api_key:
                outcome, status = "unauthorized", 401
            said = tuple((m["role"], m["content"]) for m in messages)
            entry = Received(protocol, body_key, attempt, outcome, status, time.monotonic(), said)  # type: ignore
            self.received.append(entry)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        return entry

    def handle(
        self, protocol: str, path_model: str | None, headers: Any, body: dict[str, Any]
    ) -> tuple[int, dict[str, str], bytes]:
        """Status (0: close without a reply), extra headers and body for one request."""
        entry = self._arrive(protocol, body, headers)
        try:
            if self.faults.latency_ms:
                time.sleep(self.faults.latency_ms / 1000)
            return self._respond(protocol, path_model, headers, body, entry)
        finally:
            with self._lock:
                self.in_flight -= 1

    def _respond(
        self, protocol: str, path_model: str | None, headers: Any, body: dict[str, Any], entry: Received
    ) -> tuple[int, dict[str, str], bytes]:
        status, extra_headers = entry.status, {}
        if entry.outcome == "hang":
            self._stopping.wait(self.faults.hang_s)  # then the handler closes the connection without a reply
            return 0, {}, b""
        if entry.outcome == "unauthorized":
            return status, {}, _error_body(protocol, 401, f"Incorrect API key provided: {_sent_key(protocol, headers)}")
        if entry.outcome == "error":
            if status in (429, 503) and self.faults.retry_after_s is not None:
                extra_headers["retry-after"] = f"{self.faults.retry_after_s:g}"
            return status, extra_headers, _error_body(protocol, status, f"fake {status}")
        if entry.outcome == "malformed":
            truncated = seed_from(entry.body_key, entry.attempt, "shape") % 2 == 0
            return 200, {}, b'{"id": "cut-off", "choices": [{"mess' if truncated else b'{"unexpected": "shape"}'
        messages = [{"role": r, "content": c} for r, c in entry.messages]
        reply = self.answer(messages)
        answer = reply if isinstance(reply, Answer) else Answer(reply)
        if protocol == "openai":
            return 200, {}, json.dumps(_openai_reply(body, answer, messages, entry.body_key)).encode()
        return 200, {}, json.dumps(_gemini_reply(path_model or "", answer, messages)).encode()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # 32+ clients connect at once; the default backlog of 5 drops SYNs (1 s stalls)


def _handler_for(server: FakeLLMServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as real APIs do
        disable_nagle_algorithm = True

        def setup(self) -> None:
            super().setup()
            with server._lock:
                server.open_connections += 1

        def finish(self) -> None:
            try:
                super().finish()
            finally:
                with server._lock:
                    server.open_connections -= 1

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            if self.path == "/stats":
                with server._lock:
                    stats = {"received": len(server.received), "max_in_flight": server.max_in_flight}
                self._reply(200, {}, json.dumps(stats).encode())
            else:
                self._reply(404, {}, b"{}")

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("content-length", 0)))
            path = self.path.split("?")[0]
            if path.endswith("/chat/completions"):
                protocol, model = "openai", None
            elif path.endswith(":generateContent") and "/models/" in path:
                protocol, model = "gemini", path.rsplit("/models/", 1)[1].split(":")[0]
            else:
                self._reply(404, {}, json.dumps({"error": {"message": f"no route {path}"}}).encode())
                return
            status, headers, payload = server.handle(protocol, model, self.headers, json.loads(raw))
            if status == 0:
                self.close_connection = True
                return
            self._reply(status, headers, payload)

        def _reply(self, status: int, headers: dict[str, str], payload: bytes) -> None:
            try:
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout) first
                self.close_connection = True

    return Handler


# --- protocol shapes ---


def _sent_key(protocol: str, headers: Any) -> str:
    if protocol == "openai":
        return headers.get("authorization", "").removeprefix("Bearer ")
    return headers.get("x-goog-api-key", "")


def _openai_messages(body: dict[str, Any]) -> list[dict[str, str]]:
    return [{"role": m["role"], "content": m["content"]} for m in body["messages"]]


def _gemini_messages(body: dict[str, Any]) -> list[dict[str, str]]:
    text = lambda content: "".join(p.get("text", "") for p in content.get("parts", []))  # noqa: E731
    messages = []
    if "systemInstruction" in body:
        messages.append({"role": "system", "content": text(body["systemInstruction"])})
    for content in body.get("contents", []):
        messages.append({"role": "assistant" if content.get("role") == "model" else "user", "content": text(content)})
    return messages


def _error_body(protocol: str, status: int, message: str) -> bytes:
    if protocol == "openai":
        return json.dumps({"error": {"message": message, "type": "fake_error", "code": str(status)}}).encode()
    names = {401: "UNAUTHENTICATED", 429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE"}
    return json.dumps({"error": {"code": status, "message": message, "status": names.get(status, "UNKNOWN")}}).encode()


def _openai_reply(
    body: dict[str, Any], answer: Answer, messages: list[dict[str, str]], body_key: str
) -> dict[str, Any]:
    logprobs = None
    if body.get("logprobs"):
        first = answer.text.split()[0] if answer.text.split() else answer.text
        alternatives = answer.top_logprobs or {first: 0.0}
        top = sorted(alternatives.items(), key=lambda kv: -kv[1])[: body.get("top_logprobs") or 0]
        chosen = max(alternatives.items(), key=lambda kv: kv[1])
        logprobs = {
            "content": [
                {
                    "token": chosen[0],
                    "logprob": chosen[1],
                    "bytes": None,
                    "top_logprobs": [{"token": t, "logprob": lp, "bytes": None} for t, lp in top],
                }
            ]
        }
    prompt_tokens = sum(count_tokens(m["content"]) for m in messages)
    completion_tokens = count_tokens(answer.text)
    message = {"role": "assistant", "content": answer.text}
    choice = {"index": 0, "message": message, "finish_reason": "stop", "logprobs": logprobs}
    return {
        "id": f"chatcmpl-{body_key}",
        "object": "chat.completion",
        "created": 0,
        "model": body.get("model", ""),
        "choices": [choice | {"index": i} for i in range(body.get("n") or 1)],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


def _gemini_reply(model: str, answer: Answer, messages: list[dict[str, str]]) -> dict[str, Any]:
    prompt_tokens = sum(count_tokens(m["content"]) for m in messages)
    completion_tokens = count_tokens(answer.text)
    return {
        "candidates": [
            {"content": {"role": "model", "parts": [{"text": answer.text}]}, "finishReason": "STOP", "index": 0}
        ],
        "usageMetadata": {
            "promptTokenCount": prompt_tokens,
            "candidatesTokenCount": completion_tokens,
            "totalTokenCount": prompt_tokens + completion_tokens,
        },
        "modelVersion": model,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--answer", choices=sorted(RULES), default="echo")
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--error-rate", type=float, default=0.0)
    parser.add_argument("--malformed-rate", type=float, default=0.0)
    parser.add_argument("--hang-rate", type=float, default=0.0)
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    args = parser.parse_args()
    faults = Faults(args.latency_ms, args.error_rate, args.malformed_rate, args.hang_rate)
    with FakeLLMServer(answer=RULES[args.answer], faults=faults, port=args.port) as server:
        print(server.url, flush=True)
        sys.stdin.read()  # the parent closes our stdin to stop us


if __name__ == "__main__":
    main()
