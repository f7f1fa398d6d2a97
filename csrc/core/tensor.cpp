#include "core/tensor.h"

#include <algorithm>
#include <cctype>
#include <utility>
#include <vector>

#include "core/error.h"
#include "core/eval.h"
#include "core/grad_mode.h"
#include "core/graph.h"
#include "mlx/ops.h"

namespace mlxc {

IntArray contiguous_strides(const IntArray& sizes) {
  IntArray strides(sizes.size(), 1);
  int64_t acc = 1;
  for (int64_t i = static_cast<int64_t>(sizes.size()) - 1; i >= 0; --i) {
    strides[i] = acc;
    acc *= std::max<int64_t>(sizes[i], 1);
  }
  return strides;
}

bool non_overlapping_and_dense(const IntArray& sizes, const IntArray& strides) {
  std::vector<std::pair<int64_t, int64_t>> dims;  // (stride, size)
  for (size_t i = 0; i < sizes.size(); ++i) {
    if (sizes[i] == 0) return true;
    if (sizes[i] != 1) dims.emplace_back(strides[i], sizes[i]);
  }
  std::sort(dims.begin(), dims.end());
  int64_t expected = 1;
  for (auto& [stride, size] : dims) {
    if (stride != expected) return false;
    expected *= size;
  }
  return true;
}

mx::Shape to_shape(const IntArray& sizes) {
  mx::Shape s(sizes.size(), 0);
  for (size_t i = 0; i < sizes.size(); ++i) {
    MLXC_CHECK(sizes[i] <= INT32_MAX, Runtime, "dimension of size ", sizes[i],
               " exceeds MLX's 32-bit shape limit");
    s[i] = static_cast<int32_t>(sizes[i]);
  }
  return s;
}

IntArray to_int_array(const mx::Shape& shape) {
  IntArray s(shape.size(), 0);
  for (size_t i = 0; i < shape.size(); ++i) s[i] = shape[i];
  return s;
}

Tensor Tensor::from_array(mx::array value, ScalarType dtype, Device device) {
  auto impl = std::make_shared<TensorImpl>();
  impl->sizes = to_int_array(value.shape());
  impl->strides = contiguous_strides(impl->sizes);
  impl->dtype = dtype;
  impl->device = device;
  impl->storage = std::make_shared<Storage>(std::move(value));
  impl->storage->inference = InferenceMode::is_enabled();
  return Tensor(std::move(impl));
}

int64_t Tensor::size(int64_t d) const {
  const int64_t n = dim();
  if (d < 0) d += n;
  MLXC_CHECK(d >= 0 && d < std::max<int64_t>(n, 1), Index,
             "Dimension out of range (expected to be in range of [", -std::max<int64_t>(n, 1), ", ",
             std::max<int64_t>(n, 1) - 1, "], but got ", d, ")");
  return n == 0 ? 1 : impl_->sizes[d];
}

int64_t Tensor::numel() const {
  int64_t n = 1;
  for (auto s : impl_->sizes) n *= s;
  return n;
}

mx::Shape Tensor::shape() const { return to_shape(impl_->sizes); }

bool Tensor::is_contiguous() const {
  int64_t expected = 1;
  const auto& sz = impl_->sizes;
  const auto& st = impl_->strides;
  for (int64_t i = dim() - 1; i >= 0; --i) {
    if (sz[i] == 1) continue;
    if (sz[i] == 0) return true;
    if (st[i] != expected) return false;
    expected *= sz[i];
  }
  return true;
}

namespace {

bool same_shape(const mx::array& a, const IntArray& sizes) {
  const auto& s = a.shape();
  if (s.size() != sizes.size()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != sizes[i]) return false;
  }
  return true;
}

mx::Strides to_mx_strides(const IntArray& st) {
  mx::Strides s(st.size(), 0);
  for (size_t i = 0; i < st.size(); ++i) s[i] = st[i];
  return s;
}

}  // namespace

// The storage's contents as a flat array of `dt` (a bit reinterpretation when
// a view reads the storage as another dtype, e.g. view_as_real).
mx::array storage_as(const Storage& s, mx::Dtype dt) {
  if (s.data.dtype() == dt) return s.data;
  return mx::view(mx::reshape(s.data, {-1}), dt);
}

