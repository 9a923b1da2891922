#!/usr/bin/env python3
"""mcp_fixture: a minimal stdio MCP server in Python, standard library only.

The Python counterpart of mock-mcp for leakcheck's proof: a real
interpreter's heap behind the same protocol. It reads newline-delimited
JSON-RPC 2.0 from stdin and answers on stdout, one object per line (MCP
2025-06-18; 2024-11-05 and 2025-03-26 are accepted too):

  initialize          the client's protocolVersion if supported, else
                      2025-06-18; capabilities tools, resources, prompts,
                      logging
  ping                {}
  tools/list          echo {text}
  tools/call echo     content [{type: text, text}]
  resources/list      fixture://greeting
  resources/read      its text
  prompts/list        greet {name?}
  prompts/get         one user message
  logging/setLevel    {}
  anything else       JSON-RPC error -32601

Notifications (notifications/initialized, ...) and responses get no answer;
the server never sends a request of its own. stdout carries protocol lines
only; diagnostics go to stderr. It exits 0 when stdin closes.

Switches (leakcheck's canaries):
  --leak-bytes-per-call N  every tools/call keeps N more bytes (one bytes
                           object, every page written) in a module-level
                           list: with PYTHONMALLOC=malloc the live malloc
                           bytes grow by about N per call
  --ignore-stdin-close     on stdin's EOF keep running (sleeping) until
                           SIGTERM: MCP says a server should exit then
"""

import argparse
import json
import signal
import sys
import time

SUPPORTED_VERSIONS = ("2024-11-05", "2025-03-26", "2025-06-18")
LATEST_VERSION = "2025-06-18"
GREETING_URI = "fixture://greeting"
GREETING_TEXT = "Hello from mcp_fixture."

# What --leak-bytes-per-call keeps: reachable for good, never freed.
RETAINED = []

ECHO_TOOL = {
    "name": "echo",
    "description": "Answers the text it is given",
    "inputSchema": {
        "type": "object",
        "properties": {"text": {"type": "string"}},
        "required": ["text"],
    },
}


class RpcError(Exception):
    """Answered as a JSON-RPC error object."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


def log(text):
    print("mcp_fixture: " + text, file=sys.stderr, flush=True)


def text_content(text):
    return [{"type": "text", "text": text}]


class Server:
    def __init__(self, leak_bytes_per_call):
        self.leak_bytes_per_call = leak_bytes_per_call

    def initialize(self, params):
        asked = params.get("protocolVersion")
        version = asked if asked in SUPPORTED_VERSIONS else LATEST_VERSION
        return {
            "protocolVersion": version,
            "capabilities": {"tools": {}, "resources": {}, "prompts": {}, "logging": {}},
            "serverInfo": {"name": "mcp-fixture", "version": "1.0.0"},
        }

    def call_tool(self, params):
        if self.leak_bytes_per_call > 0:
            RETAINED.append(b"\x5a" * self.leak_bytes_per_call)
        name = params.get("name")
        arguments = params.get("arguments") or {}
        if name != "echo":
            raise RpcError(-32602, "Unknown tool: %s" % name)
        text = arguments.get("text")
        if not isinstance(text, str):
            return {"content": text_content("echo needs text"), "isError": True}
        return {"content": text_content(text)}

    @staticmethod
    def read_resource(params):
        uri = params.get("uri")
        if uri != GREETING_URI:
            raise RpcError(-32002, "Resource not found: %s" % uri)
        return {"contents": [{"uri": uri, "mimeType": "text/plain", "text": GREETING_TEXT}]}

    @staticmethod
    def get_prompt(params):
        if params.get("name") != "greet":
            raise RpcError(-32602, "Unknown prompt: %s" % params.get("name"))
        who = (params.get("arguments") or {}).get("name", "world")
        return {
            "description": "Greets someone",
            "messages": [
                {"role": "user", "content": {"type": "text", "text": "Please greet %s." % who}}
            ],
        }

    def answer(self, method, params):
        if method == "initialize":
            return self.initialize(params)
        if method in ("ping", "logging/setLevel"):
            return {}
        if method == "tools/list":
            return {"tools": [ECHO_TOOL]}
        if method == "tools/call":
            return self.call_tool(params)
        if method == "resources/list":
            return {
                "resources": [
                    {"uri": GREETING_URI, "name": "greeting", "mimeType": "text/plain"}
                ]
            }
        if method == "resources/read":
            return self.read_resource(params)
        if method == "prompts/list":
            return {
                "prompts": [
                    {
                        "name": "greet",
                        "description": "Greets someone",
                        "arguments": [{"name": "name", "required": False}],
                    }
                ]
            }
        if method == "prompts/get":
            return self.get_prompt(params)
        raise RpcError(-32601, "Method not found: %s" % method)

    def handle(self, line):
        """The answer to one line, or None when it needs none."""
        try:
            message = json.loads(line)
        except ValueError:
            return {"jsonrpc": "2.0", "id": None,
                    "error": {"code": -32700, "message": "Parse error"}}
        if not isinstance(message, dict):
            return {"jsonrpc": "2.0", "id": None,
                    "error": {"code": -32600, "message": "Invalid Request"}}
        method = message.get("method")
        request_id = message.get("id")
        if not isinstance(method, str) or request_id is None:
            return None  # a response or a notification: nothing to say
        params = message.get("params")
        if not isinstance(params, dict):
            params = {}
        try:
            return {"jsonrpc": "2.0", "id": request_id, "result": self.answer(method, params)}
        except RpcError as e:
            return {"jsonrpc": "2.0", "id": request_id,
                    "error": {"code": e.code, "message": e.message}}


def serve(server, stdin, stdout):
    while True:
        line = stdin.readline()
        if not line:
            return  # EOF
        if not line.strip():
            continue
        reply = server.handle(line)
        if reply is not None:
            stdout.write(json.dumps(reply, separators=(",", ":")).encode() + b"\n")
            stdout.flush()


def main():
    parser = argparse.ArgumentParser(description="A minimal stdio MCP server (stdlib only).")
    parser.add_argument("--leak-bytes-per-call", type=int, default=0, metavar="N",
                        help="every tools/call keeps N more bytes for good")
    parser.add_argument("--ignore-stdin-close", action="store_true",
                        help="keep running after stdin's EOF, until SIGTERM")
    args = parser.parse_args()
    if args.leak_bytes_per_call < 0:
        parser.error("--leak-bytes-per-call must not be negative")
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # even if inherited ignored
    try:
        serve(Server(args.leak_bytes_per_call), sys.stdin.buffer, sys.stdout.buffer)
    except BrokenPipeError:
        return 0  # the client is gone
    log("stdin closed")
    if args.ignore_stdin_close:
        while True:
            time.sleep(3600)
    return 0


if __name__ == "__main__":
    sys.exit(main())
