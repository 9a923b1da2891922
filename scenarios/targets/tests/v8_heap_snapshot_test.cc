// V8 heap snapshot summaries and their comparison. Hand-made snapshots
// with a known graph check the grouping, the dominators (a shared node, a
// weak edge, shortcut edges, nested instances of one constructor, a chain
// too deep for recursion) and the errors for files that are not snapshots;
// two snapshots a real node writes around 5000 allocations must put that
// constructor on top. The time a real snapshot takes is printed, not
// asserted (a shared 2-core machine).
//
// Without node the real-snapshot test is skipped, or fails under CI=true.

#include "scenarios/targets/v8_heap_snapshot.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/extensions/child_process.h"
#include "harness/test_util.h"
#include "scenarios/targets/run_program.h"

namespace goose::scenarios {
namespace {

using ::testing::HasSubstr;

// A snapshot in V8's format, built node by node. The fields, node types
// and edge types are listed in an order of their own (not V8's), so a
// reader that assumes V8's positions fails.
class SnapshotBuilder {
 public:
  SnapshotBuilder() { Node("synthetic", "", 0); }  // the root, node 0

  static constexpr int kRoot = 0;

  // A new node; returns its ordinal.
  int Node(const std::string& type, const std::string& name, int64_t self_size) {
    nodes_.push_back({type, name, self_size, {}});
    return static_cast<int>(nodes_.size()) - 1;
  }

  void Edge(int from, const std::string& type, int to) {
    nodes_[static_cast<size_t>(from)].edges.push_back({type, to});
  }

  Json Build() const {
    const std::vector<std::string> node_fields = {"name", "id", "edge_count", "self_size", "type"};
    const std::vector<std::string> edge_fields = {"to_node", "type", "name_or_index"};
    Json snapshot;
    snapshot["snapshot"]["meta"] = {
        {"node_fields", node_fields},
        {"node_types", {kNodeTypes, "string", "number", "number", "number"}},
        {"edge_fields", edge_fields},
        {"edge_types", {kEdgeTypes, "node", "string_or_number"}},
    };
    snapshot["snapshot"]["node_count"] = nodes_.size();
    Json nodes = Json::array();
    Json edges = Json::array();
    // The nodes' names first: strings[1] is node 1's name.
    std::vector<std::string> strings;
    std::map<std::string, size_t> string_at;
    const auto string_index = [&](const std::string& text) {
      const auto [it, added] = string_at.emplace(text, strings.size());
      if (added) strings.push_back(text);
      return it->second;
    };
    for (const NodeSpec& node : nodes_) string_index(node.name);
    size_t edge_count = 0;
    for (size_t i = 0; i < nodes_.size(); ++i) {
      const NodeSpec& node = nodes_[i];
      nodes.push_back(string_index(node.name));
      nodes.push_back(i * 2 + 1);  // id
      nodes.push_back(node.edges.size());
      nodes.push_back(node.self_size);
      nodes.push_back(IndexOf(kNodeTypes, node.type));
      for (const auto& [type, to] : node.edges) {
        edges.push_back(to * static_cast<int>(node_fields.size()));
        edges.push_back(IndexOf(kEdgeTypes, type));
        edges.push_back(string_index("edge"));
        ++edge_count;
      }
    }
    snapshot["snapshot"]["edge_count"] = edge_count;
    snapshot["nodes"] = std::move(nodes);
    snapshot["edges"] = std::move(edges);
    snapshot["strings"] = strings;
    return snapshot;
  }

 private:
  struct NodeSpec {
    std::string type;
    std::string name;
    int64_t self_size;
    std::vector<std::pair<std::string, int>> edges;
  };

  static size_t IndexOf(const std::vector<std::string>& names, const std::string& name) {
    for (size_t i = 0; i < names.size(); ++i) {
      if (names[i] == name) return i;
    }
    ADD_FAILURE() << "no type " << name;
    return 0;
  }

  inline static const std::vector<std::string> kNodeTypes = {
      "object", "string", "synthetic", "closure", "native", "hidden", "array", "code"};
  inline static const std::vector<std::string> kEdgeTypes = {
      "weak", "property", "element", "shortcut", "internal", "hidden", "context"};

