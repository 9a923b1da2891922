#!/usr/bin/env python3
"""goose_api_like: a "foreign" goose-api compatible server, for leakcheck's tests.

It answers like the original Rust goose-api (routes, JSON shapes, status
codes), talks to an OpenAI-compatible provider (in the tests: mock-llm) and
runs stdio MCP extensions (in the tests: mock-mcp), one process per session
per configured extension. Standard library only, deterministic.

Without flags it is the clean reference: every provider stream is read to its
end and closed, idle sessions are reaped, an ended or reaped session's
extension process group is stopped, nothing is kept per request. Each flag
puts back one known bug, so `leakcheck run --target 'python3
goose_api_like.py --bug X'` must find exactly the bugs switched on:

  --bug first-message  goose-api's stream bug: a reply reads the provider's SSE
                       stream only until the first complete assistant message,
                       then stops reading but keeps the response (and its
                       socket) in a global list: one fd and its buffers are
                       held per provider call, tool calls never run. (A reply
                       that fits in the socket buffers is written whole, so
                       mock-llm counts it completed: the fds show the bug.)
  --bug retain         keeps --retain-bytes (default 65536) per /session/start
                       and /session/reply in a global list (heap growth).
  --bug no-reap        never reaps idle sessions (they live until /session/end).
  --bug orphan         ending, reaping, /extensions/remove and shutdown forget a
                       session's extension processes instead of stopping them.
                       They keep running, and so do their grandchildren:
                       subprocess keeps a forgotten live Popen, and so its
                       pipes, in its own list (fds and heap grow too).
  --bug all            all four.
  --leak-bytes N       the "small leak": keeps N bytes per /session/start,
                       /session/reply and /session/end (default 0).

Environment: GOOSE_API_HOST/PORT/KEY, OPENAI_HOST, OPENAI_BASE_PATH,
OPENAI_API_KEY, GOOSE_API_MODEL or GOOSE_MODEL, GOOSE_API_SESSIONS_DIR (else
$XDG_DATA_HOME/goose/sessions), GOOSE_API_SESSION_TIMEOUT_SECS (idle TTL,
default 3600). SIGTERM/SIGINT: stop serving, stop every extension, exit 0.
"""

import argparse
import http.client
import http.server
import json
import os
import select
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid

BUGS = ("first-message", "retain", "no-reap", "orphan")
MAX_TOOL_ROUNDS = 10
PROVIDER_TIMEOUT_S = 600
MAX_MCP_LINE = 16 << 20
SUMMARIZE_PROMPT = "Summarize the conversation so far."

# What the bugs keep. Never cleared: that is the point.
HELD_STREAMS = []  # first-message: (connection, response) of abandoned streams
RETAINED = []      # retain
LEAKED = []        # --leak-bytes


class Config:
    """Command line and environment, read once."""

    def __init__(self, args):
        env = os.environ.get
        self.bugs = set(BUGS) if "all" in (args.bug or []) else set(args.bug or [])
        self.retain_bytes = args.retain_bytes
        self.leak_bytes = args.leak_bytes
        self.host = env("GOOSE_API_HOST", "127.0.0.1")
        self.port = int(env("GOOSE_API_PORT", "8080"))
        self.api_key = env("GOOSE_API_KEY", "default_api_key")
        self.provider_url = urllib.parse.urlsplit(env("OPENAI_HOST", "http://127.0.0.1:8081"))
        self.provider_path = (self.provider_url.path.rstrip("/") + "/" +
                              env("OPENAI_BASE_PATH", "v1/chat/completions").lstrip("/"))
        self.provider_key = env("OPENAI_API_KEY", "")
        self.model = env("GOOSE_API_MODEL") or env("GOOSE_MODEL") or "gpt-4o"
        data_home = env("XDG_DATA_HOME") or os.path.expanduser("~/.local/share")
        self.sessions_dir = env("GOOSE_API_SESSIONS_DIR") or os.path.join(data_home, "goose",
                                                                         "sessions")
        self.ttl = float(env("GOOSE_API_SESSION_TIMEOUT_SECS", "3600"))


CFG = None  # the Config, set by main()


def keep_bytes(store, n):
    # b"x" * n writes every byte (bytes(n) may be calloc'ed pages that are
    # never touched, which a PSS gauge would not see).
    if n > 0:
        store.append(b"\x5a" * n)


