#include "scenarios/targets/v8_heap_snapshot.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <limits>
#include <optional>
#include <unordered_map>
#include <utility>

#include "core/base/text_table.h"

namespace goose::scenarios {

namespace {

// No node (also: not known yet), and the group of a synthetic node.
constexpr uint32_t kNoSnapshotNode = std::numeric_limits<uint32_t>::max();
constexpr uint32_t kNoSnapshotGroup = std::numeric_limits<uint32_t>::max();

// Bounds that keep every sum below int64's range whatever the file says:
// one node's self size, and all of them together.
constexpr uint64_t kMaxSnapshotSelfSize = uint64_t{1} << 53;
constexpr int64_t kMaxSnapshotTotalSize = int64_t{1} << 62;

// What the analysis needs of a snapshot, in flat arrays, without the JSON.
struct SnapshotGraph {
  int64_t edges_in_file = 0;       // weak and shortcut ones too
  std::vector<int64_t> self_size;  // by node ordinal
  std::vector<uint32_t> group;     // index into group_names, or kNoSnapshotGroup
  std::vector<std::string> group_names;
  // The edges that retain (see the header): node u's targets are
  // edge_to[first_edge[u]] up to edge_to[first_edge[u + 1]].
  std::vector<uint32_t> first_edge;
  std::vector<uint32_t> edge_to;
};

Status NotASnapshot(std::string_view what, const std::string& problem) {
  return DataLoss(std::string(what) + " is not a V8 heap snapshot: " + problem);
}

// `object[key]`; nullptr when `object` is not an object or has no `key`.
const Json* SnapshotMember(const Json* object, const char* key) {
  if (object == nullptr || !object->is_object()) return nullptr;
  const auto it = object->find(key);
  return it == object->end() ? nullptr : &*it;
}

// `list` as strings; nullopt when it is not an array of strings.
std::optional<std::vector<std::string>> SnapshotNames(const Json* list) {
  if (list == nullptr || !list->is_array()) return std::nullopt;
  std::vector<std::string> names;
  names.reserve(list->size());
  for (const Json& name : *list) {
    if (!name.is_string()) return std::nullopt;
    names.push_back(name.get<std::string>());
  }
  return names;
}

// Where `name` is in `names`, or nullopt.
std::optional<size_t> SnapshotFieldAt(const std::vector<std::string>& names,
                                      std::string_view name) {
  const auto it = std::find(names.begin(), names.end(), name);
  if (it == names.end()) return std::nullopt;
  return static_cast<size_t>(it - names.begin());
}

// `value` when it is an integer in [0, limit); else nullopt.
std::optional<uint64_t> SnapshotInt(const Json& value, uint64_t limit) {
  if (const auto* u = value.get_ptr<const Json::number_unsigned_t*>()) {
    if (*u < limit) return *u;
  } else if (const auto* i = value.get_ptr<const Json::number_integer_t*>()) {
    if (*i >= 0 && static_cast<uint64_t>(*i) < limit) return static_cast<uint64_t>(*i);
  }
  return std::nullopt;
}

// The meta's "node_types" or "edge_types": a list whose first element is
// the list of type names.
std::optional<std::vector<std::string>> SnapshotTypeNames(const Json* meta, const char* key) {
  const Json* types = SnapshotMember(meta, key);
  if (types == nullptr || !types->is_array() || types->empty()) return std::nullopt;
  return SnapshotNames(&(*types)[0]);
}

// Where each field the analysis reads sits in a node's and an edge's run
// of numbers, and the type names those numbers index: snapshot.meta.
struct SnapshotLayout {
  size_t node_field_count = 0;
  size_t edge_field_count = 0;
  std::vector<std::string> node_types;
  std::vector<std::string> edge_types;
  size_t type_at = 0;  // in a node
  size_t name_at = 0;
  size_t self_size_at = 0;
  size_t edge_count_at = 0;
  size_t edge_type_at = 0;  // in an edge
  size_t to_node_at = 0;
};

// Checks snapshot.meta and reads the layout out of it.
Result<SnapshotLayout> ReadSnapshotLayout(const Json& json, std::string_view what) {
  const Json* meta = SnapshotMember(SnapshotMember(&json, "snapshot"), "meta");
  if (meta == nullptr || !meta->is_object()) return NotASnapshot(what, "no snapshot.meta object");
  const std::optional<std::vector<std::string>> node_fields =
      SnapshotNames(SnapshotMember(meta, "node_fields"));
  const std::optional<std::vector<std::string>> edge_fields =
      SnapshotNames(SnapshotMember(meta, "edge_fields"));
  std::optional<std::vector<std::string>> node_types = SnapshotTypeNames(meta, "node_types");
  std::optional<std::vector<std::string>> edge_types = SnapshotTypeNames(meta, "edge_types");
  if (!node_fields || node_fields->empty()) {
    return NotASnapshot(what, "snapshot.meta.node_fields is not a list of names");
  }
  if (!edge_fields || edge_fields->empty()) {
    return NotASnapshot(what, "snapshot.meta.edge_fields is not a list of names");
  }
  if (!node_types) {
    return NotASnapshot(what, "snapshot.meta.node_types does not begin with a list of names");
  }
  if (!edge_types) {
    return NotASnapshot(what, "snapshot.meta.edge_types does not begin with a list of names");
  }
  const std::optional<size_t> type_at = SnapshotFieldAt(*node_fields, "type");
  const std::optional<size_t> name_at = SnapshotFieldAt(*node_fields, "name");
  const std::optional<size_t> self_size_at = SnapshotFieldAt(*node_fields, "self_size");
  const std::optional<size_t> edge_count_at = SnapshotFieldAt(*node_fields, "edge_count");
  const std::optional<size_t> edge_type_at = SnapshotFieldAt(*edge_fields, "type");
  const std::optional<size_t> to_node_at = SnapshotFieldAt(*edge_fields, "to_node");
  if (!type_at || !name_at || !self_size_at || !edge_count_at) {
    return NotASnapshot(what,
                        "snapshot.meta.node_fields lacks one of type, name, self_size, edge_count");
  }
  if (!edge_type_at || !to_node_at) {
    return NotASnapshot(what, "snapshot.meta.edge_fields lacks type or to_node");
  }
  return SnapshotLayout{node_fields->size(),
                        edge_fields->size(),
                        std::move(*node_types),
                        std::move(*edge_types),
                        *type_at,
                        *name_at,
                        *self_size_at,
                        *edge_count_at,
                        *edge_type_at,
                        *to_node_at};
}

// The snapshot's three arrays, checked against the layout, and how many
// nodes and edges they hold.
struct SnapshotArrays {
  const Json* nodes = nullptr;
  const Json* edges = nullptr;
  const Json* strings = nullptr;
  size_t node_count = 0;
  size_t edge_count = 0;
};

Result<SnapshotArrays> ReadSnapshotArrays(const Json& json, const SnapshotLayout& layout,
                                          std::string_view what) {
  SnapshotArrays a;
  a.nodes = SnapshotMember(&json, "nodes");
  a.edges = SnapshotMember(&json, "edges");
  a.strings = SnapshotMember(&json, "strings");
  if (a.nodes == nullptr || !a.nodes->is_array()) return NotASnapshot(what, "no nodes array");
  if (a.edges == nullptr || !a.edges->is_array()) return NotASnapshot(what, "no edges array");
  if (a.strings == nullptr || !a.strings->is_array()) {
    return NotASnapshot(what, "no strings array");
  }
  if (a.nodes->size() % layout.node_field_count != 0) {
    return NotASnapshot(what, "nodes holds " + std::to_string(a.nodes->size()) +
                                  " numbers, not a multiple of the " +
                                  std::to_string(layout.node_field_count) + " node fields");
  }
  if (a.edges->size() % layout.edge_field_count != 0) {
    return NotASnapshot(what, "edges holds " + std::to_string(a.edges->size()) +
                                  " numbers, not a multiple of the " +
                                  std::to_string(layout.edge_field_count) + " edge fields");
  }
  a.node_count = a.nodes->size() / layout.node_field_count;
  a.edge_count = a.edges->size() / layout.edge_field_count;
  if (a.node_count == 0) return NotASnapshot(what, "nodes is empty (not even the root)");
  if (a.node_count >= kNoSnapshotNode || a.edge_count >= kNoSnapshotNode) {
    return NotASnapshot(what, "more than 2^32 nodes or edges");
  }
  return a;
}

// The group each node counts in: an object or native node by its name
// (its constructor), an unnamed one and every other node by its type, a
// synthetic node in none. Groups are made when a node first needs one, so
// each has a node; their names go to graph->group_names.
class SnapshotGrouper {
 public:
  SnapshotGrouper(const SnapshotLayout& layout, const SnapshotArrays& arrays, SnapshotGraph* graph)
      : node_types_(layout.node_types),
        strings_(*arrays.strings),
        graph_(graph),
        grouping_(node_types_.size(), Grouping::kByType),
        group_of_type_(node_types_.size(), kNoSnapshotGroup),
        group_of_string_(strings_.size(), kNoSnapshotGroup) {
    for (size_t t = 0; t < node_types_.size(); ++t) {
      const std::string& type = node_types_[t];
      if (type == "synthetic") grouping_[t] = Grouping::kNone;
      if (type == "object" || type == "native") grouping_[t] = Grouping::kByName;
    }
  }

