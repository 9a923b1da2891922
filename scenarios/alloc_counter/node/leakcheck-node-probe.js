// Preloaded into every Node.js process of a target by leakcheck:
//   NODE_OPTIONS="... --require <this file> --expose-gc"
//   LEAKCHECK_NODE_DIR=<a folder leakcheck reads>
// (scenarios/targets/node_heap_probe.h). A side channel for V8's heap:
// stdout is the target's protocol (MCP's JSON-RPC lines), so nothing here
// ever writes to it.
//
// At load, and on each SIGUSR2 (SIGUSR1 is the inspector's), the probe runs
// a full garbage collection (global.gc, twice: the first may leave objects
// a finalizer revived), reads process.memoryUsage() and replaces
// <dir>/node-heap-<pid>.json with one JSON line
//   {"pid":..,"seq":N,"heap_used":..,"external":..,"array_buffers":..,
//    "at_ms":..,"gc":true}
// written to a temporary file in the same folder and renamed over it, so a
// reader sees the old line or the new one, never a part. seq is 0 for the
// line written at load (it tells leakcheck which pids carry the probe) and
// counts the signals answered after that. "gc": false when global.gc is
// missing (--expose-gc was dropped): the figures are then after whatever
// collection V8 last did.
//
// Heap snapshots (leakcheck mcp --profile): when <dir>/node-snapshot-<pid>.request
// exists at a SIGUSR2, the probe takes it (one line: the absolute path to
// write), collects garbage, writes a V8 heap snapshot there
// (v8.writeHeapSnapshot, synchronous) and then its heap line as above, so
// the line's new seq tells leakcheck the snapshot is complete.
//
// The signal listener does not keep the process alive (Node unrefs signal
// handles): a server still exits when its stdin closes. Worker threads
// (which also run --require modules) do nothing: signals reach the main
// thread only. Without LEAKCHECK_NODE_DIR the probe does nothing at all.
'use strict';

// The main thread only: worker threads run --require modules too, and
// signals reach the main thread alone.
function onMainThread() {
  try {
    return require('worker_threads').isMainThread;
  } catch (e) {
    return true;  // no worker_threads module: only the main thread exists
  }
}

// What the probe writes to, and how many signals it has answered.
function makeProbe(dir) {
  const path = require('path');
  return {
    fs: require('fs'),
    file: path.join(dir, 'node-heap-' + process.pid + '.json'),
    temp: path.join(dir, '.node-heap-' + process.pid + '.tmp'),
    snapshotRequest: path.join(dir, 'node-snapshot-' + process.pid + '.request'),
    seq: 0,
    complained: false,
  };
}

// A message on stderr (stdout is the target's protocol), if it can.
function complain(text) {
  try {
    process.stderr.write('leakcheck-node-probe: ' + text + '\n');
  } catch (ignored) {
    // Nowhere left to say it.
  }
}

function writeHeap(probe) {
  const gc = typeof global.gc === 'function';
  if (gc) {
    global.gc();
    global.gc();
  }
  const usage = process.memoryUsage();
  const line = JSON.stringify({
    pid: process.pid,
    seq: probe.seq,
    heap_used: usage.heapUsed,
    external: usage.external,
    array_buffers: usage.arrayBuffers,
    at_ms: Date.now(),
    gc: gc,
  }) + '\n';
  try {
    probe.fs.writeFileSync(probe.temp, line, {mode: 0o600});
    probe.fs.renameSync(probe.temp, probe.file);
  } catch (e) {
    if (!probe.complained) {  // once
      probe.complained = true;
      complain('cannot write ' + probe.file + ': ' + e.message);
    }
  }
}

// Takes a pending snapshot request, if any; returns the path asked for.
function takeSnapshotRequest(probe) {
  let target = '';
  try {
    target = probe.fs.readFileSync(probe.snapshotRequest, 'utf8').trim();
    probe.fs.unlinkSync(probe.snapshotRequest);
  } catch (e) {
    return '';  // none asked
  }
  return target;
}

function writeSnapshot(target) {
  if (typeof global.gc === 'function') global.gc();
  try {
    require('v8').writeHeapSnapshot(target);
  } catch (e) {
    complain('cannot write a heap snapshot to ' + target + ': ' + e.message);
  }
}

function leakcheckNodeProbe() {
  const dir = process.env.LEAKCHECK_NODE_DIR;
  if (!dir || !onMainThread()) return;
  const probe = makeProbe(dir);
  // The listener first: once the file exists leakcheck may signal, and
  // SIGUSR2's default action would end the process.
  process.on('SIGUSR2', function leakcheckHeapRequest() {
    const target = takeSnapshotRequest(probe);
    if (target) writeSnapshot(target);
    probe.seq += 1;
    writeHeap(probe);
  });
  writeHeap(probe);
}

leakcheckNodeProbe();
