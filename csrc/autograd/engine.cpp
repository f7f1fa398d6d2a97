#include "autograd/engine.h"

#include <queue>
#include <unordered_map>
#include <unordered_set>

#include "core/error.h"
#include "core/eval.h"
#include "core/grad_mode.h"
#include "mlx/ops.h"
#include "ops/pointwise.h"
#include "ops/reduce.h"

namespace mlxc {

namespace {

struct NodeTask {
  Node* node;
  uint64_t priority;
  bool operator<(const NodeTask& o) const { return priority < o.priority; }
};

uint64_t priority_of(Node* n) {
  // Leaf accumulators run as soon as they are ready, as in torch.
  return dynamic_cast<AccumulateGrad*>(n) ? UINT64_MAX : n->sequence_nr;
}

// Gradient accumulation into leaves uses the recording add (see core/graph.h).
const bool kGradAddRegistered = [] {
  set_grad_add_fn(+[](const Tensor& a, const Tensor& b) { return add(a, b); });
  set_grad_copy_fn(+[](const Tensor& grad, const Tensor& leaf) {
    // torch: a copy in the leaf's strides when the leaf is dense, else a
    // row-major clone.
    if (!non_overlapping_and_dense(leaf.sizes(), leaf.strides())) return clone(grad);
    Tensor out = keep_dense_layout(zeros_like(leaf), leaf);
    copy_(out, grad);
    return out;
  });
  return true;
}();

// Runs pre hooks in order; each may replace the gradients.
TensorList run_pre_hooks(const std::vector<GradPreHook>& hooks, TensorList grads) {
  for (size_t i = 0; i < hooks.size(); ++i) grads = hooks[i](std::move(grads));
  return grads;
}

// Anomaly mode: a backward output holding NaN names the node that produced it.
void check_nan(const Node& n, const TensorList& outs) {
  for (size_t i = 0; i < outs.size(); ++i) {
    const Tensor& g = outs[i];
    if (!g.defined() || !(is_floating(g.dtype()) || is_complex(g.dtype()))) continue;
    mx::array bad = mx::any(mx::isnan(g.value()));
    eval_arrays({bad});
    MLXC_CHECK(!bad.item<bool>(), Runtime, "Function '", n.name(), "' returned nan values in its ",
               i, "th output.");
  }
}

void add_into(Tensor& slot, const Tensor& g) { slot = slot.defined() ? grad_add(slot, g) : g; }

// Whether `shape` broadcasts to `desired` (torch's is_expandable_to).
bool expandable_to(const IntArray& shape, const IntArray& desired) {
  if (shape.size() > desired.size()) return false;
  const size_t lead = desired.size() - shape.size();
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] != desired[lead + i] && shape[i] != 1) return false;
  }
  return true;
}

// torch's validate_outputs, shapes only: a gradient flowing along `e` must
// have the shape its consumer recorded for that input; a broadcast one is
// summed down, anything else raises. `who` names the producer ("" for roots).
Tensor validate_grad(const Tensor& g, const Edge& e, size_t index, const std::string& who) {
  const IntArray* want = nullptr;
  if (auto* acc = dynamic_cast<AccumulateGrad*>(e.fn.get())) {
    want = &acc->leaf->sizes;
  } else if (e.input_nr < e.fn->output_sizes.size() && e.fn->output_sizes[e.input_nr]) {
    want = &*e.fn->output_sizes[e.input_nr];
  }
  if (!want || g.sizes() == *want) return g;
  if (!expandable_to(*want, g.sizes())) {
    fail(ErrorKind::Runtime, who.empty() ? std::string() : str("Function ", who, " returned an "),
         "invalid gradient at index ", index, " - got ", sizes_str(g.sizes()),
         " but expected shape compatible with ", sizes_str(*want));
  }
  return sum_to(g, *want);
}