def leak_per_request(retain):
    keep_bytes(LEAKED, CFG.leak_bytes)
    if retain and "retain" in CFG.bugs:
        keep_bytes(RETAINED, CFG.retain_bytes)


# ---------------------------------------------------------------- extensions

class McpError(Exception):
    pass


class Extension:
    """One stdio MCP server process, owned by one session."""

    def __init__(self, name, config):
        self.name = name
        self.timeout = float(config.get("timeout") or 300)
        self._lock = threading.Lock()  # one request at a time on the pipes
        self._buffer = b""
        self._next_id = 1
        env = os.environ | {k: str(v) for k, v in config.get("envs", {}).items()}
        # A process group of its own, so stopping it also takes the
        # grandchildren it started in that group.
        self.proc = subprocess.Popen([config["cmd"], *config.get("args", [])],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, env=env, start_new_session=True)
        try:
            self.request("initialize", {"protocolVersion": "2024-11-05", "capabilities": {},
                                        "clientInfo": {"name": "goose_api_like", "version": "1"}})
            self._send({"jsonrpc": "2.0", "method": "notifications/initialized"})
            self.tools = self._list_tools()
        except BaseException:
            self.stop()
            raise

    def _list_tools(self):
        tools, cursor = [], None
        for _ in range(100):  # bounded: a server that pages forever is cut off
            result = self.request("tools/list", {"cursor": cursor} if cursor else {})
            tools += result.get("tools", [])
            cursor = result.get("nextCursor")
            if not cursor:
                break
        return tools

    def _send(self, message):
        try:
            self.proc.stdin.write(json.dumps(message).encode() + b"\n")
            self.proc.stdin.flush()
        except (OSError, ValueError) as e:  # ValueError: stdin closed by stop()
            raise McpError(f"cannot write to extension {self.name}: {e}") from None

    def _read_line(self, deadline):
        fd = self.proc.stdout.fileno()
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise McpError(f"extension {self.name} did not answer in {self.timeout:g} s")
            if not select.select([fd], [], [], left)[0]:
                continue
            data = os.read(fd, 65536)
            if not data:
                raise McpError(f"extension {self.name} closed its stdout")
            self._buffer += data
            if len(self._buffer) > MAX_MCP_LINE:
                raise McpError(f"extension {self.name} sent a line over {MAX_MCP_LINE} bytes")
        line, self._buffer = self._buffer.split(b"\n", 1)
        return line

    def request(self, method, params):
        """Sends a JSON-RPC request, returns its result; McpError otherwise."""
        with self._lock:
            if self.proc.stdout.closed:
                raise McpError(f"extension {self.name} is stopped")
            request_id, self._next_id = self._next_id, self._next_id + 1
            self._send({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params})
            deadline = time.monotonic() + self.timeout
            while True:
                try:
                    message = json.loads(self._read_line(deadline))
                except ValueError:
                    continue  # not JSON: log noise
                # Skip notifications and the server's own requests to us.
                if (isinstance(message, dict) and message.get("id") == request_id
                        and "method" not in message):
                    break
        if "error" in message:
            raise McpError(str((message["error"] or {}).get("message", message["error"])))
        return message.get("result") or {}

    def call_tool(self, tool, arguments):
        result = self.request("tools/call", {"name": tool, "arguments": arguments})
        return "\n".join(c.get("text", "") for c in result.get("content", [])
                         if isinstance(c, dict) and c.get("type") == "text")

    def stop(self):
        """Closes stdin, then SIGTERM and SIGKILL to its whole process group."""
        proc = self.proc
        try:
            proc.stdin.close()
        except OSError:
            pass
        # The leader is waited for without being reaped (WNOWAIT): while it is
        # a zombie its pid, the group id, cannot be reused, so killpg below
        # reaches only its group, even after the leader itself has exited.
        wait_exit_unreaped(proc.pid, 1.0)
        killpg(proc.pid, signal.SIGTERM)
        wait_exit_unreaped(proc.pid, 1.0)
        killpg(proc.pid, signal.SIGKILL)  # grandchildren that ignored SIGTERM
        proc.wait()
        with self._lock:  # a call in flight has seen EOF by now
            proc.stdout.close()


