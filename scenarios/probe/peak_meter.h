// PeakMeter: the highest heap and resident memory of a process over one
// stretch of work, for the peak-memory gates (the leak gates measure growth
// across many repetitions; these measure how high one piece of work goes).
//
// Resident memory: the kernel's own high-water mark, VmHWM in
// /proc/<pid>/status, reset at Start() by writing 5 to
// /proc/<pid>/clear_refs. Exact, for this process or another one; -1 when
// the mark could not be reset (another user's process).
//
// Heap (this process only): exact where the program counts its heap
// (ExactHeap, exact_heap.h: its main called CountHeapExactly): the highest
// live bytes between Start() and Stop(), however short the spike. Else the
// allocator's own count of bytes in use (HeapGauge) sampled on a thread
// every `period` (500 us by default), which can miss a spike shorter than
// the gaps between samples (on a loaded machine they stretch to
// milliseconds). Under ThreadSanitizer without the hooks nothing sees the
// heap: heap_observable() is false and the heap figures are -1.
//
// One meter measures one stretch at a time; not thread-safe.

#ifndef GOOSE_SCENARIOS_PROBE_PEAK_METER_H_
#define GOOSE_SCENARIOS_PROBE_PEAK_METER_H_

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>

namespace goose::probe {

struct PeakFigures {
  int64_t heap_before = -1;     // heap in use at Start()
  int64_t heap_peak = -1;       // the highest heap sample
  int64_t rss_before = -1;      // resident at Start()
  int64_t rss_peak = -1;        // VmHWM at Stop()
  int64_t samples = 0;          // heap samples taken (0 when exact)
  bool heap_exact = false;      // the heap peak is exact (ExactHeap), not sampled
  bool rss_mark_reset = false;  // VmHWM was reset at Start(); else rss_peak is -1

  // Peak over the start, in bytes (-1 when not observed).
  int64_t heap_rise() const { return heap_peak < 0 ? -1 : heap_peak - heap_before; }
  int64_t rss_rise() const { return rss_peak < 0 ? -1 : rss_peak - rss_before; }
  // "heap +1.2 MiB (peak 14.0 MiB, exact), rss +3.4 MiB (peak 40.1 MiB)".
  std::string ToString() const;
};

// How a meter of this process reads its heap.
enum class HeapReading {
  kExactWhereCounted,  // ExactHeap when available, else sampled
  kSampled,            // always sampled (to test the sampler)
};

class PeakMeter {
 public:
  // `pid` 0: this process (heap and RSS); another pid: its RSS only.
  explicit PeakMeter(pid_t pid = 0,
                     std::chrono::microseconds period = std::chrono::microseconds(500),
                     HeapReading reading = HeapReading::kExactWhereCounted);
  ~PeakMeter();
  PeakMeter(const PeakMeter&) = delete;
  PeakMeter& operator=(const PeakMeter&) = delete;

  // Whether the heap of the measured process can be seen here.
  bool heap_observable() const;
  // Whether it is counted exactly rather than sampled.
  bool heap_exact() const;

  void Start();
  PeakFigures Stop();
  // Heap samples taken since Start() (for a test that holds a spike until
  // the sampler has seen it).
  int64_t samples() const { return samples_.load(std::memory_order_relaxed); }

 private:
  void Sample();

  const pid_t pid_;
  const std::chrono::microseconds period_;
  const HeapReading reading_;
  PeakFigures figures_;
  std::atomic<int64_t> heap_peak_{-1};
  std::atomic<int64_t> samples_{0};
  std::jthread sampler_;
};

// VmHWM and VmRSS of `pid` (0: this process) in bytes; -1 when unreadable.
int64_t ReadPeakRss(pid_t pid);
int64_t ReadRss(pid_t pid);
// Resets the kernel's VmHWM of `pid` to its current RSS. False when not
// allowed (another user's process without the capability).
bool ResetPeakRss(pid_t pid);

}  // namespace goose::probe

#endif  // GOOSE_SCENARIOS_PROBE_PEAK_METER_H_