// Nodes from which some node in `targets` can be reached (including targets).
std::unordered_set<Node*> nodes_leading_to(const std::vector<Node*>& roots,
                                           const std::unordered_set<Node*>& targets) {
  std::unordered_map<Node*, bool> memo;
  std::unordered_set<Node*> needed;
  // Iterative post-order DFS.
  std::vector<std::pair<Node*, size_t>> stack;
  for (Node* r : roots) {
    if (memo.count(r)) continue;
    stack.push_back({r, 0});
    memo[r] = false;
    while (!stack.empty()) {
      auto& [n, i] = stack.back();
      if (i < n->next_edges.size()) {
        Node* c = n->next_edges[i++].fn.get();
        if (c && !memo.count(c)) {
          memo[c] = false;
          stack.push_back({c, 0});
        }
        continue;
      }
      bool hit = targets.count(n) > 0;
      for (auto& e : n->next_edges) hit = hit || (e.fn && memo[e.fn.get()]);
      memo[n] = hit;
      if (hit) needed.insert(n);
      stack.pop_back();
    }
  }
  return needed;
}

}  // namespace

TensorList run_backward(const TensorList& roots, const TensorList& grad_roots, bool keep_graph,
                        bool create_graph, const TensorList& inputs, bool accumulate,
                        bool allow_unused) {
  // Root edges and their starting gradients.
  std::vector<Edge> root_edges;
  TensorList root_grads;
  for (size_t i = 0; i < roots.size(); ++i) {
    const Tensor& r = roots[i];
    Edge e = gradient_edge(r);
    MLXC_CHECK(e.valid(), Runtime, "element ", i,
               " of tensors does not require grad and does not have a grad_fn");
    Tensor g = i < grad_roots.size() ? grad_roots[i] : Tensor();
    if (!g.defined()) {
      MLXC_CHECK(r.numel() == 1, Runtime, "grad can be implicitly created only for scalar outputs");
      MLXC_CHECK(is_floating(r.dtype()) || is_complex(r.dtype()), Runtime,
                 "grad can be implicitly created only for real scalar outputs but got ",
                 scalar_type_name(r.dtype()));
      g = ones_like(r);
    } else {
      MLXC_CHECK(g.sizes() == r.sizes(), Runtime, "Mismatch in shape: grad_output[", i,
                 "] has a shape of ", sizes_str(g.sizes()), " and output[", i, "] has a shape of ",
                 sizes_str(r.sizes()), ".");
    }
    root_edges.push_back(e);
    root_grads.push_back(validate_grad(g, e, i, ""));
  }

  // Capture points for torch.autograd.grad / backward(inputs=...).
  std::vector<Edge> input_edges;
  std::unordered_set<Node*> targets;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Tensor& t = inputs[i];
    Edge e = gradient_edge(t);
    if (!e.valid()) {
      MLXC_CHECK(allow_unused || !accumulate, Runtime,
                 "One of the differentiated Tensors does not require grad");
      MLXC_CHECK(!accumulate || t.requires_grad(), Runtime,
                 "One of the differentiated Tensors does not require grad");
    }
    if (!accumulate) {
      MLXC_CHECK(t.requires_grad(), Runtime,
                 "One of the differentiated Tensors does not require grad");
    }
    input_edges.push_back(e);
    if (e.valid()) targets.insert(e.fn.get());
  }

  std::vector<Node*> root_nodes;
  for (auto& e : root_edges) root_nodes.push_back(e.fn.get());
  const bool filter = !inputs.empty();
  std::unordered_set<Node*> needed;
  if (filter) needed = nodes_leading_to(root_nodes, targets);

  // Dependency counts over the reachable (and needed) part of the graph.
  std::unordered_map<Node*, int> deps;
  std::unordered_map<Node*, std::shared_ptr<Node>> owners;
  {
    std::vector<Node*> stack;
    std::unordered_set<Node*> seen;
    for (auto& e : root_edges) {
      if (seen.insert(e.fn.get()).second) {
        stack.push_back(e.fn.get());
        owners[e.fn.get()] = e.fn;
      }
    }
    while (!stack.empty()) {
      Node* n = stack.back();
      stack.pop_back();
      for (auto& e : n->next_edges) {
        Node* c = e.fn.get();
        if (!c || (filter && !needed.count(c))) continue;
        deps[c]++;
        if (seen.insert(c).second) {
          owners[c] = e.fn;
          stack.push_back(c);
        }
      }
    }
  }

  std::unordered_map<Node*, TensorList> buffers;
  auto buffer_of = [&](Node* n) -> TensorList& {
    auto& b = buffers[n];
    if (b.size() < n->num_outputs) b.resize(n->num_outputs);
    return b;
  };
  for (size_t i = 0; i < root_edges.size(); ++i) {
    add_into(buffer_of(root_edges[i].fn.get())[root_edges[i].input_nr], root_grads[i]);
  }

  std::unordered_map<Node*, TensorList> captured;
  std::priority_queue<NodeTask> ready;
  std::unordered_set<Node*> queued;
  for (Node* r : root_nodes) {
    if (deps[r] == 0 && queued.insert(r).second) ready.push({r, priority_of(r)});
  }

  AutoGradMode mode(create_graph);
  while (!ready.empty()) {
    Node* n = ready.top().node;
    ready.pop();
    TensorList grads = std::move(buffer_of(n));
    buffers.erase(n);
    auto* acc = dynamic_cast<AccumulateGrad*>(n);
    const bool is_acc = acc != nullptr;
    // Hooks of the tensors whose gradients these are (a leaf's live on the leaf).
    grads = run_pre_hooks(n->tensor_pre_hooks, std::move(grads));
    if (acc && acc->leaf->hooks) grads = run_pre_hooks(acc->leaf->hooks->pre, std::move(grads));
    if (targets.count(n)) captured[n] = grads;
    if (filter && (!needed.count(n) || (is_acc && !accumulate))) continue;
    if (!filter && is_acc && !accumulate) continue;
    if (filter && !accumulate && targets.count(n)) {
      // Gradients beyond a captured input are not needed unless another input lies below.
      bool below = false;
      for (auto& e : n->next_edges) below = below || (e.fn && needed.count(e.fn.get()));
      if (!below) continue;
    }
    for (auto& [nr, weak] : n->retained) {
      auto impl = weak.lock();
      if (!impl || nr >= grads.size() || !grads[nr].defined()) continue;
      const Tensor& g = grads[nr];
      impl->grad = impl->grad ? grad_add(Tensor(impl->grad), g).impl_ptr()
                              : Tensor::from_array(g.value(), g.dtype(), g.device()).impl_ptr();
    }
    TensorList outs;
    try {
      grads = run_pre_hooks(n->pre_hooks, std::move(grads));
      const TensorList grad_outputs = n->post_hooks.empty() ? TensorList{} : grads;
      outs = n->apply(std::move(grads));
      if (!keep_graph) n->release_variables();
      for (size_t h = 0; h < n->post_hooks.size(); ++h) {
        outs = n->post_hooks[h](std::move(outs), grad_outputs);
      }
      if (AnomalyMode::is_enabled() && AnomalyMode::should_check_nan()) check_nan(*n, outs);
    } catch (...) {
      // Anomaly mode points at the forward call that made the failing node.
      if (AnomalyMode::is_enabled()) report_anomaly(*n);
      throw;
    }
    if (acc && acc->leaf->hooks) {
      auto hooks = acc->leaf->hooks;  // a hook may register or remove others
      for (size_t h = 0; h < hooks->post_accumulate.size(); ++h) {
        hooks->post_accumulate[h](Tensor(acc->leaf));
      }
    }
    for (size_t i = 0; i < n->next_edges.size() && i < outs.size(); ++i) {
      const Edge& e = n->next_edges[i];
      Node* c = e.fn.get();
      if (!c || (filter && !needed.count(c))) continue;
      Tensor g = outs[i];
      if (g.defined()) {
        g = validate_grad(g, e, i, n->name());
        if (i < n->input_dtypes.size() && g.dtype() != n->input_dtypes[i]) {
          g = to_dtype(g, n->input_dtypes[i]);
        }
        add_into(buffer_of(c)[e.input_nr], g);
      }
      if (--deps[c] == 0 && queued.insert(c).second) ready.push({c, priority_of(c)});
    }
  }

  TensorList result;
  if (accumulate) return result;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Edge& e = input_edges[i];
    Tensor g;
    if (e.valid()) {
      auto it = captured.find(e.fn.get());
      if (it != captured.end() && e.input_nr < it->second.size()) g = it->second[e.input_nr];
    }
    MLXC_CHECK(g.defined() || allow_unused, Runtime,
               "One of the differentiated Tensors appears to not have been used in the graph. "
               "Set allow_unused=True if this is the desired behavior.");
    result.push_back(g);
  }
  return result;
}

}  // namespace mlxc