  std::vector<NodeSpec> nodes_;
};

// The statistics of group `name`, or a failure and zeros.
ConstructorStats StatsOf(const HeapSnapshotSummary& summary, const std::string& name) {
  const ConstructorStats* stats = summary.Find(name);
  if (stats == nullptr) {
    ADD_FAILURE() << "no group " << name;
    return {};
  }
  return *stats;
}

// The groups' names, in order.
template <typename Group>
std::vector<std::string> NamesOf(const std::vector<Group>& groups) {
  std::vector<std::string> names;
  names.reserve(groups.size());
  for (const Group& group : groups) names.push_back(group.name);
  return names;
}

// The test graph, sizes in brackets (edges are strong unless marked):
//
//   root -> A: Foo [10] -> B: Foo [20] -> C: "hello" (string) [5]
//   root -> H: Foo [40]
//   root -> (GC roots) (synthetic) -> D: Bar [7] -weak-> W: Cached [100]
//   root -> X: Holder [1] -> P: Left [2] -> S: Shared [8]
//                        \-> Q: Right [4] -/
//   A -shortcut-> S  (only the root's shortcuts count)
//   root -shortcut-> G: Global [6] -> K: "onData" (closure) [32]
//   root -> N: "" (object) [3], root -> V: Env (native) [50]
//   root -> T: (hidden) [11] -> U: (array) [12]
constexpr int kHolder = 8;  // X's ordinal

SnapshotBuilder TestGraph() {
  SnapshotBuilder b;
  const int root = SnapshotBuilder::kRoot;
  const int a = b.Node("object", "Foo", 10);
  const int bb = b.Node("object", "Foo", 20);
  const int c = b.Node("string", "hello", 5);
  const int h = b.Node("object", "Foo", 40);
  const int gc_roots = b.Node("synthetic", "(GC roots)", 0);
  const int d = b.Node("object", "Bar", 7);
  const int w = b.Node("object", "Cached", 100);
  const int x = b.Node("object", "Holder", 1);
  EXPECT_EQ(x, kHolder);
  const int p = b.Node("object", "Left", 2);
  const int q = b.Node("object", "Right", 4);
  const int s = b.Node("object", "Shared", 8);
  const int g = b.Node("object", "Global", 6);
  const int k = b.Node("closure", "onData", 32);
  const int n = b.Node("object", "", 3);
  const int v = b.Node("native", "Env", 50);
  const int t = b.Node("hidden", "system / Context", 11);
  const int u = b.Node("array", "(object elements)", 12);
  b.Edge(root, "property", a);
  b.Edge(root, "element", h);
  b.Edge(root, "element", gc_roots);
  b.Edge(root, "property", x);
  b.Edge(root, "shortcut", g);
  b.Edge(root, "property", n);
  b.Edge(root, "property", v);
  b.Edge(root, "hidden", t);
  b.Edge(a, "property", bb);
  b.Edge(a, "shortcut", s);
  b.Edge(bb, "property", c);
  b.Edge(gc_roots, "element", d);
  b.Edge(d, "weak", w);
  b.Edge(x, "property", p);
  b.Edge(x, "property", q);
  b.Edge(p, "property", s);
  b.Edge(q, "internal", s);
  b.Edge(g, "property", k);
  b.Edge(k, "context", g);  // a cycle back up changes nothing
  b.Edge(t, "internal", u);
  return b;
}

TEST(V8HeapSnapshotTest, GroupsNodesAndComputesRetainedSizes) {
  Result<HeapSnapshotSummary> summary = SummarizeHeapSnapshot(TestGraph().Build());
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();

  EXPECT_EQ(summary->nodes, 18);
  EXPECT_EQ(summary->edges, 20);
  EXPECT_EQ(summary->total_self_bytes,
            10 + 20 + 5 + 40 + 7 + 100 + 1 + 2 + 4 + 8 + 6 + 32 + 3 + 50 + 11 + 12);
  // W is held only by a weak edge.
  EXPECT_EQ(summary->unreachable_nodes, 1);
  EXPECT_EQ(summary->unreachable_self_bytes, 100);
  EXPECT_EQ(summary->Find("Cached"), nullptr);

  EXPECT_THAT(
      NamesOf(summary->constructors),
      ::testing::ElementsAre("(array)", "(closure)", "(hidden)", "(object)", "(string)", "Bar",
                             "Env", "Foo", "Global", "Holder", "Left", "Right", "Shared"));

  // Three Foo; B is inside A's retained size, so counted once: A (10 + 20
  // + 5) and H (40).
  const ConstructorStats foo = StatsOf(*summary, "Foo");
  EXPECT_EQ(foo.count, 3);
  EXPECT_EQ(foo.self_bytes, 70);
  EXPECT_EQ(foo.retained_bytes, 75);

  // The weak edge keeps nothing: Bar retains only itself.
  EXPECT_EQ(StatsOf(*summary, "Bar").retained_bytes, 7);

  // S is reached through P and through Q: its dominator is X, which
  // retains all four. A's shortcut to S is not a path.
  EXPECT_EQ(StatsOf(*summary, "Holder").retained_bytes, 1 + 2 + 4 + 8);
  EXPECT_EQ(StatsOf(*summary, "Left").retained_bytes, 2);
  EXPECT_EQ(StatsOf(*summary, "Right").retained_bytes, 4);
  EXPECT_EQ(StatsOf(*summary, "Shared").retained_bytes, 8);

  // The root's shortcut reaches the global object, and through it the
  // closure, grouped by its type, not its name.
  EXPECT_EQ(StatsOf(*summary, "Global").retained_bytes, 6 + 32);
  const ConstructorStats closure = StatsOf(*summary, "(closure)");
  EXPECT_EQ(closure.count, 1);
  EXPECT_EQ(closure.self_bytes, 32);
  EXPECT_EQ(closure.retained_bytes, 32);
  EXPECT_EQ(summary->Find("onData"), nullptr);

  // Strings and other non-objects by type; objects without a name as
  // "(object)"; native nodes by name; synthetic nodes in no group.
  EXPECT_EQ(StatsOf(*summary, "(string)").self_bytes, 5);
  EXPECT_EQ(StatsOf(*summary, "(object)").self_bytes, 3);
  EXPECT_EQ(StatsOf(*summary, "Env").self_bytes, 50);
  EXPECT_EQ(StatsOf(*summary, "(hidden)").retained_bytes, 11 + 12);
  EXPECT_EQ(StatsOf(*summary, "(array)").retained_bytes, 12);
  EXPECT_EQ(summary->Find("(synthetic)"), nullptr);
  EXPECT_EQ(summary->Find("(GC roots)"), nullptr);
}

TEST(V8HeapSnapshotTest, CountsANestedChainOfOneConstructorOnce) {
  // root -> L1 -> L2 -> ... -> L200000 (all Link, 16 bytes each), then a
  // string at the end: far deeper than any recursion could go.
  SnapshotBuilder b;
  constexpr int kChain = 200000;
  int previous = SnapshotBuilder::kRoot;
  for (int i = 0; i < kChain; ++i) {
    const int link = b.Node("object", "Link", 16);
    b.Edge(previous, "property", link);
    previous = link;
  }
  b.Edge(previous, "property", b.Node("string", "end", 9));
  Result<HeapSnapshotSummary> summary = SummarizeHeapSnapshot(b.Build());
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  const ConstructorStats link = StatsOf(*summary, "Link");
  EXPECT_EQ(link.count, kChain);
  EXPECT_EQ(link.retained_bytes, int64_t{kChain} * 16 + 9);
}

TEST(V8HeapSnapshotTest, ComparesSnapshotsLargestRetainedGrowthFirst) {
  SnapshotBuilder before = TestGraph();
  SnapshotBuilder after = TestGraph();
  // After: two more Bar under the root (+14 retained), a Foo with a
  // string of 1000 bytes (+1040), and 5 strings under X (+5 count, +50
  // retained for Holder, which does not grow in count).
  for (int i = 0; i < 2; ++i)
    after.Edge(SnapshotBuilder::kRoot, "property", after.Node("object", "Bar", 7));
  const int foo = after.Node("object", "Foo", 40);
  after.Edge(SnapshotBuilder::kRoot, "property", foo);
  after.Edge(foo, "property", after.Node("string", "big", 1000));
  for (int i = 0; i < 5; ++i) after.Edge(kHolder, "property", after.Node("string", "s", 10));

  Result<HeapSnapshotSummary> then = SummarizeHeapSnapshot(before.Build());
  Result<HeapSnapshotSummary> now = SummarizeHeapSnapshot(after.Build());
  ASSERT_TRUE(then.ok()) << then.status().ToString();
  ASSERT_TRUE(now.ok()) << now.status().ToString();

  const std::vector<ConstructorGrowth> growth = CompareHeapSnapshots(*then, *now, 10);
  const std::vector<std::string> names = NamesOf(growth);
  // (string): +6 count, +1050 retained; Foo: +1 count, +1040; Holder: +50,
  // count unchanged; Bar: +2 count, +14.
  EXPECT_THAT(names, ::testing::ElementsAre("(string)", "Foo", "Holder", "Bar"));
  ASSERT_EQ(growth.size(), 4u);
  EXPECT_EQ(growth[0].count_delta(), 6);
  EXPECT_EQ(growth[0].retained_bytes_delta(), 1050);
  EXPECT_EQ(growth[1].before.count, 3);
  EXPECT_EQ(growth[1].after.count, 4);
  EXPECT_EQ(growth[1].self_bytes_delta(), 40);
  EXPECT_EQ(growth[1].retained_bytes_delta(), 1040);
  EXPECT_EQ(growth[2].count_delta(), 0);
  EXPECT_EQ(growth[2].retained_bytes_delta(), 50);
  EXPECT_EQ(growth[3].count_delta(), 2);
  EXPECT_EQ(growth[3].retained_bytes_delta(), 14);

  EXPECT_THAT(CompareHeapSnapshots(*then, *now, 2), ::testing::SizeIs(2));
  // By what was added: (string) +1050 self, Foo +40, Bar +14; Holder
  // (retained only) last.
  EXPECT_THAT(NamesOf(CompareHeapSnapshots(*then, *now, 10, GrowthOrder::kSelfBytes)),
              ::testing::ElementsAre("(string)", "Foo", "Bar", "Holder"));
  EXPECT_THAT(CompareHeapSnapshots(*now, *then, 10), ::testing::IsEmpty());
}

TEST(V8HeapSnapshotTest, ComparisonTiesGoToTheLargerCountThenTheName) {
  HeapSnapshotSummary before;
  before.constructors = {{"Gone", 5, 50, 50}, {"Same", 1, 10, 10}, {"Shrinks", 9, 90, 90}};
  HeapSnapshotSummary after;
  after.constructors = {{"B", 2, 20, 20},
                        {"A", 2, 20, 20},
                        {"More", 4, 20, 20},
                        {"Same", 1, 10, 10},
                        {"Shrinks", 10, 9, 9}};
  const std::vector<ConstructorGrowth> growth = CompareHeapSnapshots(before, after, 10);
  const std::vector<std::string> names = NamesOf(growth);
  // Shrinks grew in count only: last, with its negative retained growth.
  EXPECT_THAT(names, ::testing::ElementsAre("More", "A", "B", "Shrinks"));
  EXPECT_EQ(growth[0].before.count, 0);
  EXPECT_EQ(growth[0].before.name, "More");
  EXPECT_EQ(growth[3].retained_bytes_delta(), -81);
}

TEST(V8HeapSnapshotTest, FormatsTheGrowthAsATable) {
  std::vector<ConstructorGrowth> growth(3);
  growth[0] = {"LeakyThing", {"LeakyThing", 0, 0, 0}, {"LeakyThing", 5000, 160000, 1240000}};
  growth[1] = {"(string)", {"(string)", 100, 4000, 4000}, {"(string)", 110, 4500, 4000}};
  growth[2] = {"Bad\nname", {"Bad\nname", 1, 50000000, 50000000}, {"Bad\nname", 2, 0, 0}};
  const std::string table = FormatHeapGrowth(growth);
  EXPECT_EQ(table,
            "constructor  count       self bytes  retained bytes\n"
            "LeakyThing   0 -> 5000   +156.2 KiB  +1.2 MiB\n"
            "(string)     100 -> 110  +500 B      0 B\n"
            "Bad name     1 -> 2      -47.7 MiB   -47.7 MiB\n")
      << table;
  EXPECT_EQ(FormatHeapGrowth({}), "no constructor grew\n");
}

// A valid snapshot spoiled one way, and what the error must say.
struct Spoiled {
  std::string what;
  std::function<void(Json&)> spoil;
  std::string says;
};

TEST(V8HeapSnapshotTest, MalformedSnapshotsAreErrorsNamingTheProblem) {
  const std::vector<Spoiled> cases = {
      {"no meta", [](Json& j) { j["snapshot"].erase("meta"); }, "no snapshot.meta object"},
      {"not an object",
       [](Json& j) {
         j = Json::array({1, 2, 3});
       },
       "no snapshot.meta object"},
      {"no node_fields", [](Json& j) { j["snapshot"]["meta"].erase("node_fields"); },
       "node_fields is not a list of names"},
      {"no self_size field", [](Json& j) { j["snapshot"]["meta"]["node_fields"][3] = "size"; },
       "lacks one of"},
      {"node_types not a list", [](Json& j) { j["snapshot"]["meta"]["node_types"] = 7; },
       "node_types does not begin with a list of names"},
      {"no to_node field", [](Json& j) { j["snapshot"]["meta"]["edge_fields"][0] = "to"; },
       "lacks type or to_node"},
      {"no nodes", [](Json& j) { j.erase("nodes"); }, "no nodes array"},
      {"no strings", [](Json& j) { j["strings"] = "x"; }, "no strings array"},
      {"empty nodes",
       [](Json& j) {
         j["nodes"] = Json::array();
         j["edges"] = Json::array();
       },
       "nodes is empty"},
      {"nodes not a multiple", [](Json& j) { j["nodes"].push_back(0); },
       "not a multiple of the 5 node fields"},
      {"edges not a multiple", [](Json& j) { j["edges"].erase(j["edges"].size() - 1); },
       "not a multiple of the 3 edge fields"},
      {"to_node out of range", [](Json& j) { j["edges"][0] = 5 * 1000; },
       "has to_node 5000, not the index of a node"},
      {"to_node inside a node", [](Json& j) { j["edges"][0] = 6; },
       "has to_node 6, not the index of a node"},
      {"to_node negative", [](Json& j) { j["edges"][0] = -5; }, "has to_node -5"},
      {"edge type out of range", [](Json& j) { j["edges"][1] = 70; },
       "edge 0's type is not one of"},
      {"too few edge counts", [](Json& j) { j["nodes"][2] = 1; },
       "the nodes' edge_count add up to 13 but edges holds 20"},
      {"too many edge counts", [](Json& j) { j["nodes"][5 * 3 + 2] = 5; },
       "claim more than the 20 edges"},
      {"node type out of range", [](Json& j) { j["nodes"][4] = 99; },
       "node 0's type is not one of"},
      {"name out of range", [](Json& j) { j["nodes"][5] = 100000; },
       "node 1's name is not an index into strings"},
      {"name not a string", [](Json& j) { j["strings"][1] = 5; }, "strings[1] is not a string"},
      {"self size a string", [](Json& j) { j["nodes"][5 + 3] = "ten"; },
       "node 1's self_size is not a size"},
      {"self size fractional", [](Json& j) { j["nodes"][5 + 3] = 1.5; },
       "node 1's self_size is not a size"},
  };
  const Json good = TestGraph().Build();
  ASSERT_TRUE(SummarizeHeapSnapshot(good).ok());
  for (const Spoiled& spoiled : cases) {
    Json snapshot = good;
    spoiled.spoil(snapshot);
    Result<HeapSnapshotSummary> summary = SummarizeHeapSnapshot(snapshot, "the test snapshot");
    ASSERT_FALSE(summary.ok()) << spoiled.what;
    EXPECT_EQ(summary.status().code(), StatusCode::kDataLoss) << spoiled.what;
    EXPECT_THAT(summary.status().message(),
                HasSubstr("the test snapshot is not a V8 heap snapshot: "))
        << spoiled.what;
    EXPECT_THAT(summary.status().message(), HasSubstr(spoiled.says)) << spoiled.what;
  }
}

TEST(V8HeapSnapshotTest, FileErrorsNameTheFile) {
  testing::ScopedTempDir dir;
  const std::filesystem::path missing = dir.path() / "missing.heapsnapshot";
  Result<HeapSnapshotSummary> none = SummarizeHeapSnapshot(missing);
  ASSERT_FALSE(none.ok());
  EXPECT_THAT(none.status().message(), HasSubstr(missing.string()));

  const std::filesystem::path text = dir.path() / "text.heapsnapshot";
  testing::WriteWholeFile(text, "this is not JSON");
  Result<HeapSnapshotSummary> not_json = SummarizeHeapSnapshot(text);
  ASSERT_FALSE(not_json.ok());
  EXPECT_THAT(not_json.status().message(), HasSubstr(text.string()));

  const std::filesystem::path other = dir.path() / "other.json";
  testing::WriteWholeFile(other, R"({"snapshot": {}, "nodes": [0, 0, 0]})");
  Result<HeapSnapshotSummary> not_snapshot = SummarizeHeapSnapshot(other);
  ASSERT_FALSE(not_snapshot.ok());
  EXPECT_EQ(not_snapshot.status().code(), StatusCode::kDataLoss);
  EXPECT_THAT(not_snapshot.status().message(),
              HasSubstr(other.string() + " is not a V8 heap snapshot: no snapshot.meta object"));

  const std::filesystem::path good = dir.path() / "good.heapsnapshot";
  testing::WriteWholeFile(good, TestGraph().Build().dump());
  Result<HeapSnapshotSummary> read = SummarizeHeapSnapshot(good);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(StatsOf(*read, "Foo").retained_bytes, 75);
}

// Writes a snapshot, keeps 5000 LeakyThing (each with a string of over
// 100 characters) in a global array, writes another.
constexpr const char* kLeakyScript = R"(
const v8 = require('v8');
class LeakyThing { constructor(i) { this.payload = 'x'.repeat(100) + i; } }
globalThis.kept = [];
v8.writeHeapSnapshot(process.argv[2]);
for (let i = 0; i < 5000; i++) globalThis.kept.push(new LeakyThing(i));
v8.writeHeapSnapshot(process.argv[3]);
)";

TEST(V8HeapSnapshotTest, FindsTheConstructorANodeProgramLeaks) {
  if (!ResolveCommand("node", CommandSearchPath({})).ok()) {
    GOOSE_SKIP_UNLESS_CI("node is not installed (apt-get install nodejs)");
  }
  testing::ScopedTempDir dir;
  const std::filesystem::path script = dir.path() / "leaky.js";
  const std::filesystem::path before = dir.path() / "before.heapsnapshot";
  const std::filesystem::path after = dir.path() / "after.heapsnapshot";
  testing::WriteWholeFile(script, kLeakyScript);
  Result<std::string> ran = RunProgram({"node", script.string(), before.string(), after.string()},
                                       std::chrono::seconds(120));
  ASSERT_TRUE(ran.ok()) << ran.status().ToString();

  const auto start = std::chrono::steady_clock::now();
  Result<HeapSnapshotSummary> then = SummarizeHeapSnapshot(before);
  const auto took = std::chrono::steady_clock::now() - start;
  Result<HeapSnapshotSummary> now = SummarizeHeapSnapshot(after);
  ASSERT_TRUE(then.ok()) << then.status().ToString();
  ASSERT_TRUE(now.ok()) << now.status().ToString();
  std::printf(
      "a %.1f MB snapshot of %lld nodes and %lld edges: %lld ms\n",
      static_cast<double>(std::filesystem::file_size(before)) / 1e6,
      static_cast<long long>(then->nodes), static_cast<long long>(then->edges),
      static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(took).count()));

  const std::vector<ConstructorGrowth> growth = CompareHeapSnapshots(*then, *now, 10);
  std::printf("%s", FormatHeapGrowth(growth).c_str());
  ASSERT_FALSE(growth.empty());
  size_t at = 0;
  while (at < growth.size() && growth[at].name != "LeakyThing") ++at;
  ASSERT_LT(at, 3u) << FormatHeapGrowth(growth);
  EXPECT_EQ(growth[at].count_delta(), 5000);
  EXPECT_GE(growth[at].retained_bytes_delta(), int64_t{5000} * 100);
  // Each one's string is inside its retained size, not counted apart.
  EXPECT_GE(growth[at].retained_bytes_delta(), growth[at].self_bytes_delta() + int64_t{5000} * 100);
}

}  // namespace
}  // namespace goose::scenarios
