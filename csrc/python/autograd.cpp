// Autograd bindings: grad mode, the engine entry point, and graph nodes.
#include <nanobind/stl/shared_ptr.h>

#include "autograd/engine.h"
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

TensorList to_list(const std::vector<nb::handle>& hs) {
  TensorList out;
  for (auto h : hs) out.push_back(h.is_none() ? Tensor() : unwrap(h));
  return out;
}

}  // namespace

void init_autograd(nb::module_& m) {
  m.def("is_grad_enabled", &GradMode::is_enabled);
  m.def("_set_grad_enabled", &GradMode::set_enabled);

  static nb::class_<NodeRef> node_cls(m, "Node");
  g_node_base = node_cls;
  g_node_classes = nb::dict().release();
  node_cls.def("name", [](const NodeRef& r) { return r.node->name(); })
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
      .def("__eq__",
           [](const NodeRef& a, nb::handle b) {
             return nb::isinstance<NodeRef>(b) && nb::cast<NodeRef&>(b).node == a.node;
           })
      .def("__hash__", [](const NodeRef& r) { return reinterpret_cast<intptr_t>(r.node.get()); })
      .def("__repr__", [](const NodeRef& r) {
        return "<" + r.node->name() + " object at " + str(static_cast<const void*>(r.node.get())) +
               ">";
      });

  tensor_base().def_prop_ro("grad_fn", [](const Tensor& t) {
    refresh_view_history(t);
    return node_object(t.grad_fn());
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
