#include "core/base/process_tree.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <unordered_map>

#include "core/base/unique_fd.h"

namespace goose {
namespace {

// Reads a small /proc file whole into `buf`; returns the byte count or -1.
ssize_t ReadSmallFile(const char* path, char* buf, size_t cap) {
  UniqueFd fd(::open(path, O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return -1;
  size_t used = 0;
  while (used < cap) {
    ssize_t n = ::read(fd.get(), buf + used, cap - used);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -1;
    if (n == 0) break;
    used += static_cast<size_t>(n);
  }
  return static_cast<ssize_t>(used);
}

// Parses a decimal field starting at *p; advances past it and one space.
bool NextField(const char** p, const char* end, uint64_t* out, bool is_signed = false) {
  const char* s = *p;
  bool negative = false;
  if (is_signed && s < end && *s == '-') {
    negative = true;
    ++s;
  }
  if (s >= end || *s < '0' || *s > '9') return false;
  uint64_t v = 0;
  while (s < end && *s >= '0' && *s <= '9') v = v * 10 + static_cast<uint64_t>(*s++ - '0');
  if (s < end && *s == ' ') ++s;
  *p = s;
  *out = negative ? static_cast<uint64_t>(-static_cast<int64_t>(v)) : v;
  return true;
}

bool SkipField(const char** p, const char* end) {
  const char* s = *p;
  while (s < end && *s != ' ') ++s;
  if (s >= end) return false;
  *p = s + 1;
  return true;
}

int PidfdOpen(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }

int PidfdSendSignal(int pidfd, int sig) {
  return static_cast<int>(::syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0));
}

}  // namespace

std::optional<ProcStat> ParseProcStat(const char* text, size_t size) {
  const char* end = text + size;
  // "pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt
  //  cmajflt utime stime cutime cstime priority nice threads itreal starttime"
  const char* close = nullptr;
  for (const char* c = end; c > text; --c) {
    if (c[-1] == ')') {
      close = c - 1;
      break;
    }
  }
  if (close == nullptr) return std::nullopt;
  ProcStat st;
  const char* p = text;
  uint64_t v = 0;
  if (!NextField(&p, close, &v)) return std::nullopt;
  st.pid = static_cast<pid_t>(v);
  p = close + 1;
  if (p >= end || *p != ' ') return std::nullopt;
  ++p;
  if (p >= end) return std::nullopt;
  st.state = *p;
  p += 1;
  if (p >= end || *p != ' ') return std::nullopt;
  ++p;
  if (!NextField(&p, end, &v, true)) return std::nullopt;  // 4 ppid
  st.ppid = static_cast<pid_t>(v);
  if (!NextField(&p, end, &v, true)) return std::nullopt;  // 5 pgrp
  st.pgid = static_cast<pid_t>(v);
  if (!NextField(&p, end, &v, true)) return std::nullopt;  // 6 session
  st.sid = static_cast<pid_t>(v);
  for (int field = 7; field < 22; ++field) {
    if (!SkipField(&p, end)) return std::nullopt;
  }
  if (!NextField(&p, end, &v)) return std::nullopt;  // 22 starttime
  st.start_time = v;
  return st;
}

std::optional<ProcStat> ReadProcStat(pid_t pid) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/stat", static_cast<int>(pid));
  char buf[1024];
  ssize_t n = ReadSmallFile(path, buf, sizeof buf);
  if (n <= 0) return std::nullopt;
  return ParseProcStat(buf, static_cast<size_t>(n));
}

std::vector<ProcStat> ListProcesses() {
  std::vector<ProcStat> out;
  DIR* dir = ::opendir("/proc");
  if (dir == nullptr) return out;
  while (dirent* entry = ::readdir(dir)) {
    char* end = nullptr;
    long pid = std::strtol(entry->d_name, &end, 10);
    if (end == entry->d_name || *end != '\0' || pid <= 0) continue;
    if (auto st = ReadProcStat(static_cast<pid_t>(pid))) out.push_back(*st);
  }
  ::closedir(dir);
  return out;
}

std::vector<ProcStat> Descendants(pid_t root) {
  std::vector<ProcStat> all = ListProcesses();
  std::unordered_multimap<pid_t, size_t> children;  // ppid -> index in `all`
  for (size_t i = 0; i < all.size(); ++i) children.emplace(all[i].ppid, i);
  std::vector<ProcStat> out;
  std::vector<pid_t> frontier{root};
  // A process can appear once only (pids are unique in one scan), so the
  // walk ends even if the scan caught a reparenting half-way.
  while (!frontier.empty() && out.size() < all.size()) {
    pid_t parent = frontier.back();
    frontier.pop_back();
    auto range = children.equal_range(parent);
    for (auto it = range.first; it != range.second; ++it) {
      const ProcStat& child = all[it->second];
      if (child.pid == root) continue;
      out.push_back(child);
      frontier.push_back(child.pid);
    }
  }
  return out;
}

std::vector<ProcessRef> DescendantRefs(pid_t root) {
  std::vector<ProcessRef> out;
  for (const ProcStat& st : Descendants(root)) out.push_back({st.pid, st.start_time});
  return out;
}

int SignalProcesses(const std::vector<ProcessRef>& procs, int sig) {
  int signalled = 0;
  for (const ProcessRef& ref : procs) {
    UniqueFd pidfd(PidfdOpen(ref.pid));
    if (!pidfd.valid()) continue;  // gone (ESRCH)
    // The pidfd pins one process; if /proc still shows the start time we
    // recorded, it is the same one.
    auto st = ReadProcStat(ref.pid);
    if (!st || st->start_time != ref.start_time) continue;
    if (PidfdSendSignal(pidfd.get(), sig) == 0) ++signalled;
  }
  return signalled;
}

bool IsRunning(const ProcessRef& ref) {
  auto st = ReadProcStat(ref.pid);
  return st && st->start_time == ref.start_time && st->state != 'Z' && st->state != 'X';
}

}  // namespace goose
