// Bindings for torch.autograd.Function: graph nodes whose backward calls Python.
//
// The ctx object of a custom Function (an instance of _C._FunctionBase) is also
// the grad_fn of its outputs, as in torch. The node owns the ctx; the ctx only
// refers back to the node weakly, so no reference cycle crosses C++.
#include <nanobind/stl/shared_ptr.h>

#include <unordered_set>

#include "core/error.h"
#include "core/grad_mode.h"
#include "core/graph.h"
#include "ops/pointwise.h"
#include "ops/reduce.h"
#include "ops/view_grad.h"
#include "python/bind.h"

namespace mlxc::py {

namespace {

constexpr const char* kBackwardTwice =
    "Trying to backward through the graph a second time (or directly access saved tensors after "
    "they have already been freed). Saved intermediate values of the graph are freed when you "
    "call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward "
    "through the graph a second time or if you need to access saved tensors after calling "
    "backward.";

struct OutputInfo {
  bool is_tensor = false;
  IntArray sizes;
  ScalarType dtype = ScalarType::Float32;
  Device device;
};

// The graph node of one custom Function call; its backward runs ctx.apply(*grads).
struct PyNode : Node {
  PyNode(PyObject* ctx, std::string name) : ctx(ctx), name_(std::move(name)) { Py_INCREF(ctx); }
  ~PyNode() override {
    if (!Py_IsInitialized()) return;
    nb::gil_scoped_acquire gil;
    saved.clear();
    Py_DECREF(ctx);
  }
  TensorList apply(TensorList&& grads) override;
  std::string name() const override { return name_; }
  void release_variables() override {
    for (auto& s : saved) s.reset();
    freed = true;
  }

