// Tensor and TensorImpl: torch's tensor model (storage + view record + autograd
// metadata) over immutable MLX arrays.
//
// Note [Storage and views]
// A Storage holds the current contents of a torch storage as one MLX array whose
// row-major flattening is the storage. A tensor is a (shape, strides, offset)
// window onto a storage. Reading a tensor whose window is the whole storage in
// its natural shape returns the storage array itself; any other window is read
// with as_strided and cached until the storage version changes. Writing through
// any window (see write_into) builds a new storage array and bumps the version,
// so every alias sees the write on its next read.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "core/device.h"
#include "core/dtype.h"
#include "mlx/array.h"
#include "mlx/small_vector.h"

namespace mlxc {

namespace mx = mlx::core;

using IntArray = mx::SmallVector<int64_t>;

struct Node;
struct TensorImpl;
struct TensorHooks;

// Note [View creation meta]
// How a view was made decides whether it may be written in place while
// gradients are recorded (torch's CreationMeta): views returned by an op that
// returns several views (split, unbind) and views made under no_grad or in
// inference mode may not; torch raises instead of recording a gradient that
// would be wrong. A view of a view inherits a restriction unless the new one
// sets its own. attr_version is the storage version the view was made at: a
// restricted view whose storage changed since then refuses to give its history.
enum class CreationMeta : uint8_t { Default, MultiOutput, NoGrad, Inference };

struct Storage {
  explicit Storage(mx::array d) : data(std::move(d)) {}
  mx::array data;        // the contents, row-major; shape is the creating tensor's
  uint64_t version = 0;  // bumped by every write
  uint32_t depth = 0;    // pending (unevaluated) graph depth behind `data`
  // Made in inference mode: its tensors are inference tensors.
  bool inference = false;
  // Writes made through .data aliases, which torch's version counter does not see.
  uint64_t unseen_writes = 0;
};

// The storage's version as torch's _version reports it.
inline uint64_t tracked_version(const Storage& s) { return s.version - s.unseen_writes; }

struct TensorImpl {
  std::shared_ptr<Storage> storage;
  IntArray sizes;
  IntArray strides;
  int64_t offset = 0;
  ScalarType dtype = ScalarType::Float32;
  Device device;
  bool whole = true;  // window == whole storage, contiguous, offset 0
  // torch's lazy conjugate and negative bits (Note [Conjugate and negative views]).
  bool conj = false;
  bool neg = false;
  bool wrapped_number = false;  // a Python scalar turned into a 0-d tensor
  // Cached value of a non-whole window, valid while cache_version matches.
  std::optional<mx::array> cache;
  uint64_t cache_version = 0;

  // Autograd metadata.
  bool requires_grad = false;  // meaningful for leaves; non-leaves require grad via grad_fn
  bool retains_grad = false;
  std::shared_ptr<Node> grad_fn;
  uint32_t output_nr = 0;
  std::weak_ptr<Node> grad_accumulator;
  std::shared_ptr<TensorImpl> grad;
  std::shared_ptr<TensorImpl> base;  // the tensor this one is a view of (torch's _base)
  bool is_view = false;
  CreationMeta creation_meta = CreationMeta::Default;  // See Note [View creation meta]
  uint64_t attr_version = 0;
  bool data_alias = false;  // a .data alias (or a view of one): its writes are unseen
  // Generation of this tensor's history, bumped when an in-place write through a
  // view rebases it; views remember the generation they were derived from.
  // See Note [In-place writes through views] in csrc/ops/view_grad.h.
  uint64_t history_gen = 0;
  uint64_t base_history_gen = 0;
  // Gradient hooks registered on this tensor (see core/graph.h); usually null.
  std::shared_ptr<TensorHooks> hooks;

