// Autograd bindings: grad, inference and anomaly modes, the engine entry point,
// graph nodes, gradient hooks and saved-tensor hooks.
#include <nanobind/stl/shared_ptr.h>

#include "autograd/engine.h"
#include "core/eval.h"
#include "core/grad_mode.h"
#include "ops/view_grad.h"
#include "python/bind.h"

namespace mlxc::py {

namespace {

struct NodeRef {
  std::shared_ptr<Node> node;
  ~NodeRef() {
    if (node) node->pyobj = nullptr;
  }
};

nb::handle g_node_base;
nb::handle g_node_classes;  // a dict, intentionally kept alive until exit

// The Python class named after the node (AddBackward0, ...), a subclass of _C.Node.
nb::handle node_class(const std::string& name) {
  nb::dict classes = nb::borrow<nb::dict>(g_node_classes);
  nb::str key(name.c_str());
  if (!classes.contains(key)) {
    nb::dict ns;
    ns["__module__"] = "builtins";  // as torch's node classes report
    nb::object cls =
        nb::borrow(reinterpret_cast<PyObject*>(&PyType_Type))(key, nb::make_tuple(g_node_base), ns);
    classes[key] = cls;
  }
  return classes[key].ptr();
}

// The grad_fn object for n: the same Python object while one is alive.
nb::object node_object(const std::shared_ptr<Node>& n) {
  if (!n) return nb::none();
  if (n->pyobj) return nb::borrow(static_cast<PyObject*>(n->pyobj));
  nb::object o = nb::inst_alloc(node_class(n->name()));
  new (nb::inst_ptr<NodeRef>(o)) NodeRef{n};
  nb::inst_mark_ready(o);
  n->pyobj = o.ptr();
  return o;
}

// A strong reference to a Python object held by C++ state; dropped under the GIL.
std::shared_ptr<void> keep(nb::handle o) {
  Py_INCREF(o.ptr());
  return std::shared_ptr<void>(o.ptr(), [](void* p) {
    if (!Py_IsInitialized()) return;
    nb::gil_scoped_acquire gil;
    Py_DECREF(static_cast<PyObject*>(p));
  });
}
nb::object held(const std::shared_ptr<void>& s) {
  return nb::borrow(static_cast<PyObject*>(s.get()));
}

bool is_tensor(nb::handle h) {
  return PyObject_IsInstance(h.ptr(), reinterpret_cast<PyObject*>(g_tensor_base)) == 1;
}
std::string type_name_of(nb::handle h) { return Py_TYPE(h.ptr())->tp_name; }
std::string hook_name(nb::handle hook) {
  if (nb::hasattr(hook, "__name__")) return nb::cast<std::string>(nb::str(hook.attr("__name__")));
  return "<unknown>";
}
nb::object wrap_or_none(const Tensor& t) { return t.defined() ? wrap(t) : nb::none(); }

// The gradient a hook returned in place of `original` (torch's checks).
Tensor hook_result(const Tensor& original, nb::handle res, nb::handle hook) {
  if (res.is_none()) return original;
  MLXC_CHECK(original.defined(), Runtime, "can't replace a None gradient with a non-None value");
  MLXC_CHECK(is_tensor(res), Type, "expected Variable, but hook returned '", type_name_of(res),
             "'");
  const Tensor& r = unwrap(res);
  MLXC_CHECK(r.dtype() == original.dtype() && r.device() == original.device(), Runtime, "hook '",
             hook_name(hook), "' has changed the type of value (was torch.",
             legacy_type_name(original.dtype()), " got torch.", legacy_type_name(r.dtype()), ")");
  MLXC_CHECK(r.sizes() == original.sizes(), Runtime, "hook '", hook_name(hook),
             "' has changed the size of value");
  return r;
}

// Replaces `grads` by a hook's tuple result, checked entry by entry.
void apply_tuple_result(TensorList& grads, nb::handle res, nb::handle hook) {
  if (res.is_none()) return;
  MLXC_CHECK(nb::isinstance<nb::tuple>(res), Type, "expected tuple, but hook returned '",
             type_name_of(res), "'");
  nb::tuple tup = nb::borrow<nb::tuple>(res);
  MLXC_CHECK(tup.size() == grads.size(), Runtime, "hook '", hook_name(hook),
             "' has returned an incorrect number of values (got ", tup.size(), ", but expected ",
             grads.size(), ")");
  for (size_t i = 0; i < grads.size(); ++i) grads[i] = hook_result(grads[i], tup[i], hook);
}

nb::tuple to_tuple(const TensorList& ts) {
  nb::list l;
  for (const auto& t : ts) l.append(wrap_or_none(t));
  return nb::tuple(l);
}

nb::list hooks_of(const std::shared_ptr<void>& dict) {
  return nb::list(nb::borrow<nb::dict>(held(dict)).values());
}

// Tensor.register_hook: the hooks in `dict` run on gradient `nr` of the node.
GradPreHook tensor_pre_hook(std::shared_ptr<void> dict, uint32_t nr) {
  return [dict = std::move(dict), nr](TensorList grads) {
    if (nr >= grads.size() || !grads[nr].defined()) return grads;
    nb::gil_scoped_acquire gil;
    for (nb::handle hook : hooks_of(dict)) {
      nb::object res = hook(wrap(grads[nr]));
      grads[nr] = hook_result(grads[nr], res, hook);
    }
    return grads;
  };
}

// Node.register_prehook: hook(grad_outputs) -> None or new grad_outputs.
GradPreHook node_pre_hook(std::shared_ptr<void> dict) {
  return [dict = std::move(dict)](TensorList grads) {
    nb::gil_scoped_acquire gil;
    for (nb::handle hook : hooks_of(dict)) {
      nb::object res = hook(to_tuple(grads));
      apply_tuple_result(grads, res, hook);
    }
    return grads;
  };
}

// Node.register_hook: hook(grad_inputs, grad_outputs) -> None or new grad_inputs.
GradPostHook node_post_hook(std::shared_ptr<void> dict, size_t n_inputs) {
  return [dict = std::move(dict), n_inputs](TensorList outs, const TensorList& grad_outputs) {
    if (outs.size() < n_inputs) outs.resize(n_inputs);
    nb::gil_scoped_acquire gil;
    for (nb::handle hook : hooks_of(dict)) {
      nb::object res = hook(to_tuple(outs), to_tuple(grad_outputs));
      apply_tuple_result(outs, res, hook);
    }
    return outs;
  };
}

// Python-side state of a node or tensor: a dict created on first use.
nb::dict state_dict(std::shared_ptr<void>& slot) {
  if (!slot) slot = keep(nb::dict());
  return nb::borrow<nb::dict>(held(slot));
}

// The hook dict stored under `key` in `state`; `fresh` tells whether it was just made.
nb::dict hook_dict(nb::dict state, const char* key, bool& fresh) {
  fresh = !state.contains(key);
  if (fresh) state[key] = nb::dict();
  return nb::borrow<nb::dict>(state[key]);
}

nb::object add_hook(nb::dict dict, nb::handle hook) {
  nb::object handle = nb::module_::import_("mlx_compat.utils.hooks").attr("RemovableHandle")(dict);
  dict[handle.attr("id")] = hook;
  return handle;
}

// saved_tensors_hooks: Python pack/unpack callables.
struct PySavedHooks : SavedTensorHooks {
  std::shared_ptr<void> pack_fn, unpack_fn;
  std::shared_ptr<void> pack(const Tensor& t) override {
    nb::gil_scoped_acquire gil;
    return keep(held(pack_fn)(wrap(t)));
  }
  Tensor unpack(const std::shared_ptr<void>& packed) override {
    nb::gil_scoped_acquire gil;
    nb::object res = held(unpack_fn)(held(packed));
    MLXC_CHECK(is_tensor(res), Type,
               "Output of saved tensor unpack_hook expected to be a Tensor but got result of type ",
               type_name_of(res));
    return unwrap(res);
  }
};

// The name torch's Node.name() reports: hand-written nodes carry their C++ namespace.
std::string torch_node_name(const Node& n) {
  std::string name = n.name();
  if (name == "AccumulateGrad" || name == "CopySlices") name = "torch::autograd::" + name;
  return name;
}

// Anomaly mode: a node made in the forward pass remembers the Python stack.
std::shared_ptr<void> capture_forward_trace() {
  nb::gil_scoped_acquire gil;
  nb::dict meta;
  meta["traceback_"] = nb::module_::import_("traceback").attr("format_stack")();
  nb::dict state;
  state["metadata"] = meta;
  return keep(state);
}

// Anomaly mode: a failing backward warns with the forward stack of its node.
void report_forward_trace(const Node& n) {
  nb::gil_scoped_acquire gil;
  nb::object tb = nb::none();
  if (n.py_state) {
    nb::dict st = nb::borrow<nb::dict>(held(n.py_state));
    if (st.contains("metadata")) {
      nb::dict meta = nb::borrow<nb::dict>(st["metadata"]);
      if (meta.contains("traceback_")) tb = meta["traceback_"];
    }
  }
  std::string msg = "Error detected in " + torch_node_name(n) + ". ";
  if (tb.is_none()) {
    msg +=
        "No forward pass information available. Enable detect anomaly during forward pass for "
        "more information.";
  } else {
    msg += "Traceback of forward call that caused the error:\n" +
           nb::cast<std::string>(nb::str("").attr("join")(tb));
  }
  if (PyErr_WarnEx(PyExc_UserWarning, msg.c_str(), 1) < 0) PyErr_Clear();
}

TensorList to_list(const std::vector<nb::handle>& hs) {
  TensorList out;
  for (auto h : hs) out.push_back(h.is_none() ? Tensor() : unwrap(h));
  return out;
}

}  // namespace

void init_autograd(nb::module_& m) {
  m.def("is_grad_enabled", &GradMode::flag);
  m.def("_set_grad_enabled", &GradMode::set_enabled);

  static nb::class_<NodeRef> node_cls(m, "Node");
  g_node_base = node_cls;
  g_node_classes = nb::dict().release();
  node_cls.def("name", [](const NodeRef& r) { return torch_node_name(*r.node); })
      .def_prop_ro("next_functions",
                   [](const NodeRef& r) {
                     nb::list l;
                     for (const auto& e : r.node->next_edges) {
                       l.append(nb::make_tuple(node_object(e.fn), e.input_nr));
                     }
                     return nb::tuple(l);
                   })
      .def_prop_ro("variable",
                   [](const NodeRef& r) -> nb::object {
                     auto* acc = dynamic_cast<AccumulateGrad*>(r.node.get());
                     if (!acc) return nb::none();
                     return wrap(Tensor(acc->leaf));
                   })
      .def_prop_ro("metadata",
                   [](const NodeRef& r) -> nb::object {
                     bool fresh = false;
                     return hook_dict(state_dict(r.node->py_state), "metadata", fresh);
                   })
      .def("register_hook",
           [](const NodeRef& r, nb::handle hook) {
             bool fresh = false;
             nb::dict d = hook_dict(state_dict(r.node->py_state), "post", fresh);
             if (fresh) {
               r.node->post_hooks.push_back(node_post_hook(keep(d), r.node->next_edges.size()));
             }
             return add_hook(d, hook);
           })
      .def("register_prehook",
           [](const NodeRef& r, nb::handle hook) {
             bool fresh = false;
             nb::dict d = hook_dict(state_dict(r.node->py_state), "pre", fresh);
             if (fresh) r.node->pre_hooks.push_back(node_pre_hook(keep(d)));
             return add_hook(d, hook);
           })
      .def("__eq__",
           [](const NodeRef& a, nb::handle b) {
             return nb::isinstance<NodeRef>(b) && nb::cast<NodeRef&>(b).node == a.node;
           })
      .def("__hash__", [](const NodeRef& r) { return reinterpret_cast<intptr_t>(r.node.get()); })
      .def("__repr__", [](const NodeRef& r) {
        return "<" + r.node->name() + " object at " + str(static_cast<const void*>(r.node.get())) +
               ">";
      });

  tensor_base()
      .def_prop_ro("grad_fn",
                   [](const Tensor& t) {
                     t.check_view_version();
                     refresh_view_history(t);
                     return node_object(t.grad_fn());
                   })
      .def("register_hook",
           [](const Tensor& t, nb::handle hook) {
             t.check_view_version();
             refresh_view_history(t);
             MLXC_CHECK(t.requires_grad(), Runtime,
                        "cannot register a hook on a tensor that doesn't require gradient");
             auto& hs = t.impl()->hooks;
             if (!hs) hs = std::make_shared<TensorHooks>();
             // One hook dict per grad_fn: after an in-place op rebinds the tensor's
             // history, new hooks go to the new node and earlier ones stay where they were.
             nb::dict st = state_dict(hs->owner_state);
             nb::object node = node_object(t.grad_fn());
             const bool fresh = !st.contains("backward") || !st["bound"].is(node);
             if (fresh) {
               st["backward"] = nb::dict();
               st["bound"] = node;
             }
             nb::dict d = nb::borrow<nb::dict>(st["backward"]);
             if (fresh) {
               // Bound to the current grad_fn, as torch binds it; a leaf keeps its own.
               if (t.grad_fn()) {
                 t.grad_fn()->tensor_pre_hooks.push_back(
                     tensor_pre_hook(keep(d), t.impl()->output_nr));
               } else {
                 hs->pre.push_back(tensor_pre_hook(keep(d), 0));
               }
             }
             return add_hook(d, hook);
           })
      .def("register_post_accumulate_grad_hook",
           [](const Tensor& t, nb::handle hook) {
             refresh_view_history(t);
             MLXC_CHECK(t.requires_grad(), Runtime,
                        "cannot register a hook on a tensor that doesn't require gradient");
             MLXC_CHECK(t.is_leaf(), Runtime,
                        "post accumulate grad hooks cannot be registered on non-leaf tensors");
             auto& hs = t.impl()->hooks;
             if (!hs) hs = std::make_shared<TensorHooks>();
             bool fresh = false;
             nb::dict d = hook_dict(state_dict(hs->owner_state), "post_accumulate", fresh);
             if (fresh) {
               hs->post_accumulate.push_back([dict = keep(d)](const Tensor& leaf) {
                 nb::gil_scoped_acquire gil;
                 for (nb::handle h : hooks_of(dict)) {
                   nb::object res = h(wrap(leaf));
                   MLXC_CHECK(res.is_none(), Type, "expected Variable, but hook returned '",
                              type_name_of(res), "'");
                 }
               });
             }
             return add_hook(d, hook);
           })
      .def_prop_ro("_backward_hooks",
                   [](const Tensor& t) -> nb::object {
                     auto& hs = t.impl()->hooks;
                     if (!hs || !hs->owner_state) return nb::none();
                     nb::dict st = nb::borrow<nb::dict>(held(hs->owner_state));
                     return st.contains("backward") ? nb::object(st["backward"]) : nb::none();
                   })
      .def("is_inference", [](const Tensor& t) { return t.impl()->storage->inference; });

  m.def(
      "is_inference", [](const Tensor& t) { return t.impl()->storage->inference; },
      nb::arg("input"));
  m.def("is_inference_mode_enabled", &InferenceMode::is_enabled);
  // Enters inference mode (or leaves it, mode=False) and returns the previous state.
  m.def("_enter_inference_mode", [](bool mode) {
    auto prev = nb::make_tuple(GradMode::flag(), InferenceMode::is_enabled());
    GradMode::set_enabled(!mode);
    InferenceMode::set_enabled(mode);
    return prev;
  });
  m.def("_exit_inference_mode", [](bool grad, bool inference) {
    GradMode::set_enabled(grad);
    InferenceMode::set_enabled(inference);
  });
  set_anomaly_fns(&capture_forward_trace, &report_forward_trace);
  m.def("is_anomaly_enabled", &AnomalyMode::is_enabled);
  m.def("is_anomaly_check_nan_enabled", &AnomalyMode::should_check_nan);
  m.def("_set_anomaly_enabled", &AnomalyMode::set_enabled, nb::arg("enabled"),
        nb::arg("check_nan") = true);
  m.def("_push_saved_tensors_default_hooks", [](nb::handle pack, nb::handle unpack) {
    auto h = std::make_shared<PySavedHooks>();
    h->pack_fn = keep(pack);
    h->unpack_fn = keep(unpack);
    push_saved_tensor_hooks(std::move(h));
  });
  m.def("_pop_saved_tensors_default_hooks", &pop_saved_tensor_hooks);
  // Marks tensors as modified in place (inference tensors have no version to bump).
  m.def("_increment_version", [](const std::vector<nb::handle>& tensors) {
    abort_if_tracing();  // Note [Running under MLX transforms]
    for (auto h : tensors) {
      auto& storage = *unwrap(h).impl()->storage;
      if (!storage.inference) storage.version++;
    }
  });

  m.def(
      "_run_backward",
      [](const std::vector<nb::handle>& tensors, const std::vector<nb::handle>& grads,
         bool keep_graph, bool create_graph, const std::vector<nb::handle>& inputs,
         bool allow_unused, bool accumulate) {
        TensorList roots = to_list(tensors), groots = to_list(grads), ins = to_list(inputs);
        TensorList out =
            run_backward(roots, groots, keep_graph, create_graph, ins, accumulate, allow_unused);
        nb::list l;
        for (auto& t : out) l.append(wrap(t));
        return nb::tuple(l);
      },
      nb::arg("tensors"), nb::arg("grad_tensors"), nb::arg("keep_graph"), nb::arg("create_graph"),
      nb::arg("inputs"), nb::arg("allow_unused"), nb::arg("accumulate_grad"));
}

}  // namespace mlxc::py