  PyObject* ctx;
  std::string name_;
  std::vector<SavedVariable> saved;
  std::vector<bool> is_tensor_input;  // per forward input
  std::vector<IntArray> input_sizes;  // per tensor input (next edge)
  std::vector<OutputInfo> outputs;    // per forward output
  bool materialize_grads = true;
  bool freed = false;
  bool cleared = false;  // saved values dropped on access (clear_saved_tensors_on_access)
};

// Payload of _C._FunctionBase.
struct FunctionState {
  std::weak_ptr<PyNode> node;
  bool had_node = false;
};

std::string py_type_name(nb::handle h) { return nb::cast<std::string>(h.type().attr("__name__")); }

// The Python object of any node: the ctx for custom Functions, otherwise the
// grad_fn object the tensor bindings give out (reached through a throwaway tensor).
nb::object node_py(const std::shared_ptr<Node>& n) {
  if (!n) return nb::none();
  if (n->pyobj) return nb::borrow(static_cast<PyObject*>(n->pyobj));
  Tensor probe = Tensor::from_array(mx::array(0.0f), ScalarType::Float32);
  probe.impl()->grad_fn = n;
  return wrap(probe).attr("grad_fn");
}

TensorList PyNode::apply(TensorList&& grads) {
  nb::gil_scoped_acquire gil;
  nb::list args;
  for (size_t i = 0; i < outputs.size(); ++i) {
    const Tensor g = i < grads.size() ? grads[i] : Tensor();
    const OutputInfo& info = outputs[i];
    if (g.defined()) {
      args.append(wrap(g));
    } else if (info.is_tensor && materialize_grads) {
      Tensor z = zeros(info.sizes, TensorOptions{info.dtype, info.device, false});
      args.append(wrap(z));
    } else {
      args.append(nb::none());
    }
  }
  nb::object res = nb::borrow(ctx).attr("apply")(*nb::tuple(args));
  if (!PyTuple_Check(res.ptr())) res = nb::make_tuple(res);
  nb::tuple r = nb::borrow<nb::tuple>(res);
  const size_t n_in = is_tensor_input.size();
  const size_t n_got = r.size();
  bool extra_ok = n_got >= n_in;
  for (size_t i = n_in; i < n_got && extra_ok; ++i) extra_ok = r[i].is_none();
  MLXC_CHECK(n_got == n_in || (n_got > n_in && extra_ok), Runtime, "function ", name_,
             " returned an incorrect number of gradients (expected ", n_in, ", got ", n_got, ")");
  TensorList out;
  size_t k = 0;
  for (size_t i = 0; i < n_in; ++i) {
    nb::handle h = r[i];
    if (!is_tensor_input[i]) {
      MLXC_CHECK(h.is_none(), Runtime, "function ", name_,
                 " returned a gradient different than None at position ", i + 1,
                 ", but the corresponding forward input was not a Variable");
      continue;
    }
    MLXC_CHECK(h.is_none() || is_tensor(h), Runtime, "expected Variable or None (got ",
               py_type_name(h), ")");
    Tensor g = h.is_none() ? Tensor() : unwrap(h);
    if (g.defined() && next_edges[k].valid() && g.sizes() != input_sizes[k]) {
      const IntArray& want = input_sizes[k];
      bool expandable = g.dim() >= static_cast<int64_t>(want.size());
      for (size_t d = 0; expandable && d < want.size(); ++d) {
        const int64_t gs = g.sizes()[g.dim() - want.size() + d];
        expandable = want[d] == gs || want[d] == 1;
      }
      MLXC_CHECK(expandable, Runtime, "Function ", name_, " returned an invalid gradient at index ",
                 k, " - got ", sizes_str(g.sizes()), " but expected shape compatible with ",
                 sizes_str(want));
      g = sum_to(g, want);
    }
    out.push_back(next_edges[k].valid() ? g : Tensor());
    ++k;
  }
  return out;
}

// The node that fails when differentiated (once_differentiable's guard).
struct ErrorNode : Node {
  explicit ErrorNode(std::string msg) : msg(std::move(msg)) {}
  TensorList apply(TensorList&&) override { fail(ErrorKind::Runtime, msg); }
  std::string name() const override { return "Error"; }
  std::string msg;
};

// Views returned by a custom Function (its own views, or inputs returned as-is)
// cannot be written in place: the write would bypass the Function's backward.
void check_view_write(const Tensor& view) {
  auto* n = dynamic_cast<PyNode*>(view.grad_fn().get());
  if (!n) return;
  std::string fn = n->name();
  if (fn.size() > 8 && fn.ends_with("Backward")) fn.resize(fn.size() - 8);
  const std::string head = str("Output ", view.impl()->output_nr, " of ", fn,
                               " is a view and is being modified inplace. ");
  if (n->num_outputs > 1) {
    fail(ErrorKind::Runtime, head,
         "This view is the output of a function that returns multiple views. Such functions do "
         "not allow the output views to be modified inplace. You should replace the inplace "
         "operation by an out-of-place one.");
  }
  fail(ErrorKind::Runtime, head,
       "This view was created inside a custom Function (or because an input was returned as-is) "
       "and the autograd logic to handle view+inplace would override the custom backward "
       "associated with the custom Function, leading to incorrect gradients. This behavior is "
       "forbidden. You can fix this by cloning the output of the custom Function.");
}

// An alias of `t` that shares its storage, made outside of autograd.
Tensor view_as_self(const Tensor& t) {
  const CreationMeta meta = view_creation_meta(t);
  AutoGradMode off(false);
  Tensor v = make_view(t, t.sizes(), t.strides(), t.offset(), t.value());
  v.impl()->creation_meta = meta;
  return v;
}

std::unordered_set<TensorImpl*> tensor_set(nb::handle objs, const char* what) {
  std::unordered_set<TensorImpl*> s;
  if (objs.is_none()) return s;
  size_t i = 0;
  for (nb::handle h : objs) {
    MLXC_CHECK(is_tensor(h), Runtime, what, i, " is of type ", py_type_name(h));
    s.insert(unwrap(h).impl());
    ++i;
  }
  return s;
}

// Turns the forward's raw result into the Function's outputs and, when the
// call is recorded, builds the node (torch's _wrap_outputs + _save_variables).
nb::object finish_forward(nb::handle self, nb::tuple inputs, nb::object raw, bool executable) {
  FunctionState& st = *nb::inst_ptr<FunctionState>(self);
  const bool was_tuple = PyTuple_Check(raw.ptr());
  nb::list outs;
  if (was_tuple) {
    for (nb::handle h : nb::borrow<nb::tuple>(raw)) outs.append(h);
  } else {
    outs.append(raw);
  }
  const size_t n_out = outs.size();

  auto dirty =
      tensor_set(self.attr("dirty_tensors"), "mark_dirty can only accept variables, but argument ");
  for (nb::handle h :
       nb::iter(self.attr("dirty_tensors").is_none() ? nb::tuple() : self.attr("dirty_tensors"))) {
    unwrap(h).impl()->storage->version++;
  }
  self.attr("dirty_tensors") = nb::none();
  auto non_diff = tensor_set(self.attr("non_differentiable"),
                             "mark_non_differentiable only accepts variable arguments, but got ");

  std::unordered_set<TensorImpl*> input_impls;
  std::shared_ptr<PyNode> node;
  if (executable) {
    node = std::make_shared<PyNode>(self.ptr(), py_type_name(self));
    node->pyobj = self.ptr();
    node->num_outputs = static_cast<uint32_t>(n_out);
    node->materialize_grads = nb::cast<bool>(self.attr("materialize_grads"));
  }
  for (nb::handle h : inputs) {
    const bool t = is_tensor(h);
    if (t) input_impls.insert(unwrap(h).impl());
    if (!node) continue;
    node->is_tensor_input.push_back(t);
    if (!t) continue;
    const Tensor& x = unwrap(h);
    node->next_edges.push_back(gradient_edge(x));
    node->input_dtypes.push_back(x.dtype());
    node->input_sizes.push_back(x.sizes());
  }

  std::unordered_set<TensorImpl*> returned;
  for (size_t i = 0; i < n_out; ++i) {
    nb::handle h = outs[i];
    if (!is_tensor(h)) {
      if (node) node->outputs.push_back(OutputInfo{});
      continue;
    }
    Tensor var = unwrap(h);
    TensorImpl* impl = var.impl();
    returned.insert(impl);
    const bool is_input = input_impls.count(impl) > 0;
    const bool is_modified = dirty.count(impl) > 0;
    const bool differentiable =
        node && !non_diff.count(impl) && (is_floating(var.dtype()) || is_complex(var.dtype()));
    if (node) node->outputs.push_back(OutputInfo{true, var.sizes(), var.dtype(), var.device()});
    const auto nr = static_cast<uint32_t>(i);
    if (!differentiable) {
      if (!var.requires_grad()) {
        if (is_input && !is_modified) outs[i] = wrap(view_as_self(var));
        continue;
      }
      if (is_input) {
        outs[i] = wrap(detach_alias(var));
      } else if (!impl->is_view) {
        impl->grad_fn.reset();
        impl->requires_grad = false;
      }
    } else if (is_modified) {
      MLXC_CHECK(!(var.is_leaf() && impl->requires_grad), Runtime,
                 "a leaf Variable that requires grad has been used in an in-place operation.");
      if (!is_input) {
        PyErr_WarnEx(PyExc_UserWarning,
                     "ctx.mark_dirty() received a tensor that was not an input. Only input "
                     "Tensors that have been mutated should be passed to ctx.mark_dirty().",
                     1);
      }
      MLXC_CHECK(
          !(impl->is_view && n_out > 1), Runtime,
          "If your Function modifies inplace an input that is a view of another Tensor, your "
          "Function cannot return more than one Tensor. This is not supported by the current "
          "autograd engine. You should either make sure the input is not a view (using .clone() "
          "for example) or make your Function only return one Tensor (potentially splitting it "
          "into two Functions: one doing the inplace that returns a single Tensor and a second "
          "one that does the other operations). You can ask on the forum "
          "https://discuss.pytorch.org/ if you need help to do this change.");
      if (impl->is_view && impl->base) {
        Tensor r = detach_alias(var);
        r.impl()->grad_fn = node;
        r.impl()->output_nr = nr;
        rebase_view_history(var, r);
      } else {
        set_history(var, node, nr);
        impl->history_gen++;  // its earlier views read the new history
      }
    } else if (is_input) {
      Tensor v = view_as_self(var);
      set_history(v, node, nr);
      outs[i] = wrap(v);
    } else {
      // A view made in forward is checked as a custom Function's output
      // (check_view_write), not as one made under no_grad.
      if (impl->is_view && impl->creation_meta != CreationMeta::Inference) {
        impl->creation_meta = CreationMeta::Default;
      }
      set_history(var, node, nr);
    }
  }
  for (TensorImpl* d : dirty) {
    MLXC_CHECK(returned.count(d), Runtime,
               "Some elements marked as dirty during the forward method were not returned as "
               "output. The inputs that are modified inplace must all be outputs of the Function.");
  }

  nb::object to_save = self.attr("to_save");
  if (node && !to_save.is_none()) {
    size_t i = 0;
    for (nb::handle h : to_save) {
      if (h.is_none()) {
        node->saved.emplace_back();
      } else {
        MLXC_CHECK(is_tensor(h), Type, "save_for_backward can only save variables, but argument ",
                   i, " is of type ", py_type_name(h));
        const Tensor& t = unwrap(h);
        node->saved.emplace_back(t, t.grad_fn() == std::static_pointer_cast<Node>(node));
      }
      ++i;
    }
  }
  self.attr("to_save") = nb::none();
  if (node) {
    st.node = node;
    st.had_node = true;
  }
  if (was_tuple) return nb::tuple(outs);
  return outs[0];
}

// A strong reference to a Python object that may be dropped without the GIL.
std::shared_ptr<PyObject> hold(nb::handle o) {
  Py_INCREF(o.ptr());
  return std::shared_ptr<PyObject>(o.ptr(), [](PyObject* p) {
    if (!Py_IsInitialized()) return;
    nb::gil_scoped_acquire gil;
    Py_DECREF(p);
  });
}

nb::tuple grads_tuple(const TensorList& ts) {
  nb::list l;
  for (const auto& t : ts) l.append(t.defined() ? wrap(t) : nb::none());
  return nb::tuple(l);
}

// The gradients a hook runner returned (a tuple, already checked in Python).
TensorList grads_from(nb::handle res) {
  TensorList out;
  for (nb::handle h : res) out.push_back(h.is_none() ? Tensor() : unwrap(h));
  return out;
}

// Installs `runner` as the node's pre hook (runner(grad_outputs)) or post hook
// (runner(grad_inputs, grad_outputs)); it returns the gradients to use.
void add_node_hook(nb::handle self, bool pre, nb::handle runner) {
  auto node = nb::inst_ptr<FunctionState>(self)->node.lock();
  MLXC_CHECK(node != nullptr, Runtime,
             "Attempted to register a hook on a Function that is not part of a graph");
  auto fn = hold(runner);
  if (pre) {
    node->pre_hooks.push_back([fn](TensorList grads) {
      nb::gil_scoped_acquire gil;
      return grads_from(nb::handle(fn.get())(grads_tuple(grads)));
    });
    return;
  }
  const size_t n = node->next_edges.size();
  node->post_hooks.push_back([fn, n](TensorList outs, const TensorList& grad_outputs) {
    if (outs.size() < n) outs.resize(n);
    nb::gil_scoped_acquire gil;
    return grads_from(nb::handle(fn.get())(grads_tuple(outs), grads_tuple(grad_outputs)));
  });
}

// ctx.saved_tensors: the saved values, checked against later in-place writes.
nb::tuple saved_tensors(nb::handle self) {
  auto node = nb::inst_ptr<FunctionState>(self)->node.lock();
  nb::list l;
  if (!node) return nb::tuple(l);
  MLXC_CHECK(!node->cleared, Runtime,
             "saved_tensors can only be accessed once when clear_saved_tensors_on_access=True is "
             "set on the autograd.Function. Either access saved_tensors only once, or set "
             "clear_saved_tensors_on_access=False.");
  MLXC_CHECK(!node->freed, Runtime, kBackwardTwice);
  for (auto& v : node->saved) {
    Tensor t = v.unpack(node);
    // A saved leaf comes back as the leaf itself, as in torch.
    auto* acc = t.defined() ? dynamic_cast<AccumulateGrad*>(t.grad_fn().get()) : nullptr;
    l.append(acc ? wrap(Tensor(acc->leaf)) : wrap(t));
  }
  nb::object cls = nb::getattr(self, "_forward_cls", nb::none());
  nb::object clear = nb::getattr(cls, "clear_saved_tensors_on_access", nb::bool_(false));
  if (nb::cast<bool>(clear)) {
    for (auto& v : node->saved) v.reset();
    node->cleared = true;
  }
  return nb::tuple(l);
}

}  // namespace

void init_custom_function(nb::module_& m) {
  set_view_write_check(&check_view_write);
  nb::class_<FunctionState>(m, "_FunctionBase")
      .def(nb::init<>())
      .def_prop_ro("saved_tensors", &saved_tensors)
      .def_prop_ro("next_functions",
                   [](const FunctionState& s) {
                     nb::list l;
                     if (auto node = s.node.lock()) {
                       for (const auto& e : node->next_edges) {
                         l.append(nb::make_tuple(node_py(e.fn), e.input_nr));
                       }
                     }
                     return nb::tuple(l);
                   })
      .def("_add_node_hook", &add_node_hook)
      .def("_sequence_nr",
           [](const FunctionState& s) -> uint64_t {
             auto node = s.node.lock();
             return node ? node->sequence_nr : 0;
           })
      .def("name", [](nb::handle self) -> std::string { return py_type_name(self); })
      .def("_finish_forward", &finish_forward, nb::arg("inputs"), nb::arg("output").none(),
           nb::arg("executable"));

  // torch._C._functions.DelayedError: aliases of `inputs` whose gradient raises `msg`.
  m.def("_delayed_error", [](const std::string& msg, const std::vector<nb::handle>& inputs) {
    auto node = std::make_shared<ErrorNode>(msg);
    node->num_outputs = static_cast<uint32_t>(inputs.size());
    nb::list outs;
    uint32_t nr = 0;
    for (nb::handle h : inputs) {
      if (h.is_none()) {
        node->next_edges.emplace_back();
        outs.append(nb::none());
      } else {
        const Tensor& t = unwrap(h);
        node->next_edges.push_back(gradient_edge(t));
        Tensor a = detach_alias(t);
        if (GradMode::is_enabled() && t.requires_grad()) set_history(a, node, nr);
        outs.append(wrap(a));
      }
      ++nr;
    }
    return nb::tuple(outs);
  });
}

}  // namespace mlxc::py