def wait_exit_unreaped(pid, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
                return
        except ChildProcessError:
            return
        time.sleep(0.005)


def killpg(pgid, sig):
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        pass


def stop_extensions(extensions):
    """Stops (clean) or forgets (orphan bug) a list of Extension objects."""
    if "orphan" in CFG.bugs:
        # The references go; nothing is stopped or waited for. subprocess
        # keeps each forgotten live Popen (and its pipes) in its own list, so
        # the extension never sees EOF on stdin and keeps running.
        return
    for ext in extensions:
        ext.stop()


class ExtensionConfigs:
    """The configured extensions: every new session starts one of each."""

    def __init__(self):
        self._lock = threading.Lock()
        self._configs = {}

    def add(self, name, config):
        with self._lock:
            self._configs[name] = config

    def remove(self, name):
        with self._lock:
            self._configs.pop(name, None)

    def snapshot(self):
        with self._lock:
            return dict(self._configs)


EXTENSIONS = ExtensionConfigs()


# ----------------------------------------------------------------- sessions

class Session:
    def __init__(self, session_id):
        self.id = session_id
        self.lock = threading.Lock()  # held by a request using the session
        self.messages = []            # OpenAI form, plus "created"
        self.extensions = {}          # name -> Extension
        self.ended = False
        self.last_active = time.monotonic()

    def file(self):
        return os.path.join(CFG.sessions_dir, self.id + ".jsonl")

    def close(self):
        """Ends the session; the caller holds self.lock and removed it from the registry."""
        self.ended = True
        extensions = list(self.extensions.values())
        self.extensions.clear()
        stop_extensions(extensions)
        self.messages = []
        try:
            os.unlink(self.file())
        except FileNotFoundError:
            pass

    def save(self):
        """Rewrites the session file: a header line, then one line per message."""
        lines = [file_message(m) for m in self.messages]
        header = {"working_dir": os.getcwd(), "description": "", "message_count": len(lines)}
        text = "".join(json.dumps(x) + "\n" for x in [header] + lines)
        path = self.file()
        tmp = path + ".tmp"  # one writer per session: the session lock
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.replace(tmp, path)


def file_message(m):
    """A conversation message as goose writes it in a session file."""
    if m["role"] == "tool":
        result = {"status": "success", "value": [{"type": "text", "text": m["content"]}]}
        return {"role": "user", "created": m["created"],
                "content": [{"type": "toolResponse", "id": m["tool_call_id"],
                             "toolResult": result}]}
    content = [{"type": "text", "text": m["content"]}] if m.get("content") else []
    for call in m.get("tool_calls", []):
        fn = call["function"]
        content.append({"type": "toolRequest", "id": call["id"],
                        "toolCall": {"status": "success",
                                     "value": {"name": fn["name"],
                                               "arguments": parse_arguments(fn["arguments"])}}})
    return {"role": m["role"], "created": m["created"], "content": content}


class Registry:
    """The live sessions, and the reaper thread that ends idle ones."""

    def __init__(self):
        self._lock = threading.Lock()
        self._sessions = {}
        self._closed = False
        self._stop = threading.Event()
        self._reaper = None

    def add(self, session):
        with self._lock:
            if self._closed:
                return False
            self._sessions[session.id] = session
            return True

    def get(self, session_id):
        with self._lock:
            return self._sessions.get(session_id)

    def pop(self, session_id):
        with self._lock:
            return self._sessions.pop(session_id, None)

    def all(self):
        with self._lock:
            return list(self._sessions.values())

    def start_reaper(self, ttl):
        if "no-reap" in CFG.bugs:
            return
        self._reaper = threading.Thread(target=self._reap_loop, args=(ttl,), daemon=True,
                                        name="reaper")
        self._reaper.start()

    def _reap_loop(self, ttl):
        while not self._stop.wait(max(0.01, min(ttl / 4, 1.0))):
            self.reap(ttl)

    def reap(self, ttl):
        now = time.monotonic()
        idle = []
        with self._lock:
            for session in list(self._sessions.values()):
                # A session busy with a request is not idle: skip it.
                if now - session.last_active > ttl and session.lock.acquire(blocking=False):
                    del self._sessions[session.id]
                    idle.append(session)
        for session in idle:  # stopping extensions takes time: not under the registry lock
            try:
                session.close()
            finally:
                session.lock.release()

    def shutdown(self):
        """Stops the reaper and ends every session (their files stay)."""
        self._stop.set()
        if self._reaper:
            self._reaper.join()
        with self._lock:
            self._closed = True
            sessions, self._sessions = list(self._sessions.values()), {}
        for session in sessions:
            # Not under session.lock: a reply still running must not hold up
            # the exit (its tool calls fail once the extension is stopped).
            session.ended = True
            extensions = list(session.extensions.values())
            session.extensions.clear()
            stop_extensions(extensions)


REGISTRY = Registry()


# ------------------------------------------------------------------ provider

class ProviderError(Exception):
    def __init__(self, message, code=None):
        super().__init__(message)
        self.code = code


def provider_post(body):
    """POSTs a chat completion; returns (connection, response) of a 200 answer."""
    url = CFG.provider_url
    cls = http.client.HTTPSConnection if url.scheme == "https" else http.client.HTTPConnection
    conn = cls(url.hostname, url.port, timeout=PROVIDER_TIMEOUT_S)
    try:
        conn.request("POST", CFG.provider_path, json.dumps(body).encode(),
                     {"Content-Type": "application/json",
                      "Authorization": "Bearer " + CFG.provider_key})
        resp = conn.getresponse()
        if resp.status != 200:
            raw = resp.read()
            try:
                error = json.loads(raw)["error"]
                message, code = error.get("message", ""), error.get("code")
            except (ValueError, KeyError, TypeError, AttributeError):
                message, code = raw.decode(errors="replace")[:200], None
            raise ProviderError(f"HTTP {resp.status}: {message}", code)
        return conn, resp
    except (OSError, http.client.HTTPException) as e:
        conn.close()
        raise ProviderError(f"provider transport: {e}") from None
    except ProviderError:
        conn.close()
        raise


def stream_turn(messages, tools):
    """One streamed provider call: the assistant messages of the reply, in OpenAI form.

    Clean: reads to [DONE] and the end of the body, then closes. Any failure
    (error frame, early close, bad frame) raises ProviderError and keeps nothing.
    """
    body = {"model": CFG.model, "messages": messages, "stream": True,
            "stream_options": {"include_usage": True}}
    if tools:
        body["tools"] = tools
    conn, resp = provider_post(body)
    first_only = "first-message" in CFG.bugs
    try:
        replies, complete = read_sse(resp, first_only)
        if complete:
            resp.read()  # the rest of the body (chunked terminator): drain every byte
    except (OSError, http.client.HTTPException) as e:
        conn.close()
        raise ProviderError(f"provider stream broke: {e}") from None
    except BaseException:
        conn.close()
        raise
    if complete:
        conn.close()
    else:
        HELD_STREAMS.append((conn, resp))  # the bug: never read, never closed
    return replies


def read_sse(resp, first_only):
    """Parses the SSE body into messages; returns (messages, reached [DONE])."""
    done, current = [], None
    while True:
        line = resp.readline()
        if not line:
            raise ProviderError("the stream ended before [DONE]")
        line = line.strip()
        if not line.startswith(b"data:"):
            continue  # blank separators, ": keep-alive" comments
        data = line[5:].strip()
        if data == b"[DONE]":
            if current:
                done.append(current)
            return [m for m in map(to_openai, done) if m], True
        try:
            chunk = json.loads(data)
        except ValueError:
            raise ProviderError("a stream frame is not JSON") from None
        if "error" in chunk:
            raise ProviderError(f"error frame: {chunk['error']}")
        choices = chunk.get("choices") or []
        if not choices:
            continue  # the usage chunk
        if current and chunk.get("id") != current["id"]:  # a new id: a new message
            done.append(current)
            current = None
        if first_only and done:
            return [m for m in map(to_openai, done) if m], False
        if current is None:
            current = {"id": chunk.get("id"), "text": [], "calls": {}}
        add_delta(current, choices[0].get("delta") or {})
        if choices[0].get("finish_reason"):
            done.append(current)
            current = None
            if first_only:
                return [m for m in map(to_openai, done) if m], False


def add_delta(message, delta):
    if delta.get("content"):
        message["text"].append(delta["content"])
    for fragment in delta.get("tool_calls") or []:
        call = message["calls"].setdefault(fragment.get("index", 0),
                                           {"id": None, "name": "", "arguments": []})
        call["id"] = fragment.get("id") or call["id"]
        fn = fragment.get("function") or {}
        call["name"] = fn.get("name") or call["name"]
        call["arguments"].append(fn.get("arguments") or "")


def to_openai(message):
    text = "".join(message["text"])
    calls = [{"id": c["id"], "type": "function",
              "function": {"name": c["name"], "arguments": "".join(c["arguments"])}}
             for _, c in sorted(message["calls"].items())]
    if not text and not calls:
        return None
    out = {"role": "assistant", "content": text or None, "created": int(time.time())}
    if calls:
        out["tool_calls"] = calls
    return out


def summarize(messages):
    """Asks the provider (not streamed) for a summary text; ProviderError otherwise.

    The conversation goes as one transcript in a user message, as goose does:
    the request then has no assistant turn of its own.
    """
    body = {"model": CFG.model, "stream": False,
            "messages": [{"role": "system", "content": SUMMARIZE_PROMPT},
                         {"role": "user", "content": transcript(messages)}]}
    conn, resp = provider_post(body)
    try:
        answer = json.loads(resp.read())
        return answer["choices"][0]["message"].get("content") or ""
    except (OSError, http.client.HTTPException, ValueError, KeyError, IndexError,
            TypeError) as e:
        raise ProviderError(f"bad summary answer: {e}") from None
    finally:
        conn.close()


def transcript(messages):
    lines = []
    for m in messages:
        if m["role"] == "tool":
            lines.append(f"tool result: {m['content']}")
            continue
        if m.get("content"):
            lines.append(f"{m['role']}: {m['content']}")
        for call in m.get("tool_calls", []):
            lines.append(f"assistant called {call['function']['name']} "
                         f"with {call['function']['arguments']}")
    return "\n".join(lines)


# --------------------------------------------------------------------- agent

def wire(messages):
    return [{k: v for k, v in m.items() if k != "created"} for m in messages]


def user_message(text):
    return {"role": "user", "content": text, "created": int(time.time())}


def parse_arguments(text):
    try:
        value = json.loads(text) if text.strip() else {}
    except ValueError:
        return text
    return value


def run_tool(session, call):
    name = call["function"]["name"]
    ext_name, _, tool = name.partition("__")
    ext = session.extensions.get(ext_name) if tool else None
    if ext is None:
        return f"Error: tool {name} not found"
    arguments = parse_arguments(call["function"]["arguments"])
    if not isinstance(arguments, dict):
        return f"Error: the arguments of {name} are not a JSON object"
    try:
        return ext.call_tool(tool, arguments)
    except McpError as e:
        return f"Error: {e}"


def agent_reply(session):
    """Runs one reply on the session's conversation; returns (outcome, text).

    outcome: "text", "empty" (no text or the provider failed) or "summarized".
    """
    tools = [{"type": "function",
              "function": {"name": f"{ext.name}__{t['name']}",
                           "description": t.get("description", ""),
                           "parameters": t.get("inputSchema") or {"type": "object"}}}
             for ext in session.extensions.values() for t in ext.tools]
    texts = []
    for _ in range(MAX_TOOL_ROUNDS):
        try:
            replies = stream_turn(wire(session.messages), tools)
        except ProviderError as e:
            if e.code != "context_length_exceeded":
                return "empty", ""
            try:
                summary = summarize(session.messages)
            except ProviderError:
                return "empty", ""
            session.messages = [user_message(summary)]
            return "summarized", ""
        session.messages += replies
        texts += [m["content"] for m in replies if m.get("content")]
        calls = [c for m in replies for c in m.get("tool_calls", [])]
        if not calls or "first-message" in CFG.bugs:  # the bug never runs tools
            break
        for call in calls:
            session.messages.append({"role": "tool", "tool_call_id": call["id"],
                                     "content": run_tool(session, call),
                                     "created": int(time.time())})
    text = "".join(texts)
    return ("text", text) if text else ("empty", "")


# -------------------------------------------------------------------- routes

class HttpError(Exception):
    def __init__(self, status, body, content_type="application/json"):
        super().__init__(status)
        self.status, self.body, self.content_type = status, body, content_type


def deserialize_error(message):
    return HttpError(400, f"Request body deserialize error: {message}", "text/plain")


def field(body, name, kind=str):
    if not isinstance(body, dict):
        raise deserialize_error("invalid type: expected struct")
    if name not in body:
        raise deserialize_error(f"missing field `{name}`")
    if not isinstance(body[name], kind):
        raise deserialize_error(f"invalid type for field `{name}`")
    return body[name]


NOT_FOUND = {"message": "Session not found", "status": "error"}


def live_session(body):
    """The session named in the body, locked; HttpError 404 when there is none."""
    session = REGISTRY.get(field(body, "session_id"))
    if session is None:
        raise HttpError(404, NOT_FOUND)
    session.lock.acquire()
    if session.ended:  # ended or reaped while we waited for it
        session.lock.release()
        raise HttpError(404, NOT_FOUND)
    return session


def session_start(body):
    prompt = field(body, "prompt")
    leak_per_request(retain=True)
    session = Session(str(uuid.uuid4()))
    with session.lock:
        for name, config in EXTENSIONS.snapshot().items():
            try:
                session.extensions[name] = Extension(name, config)
            except (OSError, McpError) as e:
                print(f"goose_api_like: extension {name} did not start: {e}", file=sys.stderr)
        if not REGISTRY.add(session):  # shutting down
            session.close()
            raise HttpError(503, {"message": "Server is shutting down", "status": "error"})
        session.messages.append(user_message(prompt))
        outcome, text = agent_reply(session)
        session.last_active = time.monotonic()
        session.save()
    if outcome == "summarized":
        message, status = "Conversation summarized to fit context window", "warning"
    elif outcome == "empty":
        message, status = "Session started but no response generated", "warning"
    else:
        message, status = text, "success"
    return {"message": message, "status": status, "session_id": session.id}


def session_reply(body):
    prompt = field(body, "prompt")
    leak_per_request(retain=True)
    session = live_session(body)
    try:
        session.last_active = time.monotonic()
        session.messages.append(user_message(prompt))
        outcome, text = agent_reply(session)
        session.last_active = time.monotonic()
        session.save()
    finally:
        session.lock.release()
    if outcome == "summarized":
        return {"message": "Conversation summarized to fit context window", "status": "warning"}
    if outcome == "empty":
        return {"message": "Reply processed but no response generated", "status": "warning"}
    return {"message": "Reply: " + text, "status": "success"}


def session_summarize(body):
    session = live_session(body)
    try:
        try:
            summary = summarize(session.messages)
        except ProviderError as e:
            raise HttpError(500, {"message": f"Failed to summarize session: {e}",
                                  "status": "error"}) from None
        session.messages = [user_message(summary)]
        session.save()
    finally:
        session.lock.release()
    return {"message": summary, "status": "success"}


def session_end(body):
    session_id = field(body, "session_id")
    leak_per_request(retain=False)
    session = REGISTRY.pop(session_id)
    if session is None:
        raise HttpError(404, NOT_FOUND)
    with session.lock:  # waits for a request still running on it
        session.close()
    return {"message": "Session ended", "status": "success"}


def extensions_list(_):
    return {"extensions": list(EXTENSIONS.snapshot())}


def extensions_add(body):
    kind = field(body, "type")
    if kind != "stdio":
        return {"error": True,
                "message": "Failed to add extension configuration, error: unsupported type"}
    config = {"cmd": field(body, "cmd"), "args": body.get("args") or [],
              "envs": body.get("envs") or {}, "timeout": body.get("timeout")}
    if not all(isinstance(a, str) for a in config["args"]) or not isinstance(config["envs"],
                                                                            dict):
        raise deserialize_error("invalid type for field `args` or `envs`")
    EXTENSIONS.add(field(body, "name"), config)
    return {"error": False, "message": None}


def extensions_remove(body):
    if not isinstance(body, str):
        raise deserialize_error("invalid type: expected a string")
    EXTENSIONS.remove(body)
    for session in REGISTRY.all():
        with session.lock:
            ext = session.extensions.pop(body, None)
        if ext:
            stop_extensions([ext])
    return {"error": False, "message": None}


def provider_config(_):
    return {"provider": "openai", "model": CFG.model}


def metrics(_):
    counts = {}
    try:
        names = sorted(n for n in os.listdir(CFG.sessions_dir) if n.endswith(".jsonl"))
    except FileNotFoundError:
        names = []
    for name in names:
        try:
            with open(os.path.join(CFG.sessions_dir, name)) as f:
                counts[name[:-len(".jsonl")]] = json.loads(f.readline())["message_count"]
        except (OSError, ValueError, KeyError, TypeError):
            continue  # removed or being replaced under us
    return {"session_messages": counts, "active_sessions": len(names), "pending_requests": {}}


# path -> (method, handler); POST routes need the key and take a JSON body
ROUTES = {
    "/session/start": ("POST", session_start),
    "/session/reply": ("POST", session_reply),
    "/session/summarize": ("POST", session_summarize),
    "/session/end": ("POST", session_end),
    "/extensions/list": ("GET", extensions_list),
    "/extensions/add": ("POST", extensions_add),
    "/extensions/remove": ("POST", extensions_remove),
    "/provider/config": ("GET", provider_config),
    "/metrics": ("GET", metrics),
}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: every answer has a Content-Length
    server_version = "goose_api_like/1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def do_PUT(self):
        self.dispatch("PUT")

    def do_DELETE(self):
        self.dispatch("DELETE")

    def dispatch(self, method):
        # The body is always read, so the next request on the connection starts
        # where it should.
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0:
            self.close_connection = True
            return self.answer(400, "Invalid Content-Length", "text/plain")
        body = self.rfile.read(length)
        status, ctype = 200, "application/json"
        try:
            payload = self.route(method, body)
        except HttpError as e:
            status, payload, ctype = e.status, e.body, e.content_type
        except Exception as e:  # a bug of ours: say so, keep serving
            print(f"goose_api_like: {self.path}: {e!r}", file=sys.stderr)
            status, payload = 500, {"message": str(e), "status": "error"}
        self.answer(status, payload, ctype)

    def route(self, method, raw):
        path = urllib.parse.urlsplit(self.path).path
        if path not in ROUTES:
            raise HttpError(404, None)
        route_method, handler = ROUTES[path]
        if method != route_method:
            raise HttpError(405, "HTTP method not allowed", "text/plain")
        if method == "GET":
            return handler(None)
        key = self.headers.get("x-api-key")
        if key is None:
            raise HttpError(400, 'Missing request header "x-api-key"', "text/plain")
        if key != CFG.api_key:
            raise HttpError(404, None)
        try:
            body = json.loads(raw)
        except ValueError as e:
            raise deserialize_error(str(e)) from None
        return handler(body)

    def answer(self, status, payload, ctype):
        if payload is None:
            data = b""
        elif ctype == "application/json":
            data = json.dumps(payload, separators=(",", ":")).encode()
        else:
            data = payload.encode()
        try:
            self.send_response(status)
            if data:
                self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:  # the client left
            self.close_connection = True


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # threads are not tracked nor joined: keep-alive clients may linger

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], OSError):  # a client that left is no news
            super().handle_error(request, client_address)


