#include "scenarios/probe/orphan_watch.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/base/process_tree.h"
#include "core/base/unique_fd.h"

namespace goose::probe {
namespace {

std::string CommandLine(pid_t pid) {
  // read(2), not an ifstream: libstdc++'s filebuf throws when read() fails,
  // and reading a process that is exiting fails with ESRCH.
  std::string raw;
  const std::string path = "/proc/" + std::to_string(pid) + "/cmdline";
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return raw;
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n > 0) {
      raw.append(buffer, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    break;
  }
  for (char& c : raw) {
    if (c == '\0') c = ' ';
  }
  while (!raw.empty() && raw.back() == ' ') raw.pop_back();
  return raw;
}

}  // namespace

OrphanWatch::OrphanWatch() {
  ::prctl(PR_GET_CHILD_SUBREAPER, &previous_);
  ::prctl(PR_SET_CHILD_SUBREAPER, 1);
}

OrphanWatch::~OrphanWatch() {
  KillAndReapAll();
  ::prctl(PR_SET_CHILD_SUBREAPER, previous_);
}

std::vector<ProcessInfo> OrphanWatch::Descendants(const std::set<pid_t>& expected) const {
  std::vector<ProcessInfo> out;
  for (const ProcStat& p : goose::Descendants(::getpid())) {
    if (expected.count(p.pid) != 0) continue;
    out.push_back(ProcessInfo{p.pid, p.ppid, p.state, CommandLine(p.pid)});
  }
  return out;
}

int OrphanWatch::ReapZombies(const std::set<pid_t>& keep) {
  // Only our own exited children that nobody else owns: waitpid(-1) would
  // steal the exit status of a child a ChildProcess in this process waits for.
  int reaped = 0;
  const pid_t self = ::getpid();
  for (const ProcStat& p : goose::Descendants(self)) {
    if (p.ppid != self || p.state != 'Z' || keep.count(p.pid) != 0) continue;
    int status = 0;
    if (::waitpid(p.pid, &status, WNOHANG) == p.pid) ++reaped;
  }
  return reaped;
}

int OrphanWatch::KillAndReapAll(const std::set<pid_t>& keep, std::chrono::milliseconds timeout) {
  // Distinct processes: one killed but not yet dead (a loaded machine) is
  // signalled again on the next round, and must not count twice.
  std::set<std::pair<pid_t, uint64_t>> killed;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    std::vector<ProcessRef> targets;
    for (const ProcStat& p : goose::Descendants(::getpid())) {
      if (keep.count(p.pid) == 0 && p.state != 'Z') targets.push_back({p.pid, p.start_time});
    }
    for (const ProcessRef& t : targets) {
      if (SignalProcesses({t}, SIGKILL) > 0) killed.insert({t.pid, t.start_time});
    }
    ReapZombies(keep);
    bool left = false;
    for (const ProcStat& p : goose::Descendants(::getpid())) left |= keep.count(p.pid) == 0;
    if (!left || std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return static_cast<int>(killed.size());
}

std::string OrphanWatch::Describe(const std::vector<ProcessInfo>& processes) {
  std::ostringstream out;
  for (const ProcessInfo& p : processes) {
    out << "pid " << p.pid << " (" << p.command << ") ppid " << p.ppid << " state " << p.state
        << "\n";
  }
  return out.str();
}

}  // namespace goose::probe
