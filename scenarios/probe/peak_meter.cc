#include "scenarios/probe/peak_meter.h"

#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "core/base/strings.h"
#include "scenarios/probe/exact_heap.h"
#include "scenarios/probe/heap_gauge.h"

namespace goose::probe {
namespace {

std::string ProcPath(pid_t pid, const char* file) {
  return pid == 0 ? std::string("/proc/self/") + file : "/proc/" + std::to_string(pid) + "/" + file;
}

// A "Name:   123 kB" line of /proc/<pid>/status, in bytes.
int64_t StatusKb(pid_t pid, const char* name) {
  std::ifstream in(ProcPath(pid, "status"));
  std::string line;
  const size_t len = std::strlen(name);
  while (std::getline(in, line)) {
    if (line.compare(0, len, name) == 0 && line.size() > len && line[len] == ':') {
      return std::strtoll(line.c_str() + len + 1, nullptr, 10) * 1024;
    }
  }
  return -1;
}

std::string Mib(int64_t bytes) {
  return FormatFixed(static_cast<double>(bytes) / (1 << 20), 1) + " MiB";
}

}  // namespace

int64_t ReadPeakRss(pid_t pid) { return StatusKb(pid, "VmHWM"); }
int64_t ReadRss(pid_t pid) { return StatusKb(pid, "VmRSS"); }

bool ResetPeakRss(pid_t pid) {
  std::ofstream out(ProcPath(pid, "clear_refs"));
  if (!out) return false;
  out << "5";
  out.flush();
  return static_cast<bool>(out);
}

std::string PeakFigures::ToString() const {
  std::string s;
  if (heap_peak >= 0) {
    s += "heap +" + Mib(heap_rise()) + " (peak " + Mib(heap_peak) +
         (heap_exact ? ", exact)" : ", sampled)");
  } else {
    s += "heap not observable";
  }
  s += ", rss ";
  if (rss_peak >= 0) {
    s += "+" + Mib(rss_rise()) + " (peak " + Mib(rss_peak) + ")";
  } else {
    s += rss_mark_reset ? "unreadable" : "peak unknown (VmHWM could not be reset)";
  }
  return s;
}

PeakMeter::PeakMeter(pid_t pid, std::chrono::microseconds period, HeapReading reading)
    : pid_(pid), period_(period), reading_(reading) {}

PeakMeter::~PeakMeter() = default;

bool PeakMeter::heap_exact() const {
  return pid_ == 0 && reading_ == HeapReading::kExactWhereCounted && ExactHeap::Available();
}

bool PeakMeter::heap_observable() const {
#if defined(GOOSE_TSAN)
  return heap_exact();  // mallinfo2 does not see TSan's allocator; its hooks do
#else
  return pid_ == 0;
#endif
}

void PeakMeter::Sample() {
  const int64_t now = HeapGauge::AllocatedBytes();
  int64_t peak = heap_peak_.load(std::memory_order_relaxed);
  while (now > peak && !heap_peak_.compare_exchange_weak(peak, now)) {
  }
  samples_.fetch_add(1, std::memory_order_relaxed);
}

void PeakMeter::Start() {
  sampler_ = std::jthread();
  figures_ = PeakFigures{};
  // A high-water mark that could not be reset would report an earlier peak
  // as this stretch's: then the resident peak is unknown (-1), not wrong.
  figures_.rss_mark_reset = ResetPeakRss(pid_);
  figures_.rss_before = ReadRss(pid_);
  if (heap_exact()) {
    figures_.heap_exact = true;
    figures_.heap_before = ExactHeap::Reset();
  } else if (heap_observable()) {
    figures_.heap_before = HeapGauge::AllocatedBytes();
    heap_peak_.store(figures_.heap_before);
    samples_.store(0);
    sampler_ = std::jthread([this](std::stop_token stop) {
      while (!stop.stop_requested()) {
        Sample();
        std::this_thread::sleep_for(period_);
      }
    });
  }
}

PeakFigures PeakMeter::Stop() {
  if (figures_.heap_exact) {
    figures_.heap_peak = ExactHeap::Peak();
  } else if (sampler_.joinable()) {
    sampler_ = std::jthread();  // requests stop and joins
    Sample();
    figures_.heap_peak = heap_peak_.load();
    figures_.samples = samples_.load();
  }
  figures_.rss_peak = figures_.rss_mark_reset ? ReadPeakRss(pid_) : -1;
  return figures_;
}

}  // namespace goose::probe