mx::array Tensor::value() const {
  TensorImpl& t = *impl_;
  const Storage& s = *t.storage;
  // A resize_ through another alias may have grown the storage past this window.
  const bool whole = t.whole && static_cast<int64_t>(s.data.size()) == numel();
  if (whole && same_shape(s.data, t.sizes)) return s.data;
  if (t.cache && t.cache_version == s.version) return *t.cache;
  mx::array v = apply_value_bits(
      t, whole ? mx::reshape(s.data, shape())
               : mx::as_strided(storage_as(s, to_mlx(t.dtype)), shape(), to_mx_strides(t.strides),
                                static_cast<size_t>(t.offset)));
  t.cache = v;
  t.cache_version = s.version;
  return v;
}

mx::array apply_value_bits(const TensorImpl& t, mx::array stored) {
  // Both operations are their own inverses, so this also turns a value into
  // what the storage holds.
  if (t.conj) stored = mx::conjugate(stored);
  if (t.neg) stored = mx::negative(stored);
  return stored;
}

void share_data_of(const Tensor& dst, const Tensor& src) {
  TensorImpl& d = *dst.impl();
  const TensorImpl& s = *src.impl();
  d.storage = s.storage;
  d.sizes = s.sizes;
  d.strides = s.strides;
  d.offset = s.offset;
  d.dtype = s.dtype;
  d.whole = s.whole;
  d.conj = s.conj;
  d.neg = s.neg;
  d.cache = s.cache;
  d.cache_version = s.cache_version;
}

Tensor make_view(const Tensor& base, IntArray sizes, IntArray strides, int64_t offset,
                 std::optional<mx::array> natural, std::optional<ScalarType> dtype) {
  const TensorImpl& b = *base.impl();
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = b.storage;
  impl->sizes = std::move(sizes);
  impl->strides = std::move(strides);
  impl->offset = offset;
  impl->dtype = dtype ? *dtype : b.dtype;
  impl->device = b.device;
  impl->is_view = true;
  impl->base = b.is_view ? b.base : base.impl_ptr();
  impl->base_history_gen = impl->base->history_gen;
  impl->creation_meta = view_creation_meta(base);
  impl->attr_version = tracked_version(*b.storage);
  impl->data_alias = b.data_alias;
  impl->conj = b.conj;
  impl->neg = b.neg;
  Tensor out(std::move(impl));
  int64_t storage_numel = static_cast<int64_t>(b.storage->data.size());
  out.impl()->whole = offset == 0 && out.numel() == storage_numel && out.is_contiguous() &&
                      to_mlx(out.dtype()) == b.storage->data.dtype() && !b.conj && !b.neg;
  if (natural) {
    out.impl()->cache = std::move(natural);
    out.impl()->cache_version = b.storage->version;
  }
  return out;
}

void write_into(const Tensor& dst, const mx::array& value) {
  abort_if_tracing();  // Note [Running under MLX transforms]
  TensorImpl& t = *dst.impl();
  Storage& s = *t.storage;
  const bool whole = t.whole && static_cast<int64_t>(s.data.size()) == dst.numel();
  if (whole) {
    s.data = same_shape(s.data, t.sizes) ? value : mx::reshape(value, s.data.shape());
  } else {
    // Scatter at the flat storage positions this window addresses.
    mx::array flat = mx::reshape(storage_as(s, to_mlx(t.dtype)), {-1});
    const int64_t n = static_cast<int64_t>(flat.size());
    const auto idx_dtype = n > INT32_MAX ? mx::int64 : mx::int32;
    mx::array positions =
        mx::as_strided(mx::arange(0, static_cast<double>(n), 1.0, idx_dtype), dst.shape(),
                       to_mx_strides(t.strides), static_cast<size_t>(t.offset));
    mx::array upd = mx::reshape(apply_value_bits(t, value), {-1, 1});
    // MLX's scatter faults on empty operands (see scatter_nonempty in ops/common.h).
    if (upd.size() != 0) flat = mx::scatter(flat, mx::reshape(positions, {-1}), upd, 0);
    if (flat.dtype() != s.data.dtype()) flat = mx::view(flat, s.data.dtype());
    s.data = mx::reshape(flat, s.data.shape());
  }
  s.version++;
  if (t.data_alias) s.unseen_writes++;
  s.depth = 0;
  if (!whole) {
    t.cache = value;
    t.cache_version = s.version;
  }
  // torch refuses an in-place update of an inference tensor outside inference
  // mode only after its kernel has written (the data does change).
  MLXC_CHECK(!s.inference || InferenceMode::is_enabled(), Runtime,
             "Inplace update to inference tensor outside InferenceMode is not allowed.You can make "
             "a clone to get a normal tensor before doing inplace update.See "
             "https://github.com/pytorch/rfcs/pull/17 for more details.");
}

