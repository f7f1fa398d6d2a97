// Autograd graph nodes, edges and saved values. The engine that runs them lives
// in csrc/autograd; operators (csrc/ops) only build nodes.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace mlxc {

// Where a gradient flows: input `input_nr` of node `fn`.
struct Edge {
  std::shared_ptr<Node> fn;
  uint32_t input_nr = 0;
  bool valid() const { return fn != nullptr; }
};

// Gradient hooks, run by the engine (csrc/autograd/engine.cpp). A pre hook gets
// the gradients flowing into a node and returns them, possibly replaced; a post
// hook gets (gradients the node produced, gradients it received) and returns
// the produced ones, possibly replaced.
using GradPreHook = std::function<TensorList(TensorList)>;
using GradPostHook = std::function<TensorList(TensorList, const TensorList&)>;

// Hooks kept on a tensor (TensorImpl::hooks): a leaf's gradient hooks, run
// before accumulation, and hooks run after its .grad was accumulated.
struct TensorHooks {
  std::vector<GradPreHook> pre;
  std::vector<std::function<void(const Tensor&)>> post_accumulate;
  std::shared_ptr<void> owner_state;  // kept for csrc/python (its hook dictionaries)
};

// A backward function in the graph. Inputs of the node are gradients of the
// forward op's outputs; it returns one gradient per next edge.
struct Node : std::enable_shared_from_this<Node> {
  Node();
  virtual ~Node() = default;
  virtual TensorList apply(TensorList&& grads) = 0;
  virtual std::string name() const = 0;
  // Drops saved values after a backward pass that does not retain the graph.
  virtual void release_variables() {}
  // Whether the gradient for input i is needed by anything.
  bool needs_input_grad(size_t i) const { return i < next_edges.size() && next_edges[i].valid(); }

  std::vector<Edge> next_edges;
  // Non-leaf tensors (output number, tensor) whose .grad is kept (retain_grad).
  std::vector<std::pair<uint32_t, std::weak_ptr<TensorImpl>>> retained;
  void* pyobj = nullptr;                 // live Python wrapper, owned by csrc/python
  std::vector<ScalarType> input_dtypes;  // dtype of each forward input (grads are cast to it)
  uint32_t num_outputs = 1;              // number of forward outputs (gradients flowing in)
  // Sizes of the forward outputs, by output number, recorded by set_history;
  // the engine checks incoming gradients against them.
  std::vector<std::optional<IntArray>> output_sizes;
  uint64_t sequence_nr;  // creation order; later nodes run first
  // Hooks of tensors this node outputs (Tensor.register_hook), then the node's
  // own (register_prehook, register_hook).
  std::vector<GradPreHook> tensor_pre_hooks;
  std::vector<GradPreHook> pre_hooks;
  std::vector<GradPostHook> post_hooks;
  // Metadata and hook dictionaries, owned by csrc/python.
  std::shared_ptr<void> py_state;
};

// Pack/unpack hooks for values saved for backward (saved_tensors_hooks). The
// innermost active pair applies to every value saved while it is active.
struct SavedTensorHooks {
  virtual ~SavedTensorHooks() = default;
  virtual std::shared_ptr<void> pack(const Tensor& t) = 0;
  virtual Tensor unpack(const std::shared_ptr<void>& packed) = 0;
};
// Thread-local stack of active hooks; a null entry disables hooks in its scope.
void push_saved_tensor_hooks(std::shared_ptr<SavedTensorHooks> hooks);
void pop_saved_tensor_hooks();
std::shared_ptr<SavedTensorHooks> current_saved_tensor_hooks();

// A value saved for backward. It keeps the MLX array (immutable, so later
// in-place writes cannot change it) plus what is needed to rebuild a tensor
// connected to the graph for double backward.
class SavedVariable {
 public:
  SavedVariable() = default;
  SavedVariable(const Tensor& t, bool is_output);
  // Rebuilds the saved tensor; `owner` is the node holding this value.
  Tensor unpack(const std::shared_ptr<Node>& owner) const;
  void reset();
  bool defined() const { return defined_; }
  // After an in-place op wrote its own result into the storage this value was
  // saved from, the saved value is that op's original input (torch saves a copy,
  // original_self): it no longer follows the storage's later versions.
  void follow_inplace_write(const Storage* s, uint64_t from) {
    if (storage_.get() == s && saved_version_ == from) storage_.reset();
  }