  // The group of a node of type `type` named strings[`name`] (both in
  // range); an error when that name is not a string.
  Result<uint32_t> GroupOf(uint64_t type, uint64_t name, std::string_view what) {
    uint32_t group = kNoSnapshotGroup;
    switch (grouping_[type]) {
      case Grouping::kNone:
        break;
      case Grouping::kByName: {
        uint32_t& by_name = group_of_string_[name];
        if (by_name == kNoSnapshotGroup) {
          const Json& text = strings_[name];
          if (!text.is_string()) {
            return NotASnapshot(what, "strings[" + std::to_string(name) + "] is not a string");
          }
          const std::string& name_text = text.get_ref<const std::string&>();
          if (!name_text.empty()) by_name = Named(name_text);
        }
        group = by_name;
        if (group != kNoSnapshotGroup) break;
        [[fallthrough]];  // an unnamed object or native node: by its type
      }
      case Grouping::kByType:
        if (group_of_type_[type] == kNoSnapshotGroup) {
          group_of_type_[type] = Named("(" + node_types_[type] + ")");
        }
        group = group_of_type_[type];
        break;
    }
    return group;
  }

 private:
  enum class Grouping { kNone, kByName, kByType };

  uint32_t Named(std::string name) {
    const auto [it, added] =
        group_of_name_.emplace(name, static_cast<uint32_t>(graph_->group_names.size()));
    if (added) graph_->group_names.push_back(std::move(name));
    return it->second;
  }