CreationMeta view_creation_meta(const Tensor& src, bool multi_output) {
  CreationMeta made = CreationMeta::Default;
  if (InferenceMode::is_enabled()) {
    made = CreationMeta::Inference;
  } else if (!GradMode::is_enabled()) {
    made = CreationMeta::NoGrad;
  } else if (multi_output) {
    made = CreationMeta::MultiOutput;
  }
  const TensorImpl& s = *src.impl();
  const CreationMeta prev = s.is_view ? s.creation_meta : CreationMeta::Default;
  if (made == CreationMeta::Default || prev == CreationMeta::Inference) return prev;
  return made;
}

bool Tensor::base_requires_grad() const {
  const TensorImpl& t = *impl_;
  return t.is_view && t.base && (t.base->requires_grad || t.base->grad_fn != nullptr);
}

namespace {

// The op name torch prints for a node ("Unbind" for UnbindBackward0).
std::string op_name(const Node& n) {
  std::string s = n.name();
  while (!s.empty() && std::isdigit(static_cast<unsigned char>(s.back()))) s.pop_back();
  if (s.size() > 8 && s.ends_with("Backward")) s.resize(s.size() - 8);
  return s;
}

// torch's handle_view_on_rebase: the error for a write into a restricted view,
// made directly or through its base or another view (`indirect`).
[[noreturn]] void view_rebase_error(const TensorImpl& t, bool indirect) {
  const CreationMeta meta = t.creation_meta;
  const std::string modified =
      indirect ? "its base or another view of its base has been" : "is being";
  std::string msg;
  if (meta == CreationMeta::Inference || meta == CreationMeta::NoGrad || !t.grad_fn) {
    const std::string prefix = t.grad_fn ? str("Output ", t.output_nr, " of ", op_name(*t.grad_fn),
                                               " is a view of a view which was created in")
                                         : std::string("A view was created in");
    msg = meta == CreationMeta::Inference
              ? str(prefix, " inference mode and ", modified, " modified inplace in normal mode.")
              : str(prefix, " no_grad mode and ", modified,
                    " modified inplace with grad mode enabled.");
  } else {
    msg = str("Output ", t.output_nr, " of ", op_name(*t.grad_fn), " is a view and ", modified,
              " modified inplace.");
  }
  const char* mode = meta == CreationMeta::Inference ? "inference_mode" : "no_grad";
  if (meta == CreationMeta::MultiOutput) {
    msg +=
        " This view is the output of a function that returns multiple views. Such functions "
        "do not allow the output views to be modified inplace. You should replace the inplace "
        "operation by an out-of-place one.";
  } else {
    msg +=
        str(" Given that this use case is ambiguous and error-prone, it is forbidden. You can "
            "clarify your code by moving both the view and the inplace either both inside the ",
            mode,
            " block (if you don't want the inplace to be tracked) or both outside (if you "
            "want the inplace to be tracked).");
  }
  fail(ErrorKind::Runtime, msg);
}

}  // namespace

void Tensor::check_view_version() const {
  const TensorImpl& t = *impl_;
  if (t.creation_meta == CreationMeta::Default || !t.is_view) return;
  if (tracked_version(*t.storage) == t.attr_version) return;
  if (!t.grad_fn && !base_requires_grad()) return;
  view_rebase_error(t, true);
}

void check_inplace_view(const Tensor& self) {
  const TensorImpl& t = *self.impl();
  if (t.creation_meta == CreationMeta::Default || !t.is_view) return;
  view_rebase_error(t, false);
}

void eval_tensors(const TensorList& tensors) {
  std::vector<mx::array> arrays;
  arrays.reserve(tensors.size());
  for (const auto& t : tensors) {
    if (t.defined()) arrays.push_back(t.impl()->storage->data);
  }
  eval_arrays(std::move(arrays));
  for (const auto& t : tensors) {
    if (t.defined()) t.impl()->storage->depth = 0;
  }
}

}  // namespace mlxc
