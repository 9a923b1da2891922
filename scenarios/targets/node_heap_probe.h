// NodeHeapProbe: V8's used heap of a Node.js target, through a side channel.
//
// A Node.js server's live heap is V8's, not malloc's: the series leakcheck
// judges is process.memoryUsage().heapUsed after a forced full garbage
// collection (JS objects, strings, arrays, closures). Buffers and
// ArrayBuffers live outside it (`external`, `array_buffers`); the probe
// records those too, but the series is heapUsed alone, so a leak of
// retained Buffers shows only in their memory's PSS.
//
// How it is read. AddNodeProbeEnv() puts leakcheck-node-probe.js
// (scenarios/alloc_counter/node/) into NODE_OPTIONS with --require and
// --expose-gc, and names a folder in LEAKCHECK_NODE_DIR. NODE_OPTIONS is
// inherited by every node process below the one started (`npx ...`,
// `sh -c 'node server.js'`: the real server may be a grandchild), and each
// loads the probe. The probe writes <dir>/node-heap-<pid>.json once at load
// (seq 0: this pid carries it) and again on each SIGUSR2, after gc() twice,
// as one JSON line renamed into place. stdout is never touched: it is the
// target's protocol (MCP's JSON-RPC lines), which --trace-gc would corrupt.
//
// Read() signals the processes that carry the probe and sums their
// heapUsed: the launcher's node (steady) and the server's both count.
// A target whose launcher clears or replaces NODE_OPTIONS carries no probe,
// and Read() says so.
//
// Thread safety: one thread at a time per NodeHeapProbe.

#ifndef GOOSE_SCENARIOS_TARGETS_NODE_HEAP_PROBE_H_
#define GOOSE_SCENARIOS_TARGETS_NODE_HEAP_PROBE_H_

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/base/status.h"

namespace goose::scenarios {

// The variable naming the folder the probe writes its files to.
inline constexpr const char* kNodeProbeDirEnv = "LEAKCHECK_NODE_DIR";
// The folder beside the programs that holds the probe script, and its name.
inline constexpr const char* kNodeProbeDirName = "leakcheck-node";
inline constexpr const char* kNodeProbeScriptName = "leakcheck-node-probe.js";

// leakcheck-node/leakcheck-node-probe.js in the directory of the running
// executable (/proc/self/exe), where the build copies it.
std::string NodeProbePath();

// Sets kNodeProbeDirEnv to `dir` (made absolute) and appends
// `--require "<NodeProbePath()>" --expose-gc` to NODE_OPTIONS: the one in
// `env` when it has one, else this process's, so a caller's own node
// options are kept. The path is quoted as Node's NODE_OPTIONS parser reads
// quotes (a folder with spaces survives).
void AddNodeProbeEnv(const std::filesystem::path& dir, std::map<std::string, std::string>& env);

class NodeHeapProbe {
 public:
  // One process's answer, as its probe wrote it.
  struct Reading {
    pid_t pid = 0;
    int64_t seq = 0;
    int64_t heap_used = 0;      // V8 heap in use after gc(): the series
    int64_t external = 0;       // C++ objects bound to JS ones, Buffers included
    int64_t array_buffers = 0;  // ArrayBuffer and Buffer memory (part of external)
    int64_t at_ms = 0;          // when it was written, ms since the epoch
    bool gc = false;            // false: global.gc was missing (--expose-gc dropped)
  };

  // `dir`: the folder given to AddNodeProbeEnv (created by the caller).
  explicit NodeHeapProbe(std::filesystem::path dir);

  // Sends SIGUSR2 to each process in `pids` that carries the probe (has
  // written its file in dir), waits until each has written a later seq
  // (polling every 5 ms, until `timeout`), and returns the sum of their
  // heap_used in bytes. Pass the target's process tree: only those pids
  // are signalled, so a pid whose probe file outlived it and whose number
  // went to an unrelated process is never hit. Processes that exited (before
  // or while waiting) are dropped. Errors: NotFound when no process
  // in `pids` carries the probe (or all of them exited), naming the folder
  // and saying that a launcher may have cleared NODE_OPTIONS;
  // DeadlineExceeded naming the first pid that did not answer; DataLoss for
  // a probe file that is not the probe's JSON. A late answer to an earlier
  // Read() that timed out counts as an answer.
  Result<double> Read(const std::vector<pid_t>& pids, std::chrono::milliseconds timeout);

  // Asks each process in `pids` that carries the probe for a V8 heap
  // snapshot, written to <out_dir>/<tag>-<pid>.heapsnapshot, and waits for
  // them as Read() waits for its answers (a snapshot of a small server
  // takes a second or two: give `timeout` room). Returns the files
  // written, by pid. Errors as Read()'s; IoError when a request cannot be
  // written or a process answered without writing its snapshot (its
  // stderr says why).
  Result<std::map<pid_t, std::filesystem::path>> WriteSnapshots(
      const std::vector<pid_t>& pids, const std::filesystem::path& out_dir, const std::string& tag,
      std::chrono::milliseconds timeout);

  // The pids that have written a probe file in dir and are still running,
  // ascending.
  std::vector<pid_t> ProbedPids() const;

  // What the last successful Read() summed, one Reading per process.
  const std::vector<Reading>& last_readings() const { return last_readings_; }

 private:
  std::filesystem::path FileOf(pid_t pid) const;

  std::filesystem::path dir_;
  std::vector<Reading> last_readings_;
};

}  // namespace goose::scenarios

#endif  // GOOSE_SCENARIOS_TARGETS_NODE_HEAP_PROBE_H_