# ---------------------------------------------------------------------- main

def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="goose_api_like.py", description=__doc__.split("\n\n")[0],
        epilog="See the module docstring for every bug and the environment.")
    parser.add_argument("--bug", action="append", choices=BUGS + ("all",),
                        help="put back one of goose-api's bugs (repeatable)")
    parser.add_argument("--retain-bytes", type=int, default=65536,
                        help="bytes kept per request by --bug retain (default 65536)")
    parser.add_argument("--leak-bytes", type=int, default=0,
                        help="bytes kept per start/reply/end request (default 0)")
    return parser.parse_args(argv)


def main(argv):
    global CFG
    CFG = Config(parse_args(argv))
    os.makedirs(CFG.sessions_dir, mode=0o700, exist_ok=True)
    try:
        server = Server((CFG.host, CFG.port), Handler)
    except OSError as e:
        print(f"cannot listen on {CFG.host}:{CFG.port}: {e.strerror or e}", file=sys.stderr)
        return 1
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    REGISTRY.start_reaper(CFG.ttl)
    serving = threading.Thread(target=server.serve_forever, args=(0.1,), name="serve", daemon=True)
    serving.start()
    print(f"goose_api_like listening on http://{CFG.host}:{server.server_address[1]}",
          flush=True)
    while not stop.wait(0.2):
        pass
    server.shutdown()
    server.server_close()
    REGISTRY.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
