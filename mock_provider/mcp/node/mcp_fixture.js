#!/usr/bin/env node
// The Node.js counterpart of mock-mcp and python/mcp_fixture.py for
// leakcheck's proof: a real stdio MCP server (JSON-RPC 2.0, one object per
// line) written with Node's standard library only, so `leakcheck mcp`'s
// Node path (V8's heap through the preloaded probe) is judged on a server
// whose leak is known.
//
//   initialize          the client's protocolVersion when it is one of
//                       2024-11-05, 2025-03-26, 2025-06-18, else 2025-06-18;
//                       capabilities tools, resources, prompts, logging
//   tools/list          echo {text}
//   tools/call echo     content [{type: text, text}]
//   resources/list, resources/read   fixture://greeting
//   prompts/list, prompts/get        greet
//   logging/setLevel, ping           {}
//   anything else       error -32601
// It exits 0 when stdin closes. Nothing but protocol lines goes to stdout.
//
// Switches (leakcheck's canaries):
//   --leak-bytes-per-call N  every tools/call keeps a string of about N
//                            bytes in V8's heap for good
//   --ignore-stdin-close     keeps running after stdin closes, until SIGTERM
'use strict';

const readline = require('readline');

const VERSIONS = ['2024-11-05', '2025-03-26', '2025-06-18'];
const retained = [];  // what --leak-bytes-per-call keeps
let leakBytes = 0;
let ignoreStdinClose = false;

for (let i = 2; i < process.argv.length; ++i) {
  const arg = process.argv[i];
  if (arg === '--leak-bytes-per-call' && i + 1 < process.argv.length) {
    leakBytes = Number.parseInt(process.argv[++i], 10);
    if (!(leakBytes >= 0)) {
      process.stderr.write('mcp_fixture.js: --leak-bytes-per-call takes a number >= 0\n');
      process.exit(2);
    }
  } else if (arg === '--ignore-stdin-close') {
    ignoreStdinClose = true;
  } else {
    process.stderr.write('mcp_fixture.js: unknown argument ' + arg + '\n');
    process.exit(2);
  }
}

const ECHO = {
  name: 'echo',
  description: 'Answers the text it is given',
  inputSchema: {type: 'object', properties: {text: {type: 'string'}}, required: ['text']},
};

class RpcError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

function text(value) { return [{type: 'text', text: String(value)}]; }

function answer(method, params) {
  switch (method) {
    case 'initialize': {
      const asked = params && params.protocolVersion;
      return {
        protocolVersion: VERSIONS.includes(asked) ? asked : '2025-06-18',
        capabilities: {tools: {}, resources: {}, prompts: {}, logging: {}},
        serverInfo: {name: 'mcp-fixture-node', version: '1.0.0'},
      };
    }
    case 'ping':
    case 'logging/setLevel':
      return {};
    case 'tools/list':
      return {tools: [ECHO]};
    case 'tools/call': {
      if (!params || params.name !== 'echo') throw new RpcError(-32602, 'unknown tool');
      // A fresh string of about leakBytes bytes (not shared with the last).
      if (leakBytes > 0) retained.push(String(retained.length).padEnd(leakBytes, 'z'));
      return {content: text((params.arguments || {}).text || '')};
    }
    case 'resources/list':
      return {resources: [{uri: 'fixture://greeting', name: 'greeting', mimeType: 'text/plain'}]};
    case 'resources/read':
      return {contents: [{uri: 'fixture://greeting', mimeType: 'text/plain', text: 'hello'}]};
    case 'prompts/list':
      return {prompts: [{name: 'greet', description: 'Says hello'}]};
    case 'prompts/get':
      return {messages: [{role: 'user', content: {type: 'text', text: 'Say hello.'}}]};
    default:
      throw new RpcError(-32601, 'method not found: ' + method);
  }
}

function handle(line) {
  let message;
  try {
    message = JSON.parse(line);
  } catch (e) {
    process.stdout.write(JSON.stringify(
        {jsonrpc: '2.0', id: null, error: {code: -32700, message: 'parse error'}}) + '\n');
    return;
  }
  if (message.id === undefined) return;  // a notification: no answer
  const reply = {jsonrpc: '2.0', id: message.id};
  try {
    reply.result = answer(message.method, message.params);
  } catch (e) {
    reply.error = {code: e.code || -32603, message: e.message};
  }
  process.stdout.write(JSON.stringify(reply) + '\n');
}

const lines = readline.createInterface({input: process.stdin});
lines.on('line', handle);
lines.on('close', () => {
  if (!ignoreStdinClose) process.exit(0);
  process.on('SIGTERM', () => process.exit(0));
  setInterval(() => {}, 1 << 30);  // what a forgotten timer does
});