  // Opaque back-pointer owned by the Python binding (see csrc/python/tensor.cpp).
  void* pyobj = nullptr;
};

// A reference-counted handle to a TensorImpl; may be undefined (null).
class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}

  // A new tensor owning a fresh storage that holds `value`.
  static Tensor from_array(mx::array value, ScalarType dtype, Device device = {});
  static Tensor from_array(mx::array value) {
    auto st = from_mlx(value.dtype());
    return from_array(std::move(value), st);
  }

  bool defined() const { return impl_ != nullptr; }
  TensorImpl* impl() const { return impl_.get(); }
  const std::shared_ptr<TensorImpl>& impl_ptr() const { return impl_; }

  // The tensor's current value (lazy MLX array) in its own shape.
  mx::array value() const;

  const IntArray& sizes() const { return impl_->sizes; }
  const IntArray& strides() const { return impl_->strides; }
  int64_t offset() const { return impl_->offset; }
  int64_t dim() const { return static_cast<int64_t>(impl_->sizes.size()); }
  int64_t size(int64_t d) const;
  int64_t numel() const;
  mx::Shape shape() const;  // sizes as an MLX shape
  ScalarType dtype() const { return impl_->dtype; }
  const Device& device() const { return impl_->device; }
  bool is_contiguous() const;

  // Autograd.
  // As torch, a view requires grad when its base does, even without history
  // of its own (made under no_grad, or before the base had history).
  bool requires_grad() const {
    const TensorImpl& t = *impl_;
    return t.requires_grad || t.grad_fn != nullptr ||
           (t.is_view && t.base && (t.base->requires_grad || t.base->grad_fn != nullptr));
  }
  bool is_leaf() const { return impl_->grad_fn == nullptr; }
  // Raises for a restricted view whose storage changed since it was made.
  const std::shared_ptr<Node>& grad_fn() const {
    if (impl_->creation_meta != CreationMeta::Default) check_view_version();
    return impl_->grad_fn;
  }
  Tensor grad() const { return Tensor(impl_->grad); }

  bool same(const Tensor& o) const { return impl_ == o.impl_; }

  // Whether this is a view whose base requires grad.
  bool base_requires_grad() const;
  // torch's check when a view's history is read after its storage changed
  // (See Note [View creation meta]).
  void check_view_version() const;

 private:
  std::shared_ptr<TensorImpl> impl_;
};

using TensorList = std::vector<Tensor>;

// Note [Conjugate and negative views]
// torch's conj() of a complex tensor is a view that reads the storage
// conjugated (is_conj()), and imag() of such a view one that reads it negated
// (is_neg()). The bits live on the TensorImpl: value() applies them to what the
// window reads, write_into() undoes them before storing, and views inherit them.
// A tensor with a bit set is never `whole`, so both go through the window path.
// Results of operators are plain values; resolve_conj()/resolve_neg() copy.
mx::array apply_value_bits(const TensorImpl& t, mx::array stored);

// Points dst at src's data: storage, window, dtype, bits and cached value
// (`.data = src`, re-laying a fresh copy). Autograd metadata stays dst's.
void share_data_of(const Tensor& dst, const Tensor& src);

// Contiguous strides for the given sizes.
IntArray contiguous_strides(const IntArray& sizes);
// torch's is_non_overlapping_and_dense: the strides are a permutation of some
// dense strides (size-1 dimensions ignored).
bool non_overlapping_and_dense(const IntArray& sizes, const IntArray& strides);
mx::Shape to_shape(const IntArray& sizes);
IntArray to_int_array(const mx::Shape& shape);

// A view sharing `base`'s storage with a new window. `natural` optionally gives
// the view's value computed by an ordinary MLX op, which is cached for reading.
// `dtype` lets the view read the storage as another dtype (view_as_real, view(dtype)).
Tensor make_view(const Tensor& base, IntArray sizes, IntArray strides, int64_t offset,
                 std::optional<mx::array> natural = std::nullopt,
                 std::optional<ScalarType> dtype = std::nullopt);

// The creation meta of views made now from `src`: a multi-output op passes
// `multi_output` (See Note [View creation meta]).
CreationMeta view_creation_meta(const Tensor& src, bool multi_output = false);
// Raises torch's error for an in-place write into a restricted view `self`;
// call it when grad mode is on and an input of the write requires grad.
void check_inplace_view(const Tensor& self);

// Writes `value` (already of dst's dtype, broadcast to dst's shape) through
// dst's window into its storage. See Note [Storage and views].
void write_into(const Tensor& dst, const mx::array& value);

// Evaluates the values of `tensors` (one MLX eval for all of them).
void eval_tensors(const TensorList& tensors);

}  // namespace mlxc