 private:
  std::optional<mx::array> value_;
  std::shared_ptr<SavedTensorHooks> hooks_;  // set when saved under saved_tensors_hooks
  std::shared_ptr<void> packed_;             // what the pack hook returned
  ScalarType dtype_ = ScalarType::Float32;
  Device device_;
  std::shared_ptr<Node> grad_fn_;  // empty for outputs (would be a cycle) and leaves
  std::weak_ptr<Node> grad_accumulator_;
  std::shared_ptr<TensorImpl> leaf_;  // leaf that requires grad
  std::shared_ptr<Storage> storage_;
  std::weak_ptr<TensorImpl> source_;  // the saved tensor, for error messages
  uint64_t saved_version_ = 0;
  uint32_t output_nr_ = 0;
  bool requires_grad_ = false;
  bool is_output_ = false;
  bool defined_ = false;
  bool released_ = false;
};

// A node whose backward is a function of the saved values (the common case for
// operators). See Note [Writing an operator] in csrc/ops/common.h.
struct FnNode : Node {
  using Fn = std::function<TensorList(FnNode&, TensorList&)>;
  FnNode(const char* name, Fn fn) : name_(name), fn_(std::move(fn)) {}
  TensorList apply(TensorList&& grads) override;
  std::string name() const override { return name_; }
  // torch names some in-place forms' nodes apart (EluBackward1 for elu_); the
  // name must outlive the node (a literal or an interned string).
  void rename(const char* name) { name_ = name; }
  void release_variables() override;

  // Saves a value; `is_output` for the node's own forward output.
  void save(const Tensor& t, bool is_output = false) { saved_.emplace_back(t, is_output); }
  Tensor saved(size_t i) { return saved_[i].unpack(shared_from_this()); }
  void follow_inplace_write(const Storage* s, uint64_t from) {
    for (auto& v : saved_) v.follow_inplace_write(s, from);
  }

 private:
  const char* name_;
  Fn fn_;
  std::vector<SavedVariable> saved_;
};

// The leaf sink: adds incoming gradients into a leaf's .grad.
struct AccumulateGrad : Node {
  explicit AccumulateGrad(std::shared_ptr<TensorImpl> leaf) : leaf(std::move(leaf)) {}
  TensorList apply(TensorList&& grads) override;
  std::string name() const override { return "AccumulateGrad"; }
  std::shared_ptr<TensorImpl> leaf;
};

// The edge a gradient for `t` must flow into (its grad_fn, or its leaf accumulator).
Edge gradient_edge(const Tensor& t);
// Gets or creates the AccumulateGrad node of a leaf that requires grad.
std::shared_ptr<Node> grad_accumulator(const Tensor& t);
// Makes `t` an output (number `output_nr`) of `fn`.
void set_history(const Tensor& t, const std::shared_ptr<Node>& fn, uint32_t output_nr = 0);

// Brings a view's history up to date with its base's (installed by csrc/ops,
// see Note [In-place writes through views]); gradient_edge calls it for views.
using ViewRefreshFn = void (*)(const Tensor&);
void set_view_refresh_fn(ViewRefreshFn fn);

// Anomaly mode: `capture` runs when a node is made (its result becomes the
// node's py_state, holding the forward traceback); `report` runs when a node's
// backward fails. Both are set by csrc/python.
using AnomalyCaptureFn = std::shared_ptr<void> (*)();
using AnomalyReportFn = void (*)(const Node&);
void set_anomaly_fns(AnomalyCaptureFn capture, AnomalyReportFn report);
void report_anomaly(const Node& n);

// Accumulation used by AccumulateGrad; set by csrc/ops (an add that records).
using AddFn = Tensor (*)(const Tensor&, const Tensor&);
void set_grad_add_fn(AddFn fn);
Tensor grad_add(const Tensor& a, const Tensor& b);
// A leaf's first gradient as torch's layout contract stores it: a fresh tensor
// with the leaf's strides when the leaf is dense (row-major otherwise), made by
// a recorded copy (CopyBackwards) when grad mode is on. Set by csrc/ops.
using GradCopyFn = Tensor (*)(const Tensor& grad, const Tensor& leaf);
void set_grad_copy_fn(GradCopyFn fn);
// Detached shallow copy sharing storage (for storing grads without history).
Tensor detach_alias(const Tensor& t);

}  // namespace mlxc
