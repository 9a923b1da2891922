// Streams one chat completion from mock-llm with the official `openai` npm
// client and prints what it received as one line of JSON (or the error it
// got, as {"error": {...}}). Used by openai_client_test.cc.
//
//   node openai_client_stream.mjs <dir of node_modules> <base URL, e.g. http://127.0.0.1:N/v1> <model>
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [nodeModules, baseURL, model] = process.argv.slice(2);
if (!nodeModules || !baseURL || !model) {
  console.error('usage: node openai_client_stream.mjs <node_modules dir> <base URL> <model>');
  process.exit(2);
}
// ESM resolves packages from the importing file's directory, not from
// NODE_PATH, so the client is loaded from the pinned ci/node_modules by path.
const { default: OpenAI } = await import(
  pathToFileURL(path.join(nodeModules, 'openai', 'index.mjs')).href);

const client = new OpenAI({ baseURL, apiKey: 'mock-key', maxRetries: 0, timeout: 30000 });
const out = {
  ids: [],            // chunk ids in order of first appearance (one per message)
  roles: [],          // every delta.role seen
  content: {},        // chunk id -> concatenated delta.content
  tool_calls: {},     // "<chunk id>#<index>" -> {id, name, arguments}
  finish_reasons: [], // every non-null finish_reason
  usage: null,
  chunks: 0,
};
try {
  const stream = await client.chat.completions.create({
    model,
    messages: [{ role: 'user', content: 'list the files' }],
    tools: [{
      type: 'function',
      function: {
        name: 'developer__shell',
        description: 'run a shell command',
        parameters: { type: 'object', properties: { command: { type: 'string' } } },
      },
    }],
    stream: true,
    stream_options: { include_usage: true },
  });
  for await (const chunk of stream) {
    out.chunks++;
    if (!out.ids.includes(chunk.id)) out.ids.push(chunk.id);
    if (chunk.usage) out.usage = chunk.usage;
    for (const choice of chunk.choices) {
      const delta = choice.delta ?? {};
      if (delta.role) out.roles.push(delta.role);
      if (typeof delta.content === 'string') {
        out.content[chunk.id] = (out.content[chunk.id] ?? '') + delta.content;
      }
      for (const call of delta.tool_calls ?? []) {
        const key = `${chunk.id}#${call.index}`;
        const acc = (out.tool_calls[key] ??= { id: null, name: null, arguments: '' });
        if (call.id) acc.id = call.id;
        if (call.function?.name) acc.name = call.function.name;
        if (call.function?.arguments) acc.arguments += call.function.arguments;
      }
      if (choice.finish_reason) out.finish_reasons.push(choice.finish_reason);
    }
  }
} catch (err) {
  out.error = {
    name: err?.constructor?.name ?? 'Error',
    status: err?.status ?? null,
    code: err?.code ?? null,
    message: String(err?.message ?? err),
  };
}
process.stdout.write(JSON.stringify(out) + '\n');
