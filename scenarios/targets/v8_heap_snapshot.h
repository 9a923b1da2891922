// V8 heap snapshots summarized by constructor, and two of them compared.
//
// `leakcheck mcp --profile` takes a snapshot of a Node.js server before and
// after its measured iterations (v8.writeHeapSnapshot(): the .heapsnapshot
// JSON that Chrome DevTools reads) and reports the constructors that grew,
// with the bytes they keep alive: memlab's approach, without memlab.
//
// The file. `snapshot.meta` names the fields: `nodes` is a flat array of
// node_fields.size() integers per node (type, name, self_size, edge_count,
// ...), `edges` a flat array of edge_fields.size() integers per edge (type,
// name_or_index, to_node). A node's edges are consecutive, in node order,
// edge_count of them; to_node is the index of the target's first field in
// `nodes`. Names are indexes into `strings`. Node 0 is the synthetic root.
// Field positions and type names are read from the meta, never assumed.
//
// Groups. An "object" or "native" node belongs to the group of its name:
// for an object that is its constructor ("Foo" for `new Foo()`, "Object",
// "Array", "Map"). Every other node belongs to the group of its type in
// parentheses: "(string)", "(array)" (V8's internal arrays: an Array's
// elements, not the Array), "(closure)", "(code)", "(hidden)", "(object
// shape)", "(concatenated string)", ... (also "(object)" or "(native)" for
// such a node without a name). "synthetic" nodes (the root, "(GC roots)" and
// the other root lists) are bookkeeping of size 0 that would dominate the
// whole heap: they are in no group.
//
// Retained size, as Chrome DevTools and memlab compute it. The bytes that
// would be freed with a node: its own and those of the nodes it dominates,
// the nodes that every path from the root passes through it to reach. The
// paths follow every edge except "weak" ones (they keep nothing alive) and
// "shortcut" ones (direct links V8 adds beside the real path to a node),
// except the root's shortcut edges, which are how the global objects are
// reached. DevTools also ignores a WeakMap table's edge to a value, keeping
// only the key's; this does not, so such a value is retained by neither the
// map nor its key but by a node above both. Nodes the root does not reach
// that way (held only weakly, not yet collected) are counted apart and in
// no group.
//
// A group's retained bytes are the retained sizes of its instances that no
// other instance of the same group dominates: a Foo held only by another
// Foo is inside the outer one's retained size and counted once.
//
// Cost: the JSON is parsed whole (nlohmann), the graph copied into flat
// arrays and the JSON freed before the analysis (dominators by Cooper,
// Harvey and Kennedy's iterative algorithm, no recursion). A 20 MB snapshot
// (270k nodes, 780k edges) takes about 2 s and 165 MB at its peak with the
// dev preset on a 2-core machine, nearly all of it the JSON's: the analysis
// itself is under 0.2 s.

#ifndef GOOSE_SCENARIOS_TARGETS_V8_HEAP_SNAPSHOT_H_
#define GOOSE_SCENARIOS_TARGETS_V8_HEAP_SNAPSHOT_H_

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/json.h"
#include "core/base/status.h"

namespace goose::scenarios {

// One group's (a constructor's or a node type's) share of a snapshot.
struct ConstructorStats {
  std::string name;   // "Foo", or "(string)", "(closure)", ... (see above)
  int64_t count = 0;  // nodes reachable from the root
  int64_t self_bytes = 0;
  int64_t retained_bytes = 0;  // nested instances counted once (see above)
};

struct HeapSnapshotSummary {
  int64_t nodes = 0;  // all of the file's, synthetic and unreachable ones too
  int64_t edges = 0;
  int64_t total_self_bytes = 0;  // of all nodes
  // Not reachable from the root without weak edges: in no group.
  int64_t unreachable_nodes = 0;
  int64_t unreachable_self_bytes = 0;
  std::vector<ConstructorStats> constructors;  // sorted by name, names unique

  // The group named `name`; nullptr when there is none.
  const ConstructorStats* Find(std::string_view name) const;
};

// Reads and summarizes the snapshot in `file`. Errors name the file: those
// of ReadJsonFile (cannot be read, not JSON); DataLoss saying what is wrong
// when it is JSON but not a heap snapshot (a missing or ill-typed meta
// field, an array whose length is not a multiple of its field count, an
// index out of range, edge counts that do not add up to the edges).
Result<HeapSnapshotSummary> SummarizeHeapSnapshot(const std::filesystem::path& file);

// The same for a snapshot already parsed; `what` names it in errors.
Result<HeapSnapshotSummary> SummarizeHeapSnapshot(const Json& snapshot,
                                                  std::string_view what = "the JSON");

// One group in two snapshots; a group absent from one has zeros there.
struct ConstructorGrowth {
  std::string name;
  ConstructorStats before;
  ConstructorStats after;

  int64_t count_delta() const { return after.count - before.count; }
  int64_t self_bytes_delta() const { return after.self_bytes - before.self_bytes; }
  int64_t retained_bytes_delta() const { return after.retained_bytes - before.retained_bytes; }
};

// How CompareHeapSnapshots ranks the groups.
enum class GrowthOrder {
  kSelfBytes,      // what was added: the groups whose own bytes grew most
  kRetainedBytes,  // what holds it: the groups that keep the most more alive
};

// The groups whose count, self bytes or retained bytes grew from `before`
// to `after`, the largest growth as `order` says first (then the largest
// count growth, then by name), at most `top` of them.
std::vector<ConstructorGrowth> CompareHeapSnapshots(
    const HeapSnapshotSummary& before, const HeapSnapshotSummary& after, size_t top,
    GrowthOrder order = GrowthOrder::kRetainedBytes);

// A plain-text table of `growth` for the report (RenderTextTable), one
// line per group in the given order below a header line: name, count
// before -> after, self bytes and retained bytes grown (signed; B below a
// KiB, KiB below a MiB, else MiB). One line saying so when `growth` is
// empty.
std::string FormatHeapGrowth(const std::vector<ConstructorGrowth>& growth);

}  // namespace goose::scenarios

#endif  // GOOSE_SCENARIOS_TARGETS_V8_HEAP_SNAPSHOT_H_
