// Scenario: one kind of real work a leak gate repeats against a server.
//
// A scenario says what it is (name, description, what it measures), what
// server it needs (TargetRequirements), how many warm-up and measured
// iterations it runs by default, and how many HTTP requests one iteration
// makes. The Runner (runner.h) calls Setup() once, Iterate() for every
// warm-up and measured iteration, and Teardown() once, sampling every
// series after each iteration. Scenarios know nothing of GoogleTest: the
// gates and the `leakcheck` tool run the same objects.
//
// Iterate() must leave the server at rest when it returns (every session
// it made ended or, for the reaping scenario, reaped), except for what a
// leak keeps: that is what the counted series then show. It returns an
// error only when the server did not do its job (a wrong answer), not for
// a leak. Iterate() should not allocate anything that outlives it.

#ifndef GOOSE_SCENARIOS_RUNNER_SCENARIO_H_
#define GOOSE_SCENARIOS_RUNNER_SCENARIO_H_

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "core/base/json.h"
#include "core/base/status.h"
#include "scenarios/runner/thresholds.h"
#include "scenarios/targets/target.h"

namespace goose::scenarios {

// An answer of the target that differs from our goose-api's (e.g. 200 with
// a warning where ours answers 500, or a "Reply: " prefix), and how often
// it was seen. A finding about the target, not a leak and not an error.
struct Deviation {
  std::string what;  // stable text: the same difference always reads the same
  int64_t count = 0;
};

// What a scenario needs of its target beyond HTTP. The gates' Runner picks
// the kind of target from it, and leakcheck which targets a scenario can
// run on (a server it starts, one it is given, one already running).
struct ScenarioNeeds {
  // Kills and restarts the server between iterations: our goose-api as a
  // program (ProcessTarget), never a server someone else wrote.
  bool separate_processes = false;
  // Waits for the server's reaper, so it must know the idle TTL: a server
  // it starts is told one, an attached server's is stated by the user.
  bool session_ttl = false;
  // Has a concurrent form (SetConcurrency).
  bool concurrency = false;
  // Runs a stdio extension (mock-mcp) in the server's sessions.
  bool extension = false;
  // Needs the mock provider to play its script (slow turns, failures,
  // context_length_exceeded): not an attached server, whose provider is
  // not ours.
  bool scripted_provider = false;
  // Starts servers of its own in each iteration (an MCP shutdown): the
  // target's heap is not what it measures, so it needs no heap warm-up.
  bool fresh_servers = false;
};

struct ScenarioInfo {
  std::string name;         // snake_case, the key of its thresholds
  std::string description;  // one sentence
  std::string measures;     // which series matter most, and why
  int warmup = 10;          // default warm-up iterations (discarded)
  int iterations = 100;     // default measured iterations
  int requests_per_iteration = 1;
  ScenarioNeeds needs;
  // Heap thresholds of the scenario's own, read before the built-in table
  // (thresholds.h); a scenario defined outside scenarios/ keeps them beside
  // it. Static storage: the span is not owned.
  std::span<const ThresholdRow> heap_thresholds;
};

class Scenario {
 public:
  virtual ~Scenario() = default;

  virtual const ScenarioInfo& info() const = 0;
  virtual TargetRequirements requirements() const = 0;

  // Once, before the first iteration (e.g. add extensions).
  virtual Status Setup(Target& target) = 0;
  // One repetition of the work; `i` counts from 0 over warm-up and
  // measured iterations together.
  virtual Status Iterate(Target& target, int i) = 0;
  // Once, after the last iteration.
  virtual Status Teardown(Target& target) = 0;

  // Runs `clients` clients at once in each iteration (leakcheck's
  // --concurrency). False when the scenario has no concurrent form; then
  // nothing changed. REQUIRES: clients >= 1, before Setup().
  virtual bool SetConcurrency(int clients) {
    (void)clients;
    return false;
  }

  // Lenient (leakcheck against a server it did not write): an answer that
  // differs from our goose-api's is recorded as a Deviation and the
  // scenario goes on driving and measuring; it errors only when it truly
  // cannot go on (no answer, no session id). Strict (the default; the
  // gates and our own server): such an answer fails the iteration.
  virtual void SetLenient(bool lenient) { (void)lenient; }
  // The deviations seen so far, in the order first seen.
  virtual std::vector<Deviation> Deviations() const { return {}; }
  // What the scenario found wrong that is not a growth (an MCP server that
  // does not exit when its stdin closes), each in words: any fails it.
  virtual std::vector<std::string> Violations() const { return {}; }
  // What it recorded for the report beyond the series (e.g. how each
  // server it ended shut down), as report fields.
  virtual Json Findings() const { return Json::object(); }

  // The idle TTL the target reaps sessions after, for the scenarios that
  // wait for the reaper: leakcheck's --session-ttl (what a target that
  // cannot be told promises). False when the scenario waits for no reaper.
  virtual bool SetSessionTtl(std::chrono::duration<double> ttl) {
    (void)ttl;
    return false;
  }

  // The stdio extension its sessions run (leakcheck's --extension; by
  // default mock-mcp). False when the scenario runs no extension; then
  // nothing changed. REQUIRES: before requirements() and Setup().
  virtual bool SetExtension(const ExtensionCommand& extension) {
    (void)extension;
    return false;
  }
};

}  // namespace goose::scenarios

#endif  // GOOSE_SCENARIOS_RUNNER_SCENARIO_H_
