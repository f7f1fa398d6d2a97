#include "core/graph.h"

#include "core/error.h"
#include "core/eval.h"
#include "core/grad_mode.h"

namespace mlxc {

namespace {
std::atomic<uint64_t> g_next_sequence_nr{0};
AddFn g_grad_add = nullptr;
GradCopyFn g_grad_copy = nullptr;
thread_local std::vector<std::shared_ptr<SavedTensorHooks>> t_saved_hooks;
ViewRefreshFn g_view_refresh = nullptr;

std::string type_str(ScalarType t, const IntArray& sizes) {
  std::string s = str("torch.", legacy_type_name(t), " [");
  for (size_t i = 0; i < sizes.size(); ++i) s += str(i ? ", " : "", sizes[i]);
  return s + "]";
}
}  // namespace

static AnomalyCaptureFn g_anomaly_capture = nullptr;
static AnomalyReportFn g_anomaly_report = nullptr;

Node::Node() : sequence_nr(g_next_sequence_nr.fetch_add(1, std::memory_order_relaxed)) {
  abort_if_tracing();  // Note [Running under MLX transforms]
  if (g_anomaly_capture && AnomalyMode::is_enabled()) py_state = g_anomaly_capture();
}

void set_anomaly_fns(AnomalyCaptureFn capture, AnomalyReportFn report) {
  g_anomaly_capture = capture;
  g_anomaly_report = report;
}
void report_anomaly(const Node& n) {
  if (g_anomaly_report) g_anomaly_report(n);
}

void push_saved_tensor_hooks(std::shared_ptr<SavedTensorHooks> hooks) {
  t_saved_hooks.push_back(std::move(hooks));
}
void pop_saved_tensor_hooks() {
  if (!t_saved_hooks.empty()) t_saved_hooks.pop_back();
}
std::shared_ptr<SavedTensorHooks> current_saved_tensor_hooks() {
  return t_saved_hooks.empty() ? nullptr : t_saved_hooks.back();
}

void set_grad_add_fn(AddFn fn) { g_grad_add = fn; }
void set_grad_copy_fn(GradCopyFn fn) { g_grad_copy = fn; }
Tensor grad_add(const Tensor& a, const Tensor& b) { return g_grad_add(a, b); }

Tensor detach_alias(const Tensor& t) {
  auto impl = std::make_shared<TensorImpl>(*t.impl());
  impl->requires_grad = false;
  impl->retains_grad = false;
  impl->grad_fn.reset();
  impl->output_nr = 0;
  impl->grad_accumulator.reset();
  impl->grad.reset();
  impl->hooks.reset();
  // Not a view for autograd, as torch's detach: writes through it leave the
  // base's history alone.
  impl->is_view = false;
  impl->base.reset();
  impl->creation_meta = CreationMeta::Default;
  impl->pyobj = nullptr;
  return Tensor(std::move(impl));
}

SavedVariable::SavedVariable(const Tensor& t, bool is_output) {
  if (!t.defined()) return;
  MLXC_CHECK(!t.impl()->storage->inference || InferenceMode::is_enabled(), Runtime,
             "Inference tensors cannot be saved for backward. Please do not use Tensors created "
             "in inference mode in computation tracked by autograd. To work around this, you can "
             "make a clone to get a normal tensor and use it in autograd, or use `torch.no_grad()` "
             "instead of `torch.inference_mode()`.");
  defined_ = true;
  dtype_ = t.dtype();
  device_ = t.device();
  is_output_ = is_output;
  if (auto hooks = current_saved_tensor_hooks()) {
    // The pack hook's result is what is kept; ops it runs save nothing through it.
    push_saved_tensor_hooks(nullptr);
    try {
      packed_ = hooks->pack(t);
    } catch (...) {
      pop_saved_tensor_hooks();
      throw;
    }
    pop_saved_tensor_hooks();
    hooks_ = std::move(hooks);
  } else {
    value_ = t.value();
    storage_ = t.impl()->storage;
    saved_version_ = storage_->version;
  }
  source_ = t.impl_ptr();
  requires_grad_ = is_output || t.requires_grad();
  output_nr_ = t.impl()->output_nr;
  if (!is_output && requires_grad_) {
    if (t.grad_fn()) {
      grad_fn_ = t.grad_fn();
    } else {
      leaf_ = t.impl_ptr();
    }
  }
}

void SavedVariable::reset() {
  value_.reset();
  packed_.reset();
  hooks_.reset();
  source_.reset();
  grad_fn_.reset();
  leaf_.reset();
  storage_.reset();
  released_ = true;
}

Tensor SavedVariable::unpack(const std::shared_ptr<Node>& owner) const {
  if (!defined_) return Tensor();
  MLXC_CHECK(!released_, Runtime,
             "Trying to backward through the graph a second time (or directly access saved "
             "tensors after they have already been freed). Saved intermediate values of the "
             "graph are freed when you call .backward() or autograd.grad(). Specify "
             "retain_graph=True if you need to backward through the graph a second time or if "
             "you need to access saved tensors after calling backward.");
  if (storage_ && storage_->version != saved_version_) {
    // torch names the op that now produces the tensor, without "Backward<N>".
    std::string op;
    uint32_t nr = output_nr_;
    auto src = source_.lock();
    std::shared_ptr<Node> fn = is_output_ ? owner : (src ? src->grad_fn : nullptr);
    if (src && !is_output_) nr = src->output_nr;
    if (fn) {
      op = fn->name();
      const auto pos = op.rfind("Backward");
      if (pos != std::string::npos) op = op.substr(0, pos);
    }
    fail(ErrorKind::Runtime,
         "one of the variables needed for gradient computation has been modified by an inplace "
         "operation: [",
         type_str(dtype_, to_int_array(value_->shape())), "]",
         // A leaf has no producing op to name.
         op.empty() ? std::string() : str(", which is output ", nr, " of ", op, ","),
         " is at version ", storage_->version, "; expected version ", saved_version_,
         " instead. Hint: enable anomaly detection to find the operation that failed to compute "
         "its gradient, with torch.autograd.set_detect_anomaly(True, check_nan=False).");
  }
  Tensor t;
  if (hooks_) {
    // No version check through hooks (torch cannot track versions through them).
    Tensor u = hooks_->unpack(packed_);
    t = Tensor::from_array(u.value(), u.dtype(), u.device());
  } else {
    t = Tensor::from_array(*value_, dtype_, device_);
  }
  if (!requires_grad_) return t;
  if (is_output_) {
    t.impl()->grad_fn = owner;
    t.impl()->output_nr = output_nr_;
  } else if (grad_fn_) {
    t.impl()->grad_fn = grad_fn_;
    t.impl()->output_nr = output_nr_;
  } else {
    t.impl()->grad_fn = grad_accumulator(Tensor(leaf_));
  }
  return t;
}

TensorList FnNode::apply(TensorList&& grads) {
  MLXC_CHECK(fn_ != nullptr, Runtime, "backward function of ", name_, " is missing");
  return fn_(*this, grads);
}

void FnNode::release_variables() {
  for (auto& s : saved_) s.reset();
}

TensorList AccumulateGrad::apply(TensorList&& grads) {
  Tensor g = grads.empty() ? Tensor() : grads[0];
  if (!g.defined()) return {};
  TensorImpl& l = *leaf;
  if (!l.grad) {
    Tensor leaf_t(leaf);
    if (GradMode::is_enabled() || !leaf_t.is_contiguous()) {
      l.grad = g_grad_copy(g, leaf_t).impl_ptr();
    } else {
      // A fresh storage over the same immutable array: later in-place
      // accumulation must not write into a tensor the caller still holds.
      l.grad = Tensor::from_array(g.value(), g.dtype(), g.device()).impl_ptr();
    }
  } else if (GradMode::is_enabled()) {
    l.grad = grad_add(Tensor(l.grad), g).impl_ptr();
  } else {
    Tensor old(l.grad);
    Tensor sum = grad_add(old, g);
    write_into(old, sum.value());
  }
  return {};
}

void set_view_refresh_fn(ViewRefreshFn fn) { g_view_refresh = fn; }

Edge gradient_edge(const Tensor& t) {
  if (t.impl()->is_view) t.check_view_version();  // See Note [View creation meta]
  if (t.impl()->is_view && g_view_refresh) g_view_refresh(t);
  if (t.grad_fn()) return Edge{t.grad_fn(), t.impl()->output_nr};
  if (t.impl()->requires_grad) return Edge{grad_accumulator(t), 0};
  return Edge{};
}

std::shared_ptr<Node> grad_accumulator(const Tensor& t) {
  TensorImpl& impl = *t.impl();
  if (auto acc = impl.grad_accumulator.lock()) return acc;
  auto acc = std::make_shared<AccumulateGrad>(t.impl_ptr());
  impl.grad_accumulator = acc;
  return acc;
}

void set_history(const Tensor& t, const std::shared_ptr<Node>& fn, uint32_t output_nr) {
  // As in torch, only floating and complex results are differentiable: an
  // integer or bool output (a cast, an index) never carries history.
  if (fn && !is_floating(t.dtype()) && !is_complex(t.dtype())) return;
  t.impl()->grad_fn = fn;
  t.impl()->output_nr = output_nr;
  if (fn) {
    if (fn->output_sizes.size() <= output_nr) fn->output_sizes.resize(output_nr + 1);
    fn->output_sizes[output_nr] = t.sizes();
  }
}

}  // namespace mlxc