  const std::vector<std::string>& node_types_;
  const Json& strings_;
  SnapshotGraph* graph_;
  std::vector<Grouping> grouping_;
  std::unordered_map<std::string, uint32_t> group_of_name_;
  std::vector<uint32_t> group_of_type_;
  std::vector<uint32_t> group_of_string_;
};

// The nodes: each one's self size and group, and its edge count, which
// waits in first_edge for the edges.
Status ReadSnapshotNodes(const SnapshotLayout& layout, const SnapshotArrays& arrays,
                         std::string_view what, SnapshotGraph* graph) {
  SnapshotGrouper grouper(layout, arrays, graph);
  uint64_t edges_claimed = 0;
  int64_t total_self = 0;
  for (size_t node = 0; node < arrays.node_count; ++node) {
    const Json* fields = &(*arrays.nodes)[node * layout.node_field_count];
    const auto at = [node] { return "node " + std::to_string(node); };
    const std::optional<uint64_t> type =
        SnapshotInt(fields[layout.type_at], layout.node_types.size());
    const std::optional<uint64_t> name =
        SnapshotInt(fields[layout.name_at], arrays.strings->size());
    const std::optional<uint64_t> self =
        SnapshotInt(fields[layout.self_size_at], kMaxSnapshotSelfSize);
    const std::optional<uint64_t> edges_of =
        SnapshotInt(fields[layout.edge_count_at], uint64_t{arrays.edge_count} + 1);
    if (!type) return NotASnapshot(what, at() + "'s type is not one of snapshot.meta.node_types");
    if (!name) return NotASnapshot(what, at() + "'s name is not an index into strings");
    if (!self) return NotASnapshot(what, at() + "'s self_size is not a size");
    if (!edges_of) {
      return NotASnapshot(what, at() + "'s edge_count is not a count of at most the " +
                                    std::to_string(arrays.edge_count) + " edges");
    }
    edges_claimed += *edges_of;
    if (edges_claimed > arrays.edge_count) {
      return NotASnapshot(what, "the nodes up to " + at() + " claim more than the " +
                                    std::to_string(arrays.edge_count) + " edges in edges");
    }
    total_self += static_cast<int64_t>(*self);
    if (total_self > kMaxSnapshotTotalSize) {
      return NotASnapshot(what, "the self sizes add up to more than 2^62 bytes");
    }
    graph->self_size[node] = static_cast<int64_t>(*self);
    graph->first_edge[node] = static_cast<uint32_t>(*edges_of);
    Result<uint32_t> group = grouper.GroupOf(*type, *name, what);
    if (!group.ok()) return group.status();
    graph->group[node] = *group;
  }
  if (edges_claimed != arrays.edge_count) {
    return NotASnapshot(what, "the nodes' edge_count add up to " + std::to_string(edges_claimed) +
                                  " but edges holds " + std::to_string(arrays.edge_count));
  }
  return Status::Ok();
}

// The edges, keeping those that retain; first_edge holds each node's edge
// count (ReadSnapshotNodes) and becomes where its edges begin.
Status ReadSnapshotEdges(const SnapshotLayout& layout, const SnapshotArrays& arrays,
                         std::string_view what, SnapshotGraph* graph) {
  const std::optional<size_t> weak = SnapshotFieldAt(layout.edge_types, "weak");
  const std::optional<size_t> shortcut = SnapshotFieldAt(layout.edge_types, "shortcut");
  graph->edge_to.reserve(arrays.edge_count);
  size_t edge = 0;
  for (size_t node = 0; node < arrays.node_count; ++node) {
    const uint32_t edges_of = graph->first_edge[node];
    graph->first_edge[node] = static_cast<uint32_t>(graph->edge_to.size());
    for (uint32_t k = 0; k < edges_of; ++k, ++edge) {
      const Json* fields = &(*arrays.edges)[edge * layout.edge_field_count];
      const std::optional<uint64_t> type =
          SnapshotInt(fields[layout.edge_type_at], layout.edge_types.size());
      const std::optional<uint64_t> to =
          SnapshotInt(fields[layout.to_node_at], arrays.nodes->size());
      if (!type) {
        return NotASnapshot(what, "edge " + std::to_string(edge) +
                                      "'s type is not one of snapshot.meta.edge_types");
      }
      if (!to || *to % layout.node_field_count != 0) {
        return NotASnapshot(what, "edge " + std::to_string(edge) + " (of node " +
                                      std::to_string(node) + ") has to_node " +
                                      fields[layout.to_node_at].dump() +
                                      ", not the index of a node in nodes");
      }
      if (*type == weak || (*type == shortcut && node != 0)) continue;
      graph->edge_to.push_back(static_cast<uint32_t>(*to / layout.node_field_count));
    }
  }
  graph->first_edge[arrays.node_count] = static_cast<uint32_t>(graph->edge_to.size());
  return Status::Ok();
}

// Checks `json` and copies what the analysis needs out of it.
Result<SnapshotGraph> ReadSnapshotGraph(const Json& json, std::string_view what) {
  Result<SnapshotLayout> layout = ReadSnapshotLayout(json, what);
  if (!layout.ok()) return layout.status();
  Result<SnapshotArrays> arrays = ReadSnapshotArrays(json, *layout, what);
  if (!arrays.ok()) return arrays.status();
  SnapshotGraph graph;
  graph.edges_in_file = static_cast<int64_t>(arrays->edge_count);
  graph.self_size.resize(arrays->node_count);
  graph.group.resize(arrays->node_count);
  graph.first_edge.resize(arrays->node_count + 1);
  if (Status s = ReadSnapshotNodes(*layout, *arrays, what, &graph); !s.ok()) return s;
  if (Status s = ReadSnapshotEdges(*layout, *arrays, what, &graph); !s.ok()) return s;
  return graph;
}

// The graph of the snapshot in `file`. The parsed JSON, many times the
// graph's size, is freed on return, before the analysis.
Result<SnapshotGraph> ReadSnapshotFile(const std::filesystem::path& file) {
  Result<Json> json = ReadJsonFile(file);
  if (!json.ok()) return json.status();
  return ReadSnapshotGraph(*json, file.string());
}

// The nodes the root reaches in postorder (the root last).
struct SnapshotPostorder {
  std::vector<uint32_t> post_of;  // node -> postorder number, kNoSnapshotNode: not reached
  std::vector<uint32_t> node_at;  // postorder number -> node
};

// By a depth-first search with a stack of its own: a snapshot's chains (a
// long linked list) can be far deeper than the call stack.
SnapshotPostorder PostorderFromRoot(const SnapshotGraph& graph) {
  const auto node_count = static_cast<uint32_t>(graph.self_size.size());
  SnapshotPostorder order;
  order.post_of.assign(node_count, kNoSnapshotNode);
  order.node_at.reserve(node_count);
  std::vector<std::pair<uint32_t, uint32_t>> stack;  // a node, its next edge
  std::vector<bool> seen(node_count);
  stack.emplace_back(0, graph.first_edge[0]);
  seen[0] = true;
  while (!stack.empty()) {
    const uint32_t node = stack.back().first;
    uint32_t& next = stack.back().second;
    if (next < graph.first_edge[node + 1]) {
      const uint32_t to = graph.edge_to[next++];
      if (!seen[to]) {
        seen[to] = true;
        stack.emplace_back(to, graph.first_edge[to]);
      }
    } else {
      order.post_of[node] = static_cast<uint32_t>(order.node_at.size());
      order.node_at.push_back(node);
      stack.pop_back();
    }
  }
  return order;
}

// Lists by postorder number: item u's entries are
// items[first[u]] up to items[first[u + 1]].
struct PostorderLists {
  std::vector<uint32_t> first;
  std::vector<uint32_t> items;
};

// Each reached node's predecessors, by postorder number (self edges and
// edges into the root change no dominator and are left out).
PostorderLists Predecessors(const SnapshotGraph& graph, const SnapshotPostorder& order) {
  const auto reached = static_cast<uint32_t>(order.node_at.size());
  const uint32_t root = reached - 1;
  PostorderLists preds;
  preds.first.assign(reached + 1, 0);
  for (uint32_t post = 0; post < reached; ++post) {
    const uint32_t node = order.node_at[post];
    for (uint32_t e = graph.first_edge[node]; e < graph.first_edge[node + 1]; ++e) {
      const uint32_t to = order.post_of[graph.edge_to[e]];
      if (to != post && to != root) ++preds.first[to + 1];
    }
  }
  for (uint32_t post = 0; post < reached; ++post) preds.first[post + 1] += preds.first[post];
  preds.items.resize(preds.first[reached]);
  std::vector<uint32_t> fill(preds.first.begin(), preds.first.end() - 1);
  for (uint32_t post = 0; post < reached; ++post) {
    const uint32_t node = order.node_at[post];
    for (uint32_t e = graph.first_edge[node]; e < graph.first_edge[node + 1]; ++e) {
      const uint32_t to = order.post_of[graph.edge_to[e]];
      if (to != post && to != root) preds.items[fill[to]++] = post;
    }
  }
  return preds;
}

// Immediate dominators by postorder number (Cooper, Harvey and Kennedy):
// sweep the nodes in reverse postorder, each one's dominator the nearest
// common dominator of its predecessors already placed, until a sweep
// changes nothing. A node's parent in the search comes before it, so the
// first sweep places all. A dominator comes after what it dominates in
// postorder; the root (last) is its own.
std::vector<uint32_t> ImmediateDominators(const PostorderLists& preds) {
  const auto reached = static_cast<uint32_t>(preds.first.size() - 1);
  const uint32_t root = reached - 1;
  std::vector<uint32_t> idom(reached, kNoSnapshotNode);
  idom[root] = root;
  for (bool changed = true; changed;) {
    changed = false;
    for (uint32_t post = root; post-- > 0;) {
      uint32_t dominator = kNoSnapshotNode;
      for (uint32_t k = preds.first[post]; k < preds.first[post + 1] && dominator != root; ++k) {
        uint32_t pred = preds.items[k];
        if (idom[pred] == kNoSnapshotNode) continue;
        if (dominator == kNoSnapshotNode) {
          dominator = pred;
          continue;
        }
        while (pred != dominator) {
          while (pred < dominator) pred = idom[pred];
          while (dominator < pred) dominator = idom[dominator];
        }
      }
      if (idom[post] != dominator) {
        idom[post] = dominator;
        changed = true;
      }
    }
  }
  return idom;
}

// The groups' counts and self sizes over the reached nodes (by group
// index); the nodes the root does not reach are counted apart, in
// `summary`, as is every node's self size.
std::vector<ConstructorStats> CountGroups(const SnapshotGraph& graph,
                                          const SnapshotPostorder& order,
                                          HeapSnapshotSummary* summary) {
  std::vector<ConstructorStats> stats(graph.group_names.size());
  for (uint32_t node = 0; node < graph.self_size.size(); ++node) {
    summary->total_self_bytes += graph.self_size[node];
    if (order.post_of[node] == kNoSnapshotNode) {
      ++summary->unreachable_nodes;
      summary->unreachable_self_bytes += graph.self_size[node];
    } else if (graph.group[node] != kNoSnapshotGroup) {
      ConstructorStats& group = stats[graph.group[node]];
      ++group.count;
      group.self_bytes += graph.self_size[node];
    }
  }
  return stats;
}

// Adds the retained bytes of each group to `stats`: a preorder walk of the
// dominator tree that keeps, per group, how many of the nodes above are of
// it; a node adds its retained size only when none is.
void AddRetainedByGroup(const SnapshotGraph& graph, const SnapshotPostorder& order,
                        const std::vector<uint32_t>& idom, const std::vector<int64_t>& retained,
                        std::vector<ConstructorStats>* stats) {
  const auto reached = static_cast<uint32_t>(idom.size());
  const uint32_t root = reached - 1;
  PostorderLists children;  // in the dominator tree
  children.first.assign(reached + 1, 0);
  for (uint32_t post = 0; post < root; ++post) ++children.first[idom[post] + 1];
  for (uint32_t post = 0; post < reached; ++post) children.first[post + 1] += children.first[post];
  children.items.resize(children.first[reached]);
  {
    std::vector<uint32_t> fill(children.first.begin(), children.first.end() - 1);
    for (uint32_t post = 0; post < root; ++post) children.items[fill[idom[post]]++] = post;
  }
  std::vector<uint32_t> open(stats->size(), 0);
  std::vector<std::pair<uint32_t, uint32_t>> stack;  // a tree node, its next child
  const auto enter = [&](uint32_t post) {
    const uint32_t group = graph.group[order.node_at[post]];
    if (group != kNoSnapshotGroup && open[group]++ == 0) {
      (*stats)[group].retained_bytes += retained[post];
    }
    stack.emplace_back(post, children.first[post]);
  };
  enter(root);
  while (!stack.empty()) {
    const uint32_t post = stack.back().first;
    uint32_t& next = stack.back().second;
    if (next < children.first[post + 1]) {
      enter(children.items[next++]);
    } else {
      const uint32_t group = graph.group[order.node_at[post]];
      if (group != kNoSnapshotGroup) --open[group];
      stack.pop_back();
    }
  }
}

// The dominator tree of what the root reaches, and the groups' shares.
HeapSnapshotSummary SummarizeGraph(SnapshotGraph graph) {
  HeapSnapshotSummary summary;
  summary.nodes = static_cast<uint32_t>(graph.self_size.size());
  summary.edges = graph.edges_in_file;

  const SnapshotPostorder order = PostorderFromRoot(graph);
  const auto reached = static_cast<uint32_t>(order.node_at.size());
  const uint32_t root = reached - 1;  // the root is last in postorder
  std::vector<uint32_t> idom;
  {
    const PostorderLists preds = Predecessors(graph, order);
    std::vector<uint32_t>().swap(graph.edge_to);
    std::vector<uint32_t>().swap(graph.first_edge);
    idom = ImmediateDominators(preds);
  }

  // Retained sizes, summed up the tree in postorder.
  std::vector<int64_t> retained(reached);
  for (uint32_t post = 0; post < reached; ++post) {
    retained[post] = graph.self_size[order.node_at[post]];
  }
  for (uint32_t post = 0; post < root; ++post) retained[idom[post]] += retained[post];

  std::vector<ConstructorStats> stats = CountGroups(graph, order, &summary);
  AddRetainedByGroup(graph, order, idom, retained, &stats);
  for (size_t group = 0; group < stats.size(); ++group) {
    if (stats[group].count == 0) continue;  // all its nodes unreachable
    stats[group].name = std::move(graph.group_names[group]);
    summary.constructors.push_back(std::move(stats[group]));
  }
  std::sort(summary.constructors.begin(), summary.constructors.end(),
            [](const ConstructorStats& a, const ConstructorStats& b) { return a.name < b.name; });
  return summary;
}

// "+512 B", "-48.8 KiB", "+1.2 MiB", "0 B".
std::string SignedBytes(int64_t bytes) {
  if (bytes == 0) return "0 B";
  const char* sign = bytes < 0 ? "-" : "+";
  const uint64_t size =
      bytes < 0 ? uint64_t{0} - static_cast<uint64_t>(bytes) : static_cast<uint64_t>(bytes);
  char text[64];
  if (size < 1024) {
    (void)std::snprintf(text, sizeof text, "%s%" PRIu64 " B", sign, size);
  } else if (size < uint64_t{1024} * 1024) {
    (void)std::snprintf(text, sizeof text, "%s%.1f KiB", sign, static_cast<double>(size) / 1024.0);
  } else {
    (void)std::snprintf(text, sizeof text, "%s%.1f MiB", sign,
                        static_cast<double>(size) / (1024.0 * 1024.0));
  }
  return text;
}

// `name` on one line of at most `width` characters.
std::string TableCell(const std::string& name, size_t width) {
  std::string cell = name.size() > width ? name.substr(0, width - 3) + "..." : name;
  for (char& c : cell) {
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  return cell;
}

}  // namespace

const ConstructorStats* HeapSnapshotSummary::Find(std::string_view name) const {
  const auto it = std::lower_bound(
      constructors.begin(), constructors.end(), name,
      [](const ConstructorStats& stats, std::string_view key) { return stats.name < key; });
  return it != constructors.end() && it->name == name ? &*it : nullptr;
}

Result<HeapSnapshotSummary> SummarizeHeapSnapshot(const Json& snapshot, std::string_view what) {
  Result<SnapshotGraph> graph = ReadSnapshotGraph(snapshot, what);
  if (!graph.ok()) return graph.status();
  return SummarizeGraph(std::move(graph).value());
}

Result<HeapSnapshotSummary> SummarizeHeapSnapshot(const std::filesystem::path& file) {
  Result<SnapshotGraph> graph = ReadSnapshotFile(file);
  if (!graph.ok()) return graph.status();
  return SummarizeGraph(std::move(graph).value());
}

std::vector<ConstructorGrowth> CompareHeapSnapshots(const HeapSnapshotSummary& before,
                                                    const HeapSnapshotSummary& after, size_t top,
                                                    GrowthOrder order) {
  std::vector<ConstructorGrowth> growth;
  for (const ConstructorStats& now : after.constructors) {
    ConstructorGrowth grown{now.name, {}, now};
    if (const ConstructorStats* then = before.Find(now.name)) grown.before = *then;
    grown.before.name = now.name;
    if (grown.count_delta() > 0 || grown.self_bytes_delta() > 0 ||
        grown.retained_bytes_delta() > 0) {
      growth.push_back(std::move(grown));
    }
  }
  auto key = [order](const ConstructorGrowth& g) {
    return order == GrowthOrder::kSelfBytes ? g.self_bytes_delta() : g.retained_bytes_delta();
  };
  std::sort(growth.begin(), growth.end(),
            [&key](const ConstructorGrowth& a, const ConstructorGrowth& b) {
              if (key(a) != key(b)) return key(a) > key(b);
              if (a.count_delta() != b.count_delta()) return a.count_delta() > b.count_delta();
              return a.name < b.name;
            });
  if (growth.size() > top) growth.resize(top);
  return growth;
}

std::string FormatHeapGrowth(const std::vector<ConstructorGrowth>& growth) {
  if (growth.empty()) return "no constructor grew\n";
  constexpr size_t kMaxNameWidth = 48;
  std::vector<std::vector<std::string>> rows;
  for (const ConstructorGrowth& grown : growth) {
    rows.push_back({TableCell(grown.name, kMaxNameWidth),
                    std::to_string(grown.before.count) + " -> " + std::to_string(grown.after.count),
                    SignedBytes(grown.self_bytes_delta()),
                    SignedBytes(grown.retained_bytes_delta())});
  }
  return RenderTextTable({"constructor", "count", "self bytes", "retained bytes"}, rows);
}

}  // namespace goose::scenarios
