// What the server and goose-ext-shim agree on: the record a child writes
// to its parent when it cannot start, and how the shim receives the
// command's own environment.
//
// Between fork and exec (and in goose-ext-shim between its own fork and
// exec) a failing step writes one SpawnReport to a close-on-exec pipe and
// exits 127. The parent reads the pipe to its end: no bytes means exec
// succeeded (the pipe closed on exec); a record means Spawn fails with the
// step and errno, e.g. "cannot run foo: No such file or directory".

#ifndef GOOSE_CORE_EXTENSIONS_SPAWN_REPORT_H_
#define GOOSE_CORE_EXTENSIONS_SPAWN_REPORT_H_

#include <cstdint>
#include <string_view>

namespace goose {

enum class SpawnStage : int32_t {
  kProcessGroup = 1,   // setpgid
  kParentDeathSignal,  // prctl(PR_SET_PDEATHSIG)
  kFileDescriptors,    // dup2 of the pipes
  kWorkingDirectory,   // chdir
  kExec,               // execve
  kShimSetup,          // goose-ext-shim before its fork
  kShimFork,           // goose-ext-shim's fork
};

struct SpawnReport {
  int32_t stage = 0;  // a SpawnStage
  int32_t error = 0;  // errno
};

// Exit code of a child that failed before exec (as a shell uses).
inline constexpr int kSpawnFailedExitCode = 127;

// The prefix under which a shim receives the command's env_additions: the
// shim's own environment is the base alone (an addition such as
// LD_PRELOAD cannot reach the process that guarantees no orphans), and the
// shim hands them, unprefixed, to the command only.
inline constexpr std::string_view kShimEnvPrefix = "GOOSE_EXT_SET_";

}  // namespace goose

#endif  // GOOSE_CORE_EXTENSIONS_SPAWN_REPORT_H_
