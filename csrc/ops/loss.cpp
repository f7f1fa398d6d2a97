#include "ops/loss.h"

#include "core/eval.h"
#include "ops/activation.h"
#include "ops/pointwise.h"
#include "ops/reduce.h"
#include "ops/shape.h"

namespace mlxc {

namespace {

// Moves the class dimension (1) last and flattens: (N, C, d...) -> (M, C).
Tensor classes_last(const Tensor& x) {
  if (x.dim() <= 2) return x;
  std::vector<int64_t> perm{0};
  for (int64_t i = 2; i < x.dim(); ++i) perm.push_back(i);
  perm.push_back(1);
  return reshape(permute(x, perm), {-1, x.sizes()[1]});
}

// Validates class-index targets on the host (torch checks every index too).
void check_targets(const Tensor& target, int64_t n_classes, int64_t ignore_index) {
  if (target.numel() == 0) return;
  mx::array t = target.value();
  if (t.is_available() && t.dtype() == mx::int64 && t.flags().row_contiguous) {
    // Targets built on the host are read in place: no MLX evaluation.
    const int64_t* p = t.data<int64_t>();
    for (size_t i = 0; i < t.size(); ++i) {
      MLXC_CHECK((p[i] >= 0 && p[i] < n_classes) || p[i] == ignore_index, Index, "Target ", p[i],
                 " is out of bounds.");
    }
    return;
  }
  mx::array valid = mx::logical_or(
      mx::logical_and(mx::greater_equal(t, mx::array(0, t.dtype())),
                      mx::less(t, mx::array(static_cast<int64_t>(n_classes), t.dtype()))),
      mx::equal(t, mx::array(ignore_index, t.dtype())));
  mx::array bad_pos = mx::argmin(mx::reshape(valid, {-1}), 0);
  mx::array all_ok = mx::all(valid);
  eval_arrays({bad_pos, all_ok});
  if (!all_ok.item<bool>()) {
    mx::array bad = mx::take(mx::reshape(t, {-1}), bad_pos);
    eval_arrays({bad});
    fail(ErrorKind::Index, "Target ", mx::astype(bad, mx::int64).item<int64_t>(),
         " is out of bounds.");
  }
}

Tensor reduce_loss(const Tensor& per, Reduction reduction) {
  switch (reduction) {
    case Reduction::None:
      return per;
    case Reduction::Sum:
      return sum(per);
    default:
      return mean(per);
  }
}

}  // namespace

Tensor nll_loss(const Tensor& input, const Tensor& target, const Tensor& weight,
                Reduction reduction, int64_t ignore_index) {
  MLXC_CHECK(input.dim() >= 1, Value, "Expected 1 or more dimensions (got ", input.dim(), ")");
  MLXC_CHECK(is_integral(target.dtype(), false), Runtime, "expected scalar type Long but found ",
             scalar_type_name(target.dtype()));
  const bool batched = input.dim() >= 2;
  const int64_t n_classes = input.sizes()[batched ? 1 : 0];
  if (batched) {
    MLXC_CHECK(target.dim() == input.dim() - 1, Runtime, "Expected target size ",
               "(batch, d1, ...) matching input without the class dimension, got ",
               sizes_str(target.sizes()));
    MLXC_CHECK(input.sizes()[0] == target.sizes()[0], Value, "Expected input batch_size (",
               input.sizes()[0], ") to match target batch_size (", target.sizes()[0], ").");
  } else {
    MLXC_CHECK(target.dim() == 0, Runtime,
               "0D or 1D target tensor expected, multi-target not supported");
  }
  if (weight.defined()) {
    MLXC_CHECK(
        weight.numel() == n_classes, Runtime, "weight tensor should be defined either for all ",
        n_classes,
        " classes or no classes but got weight tensor of shape: ", sizes_str(weight.sizes()));
  }
  check_targets(target, n_classes, ignore_index);
  // Per-element loss: -w[t] * x[m, t], zero where t == ignore_index; x is (M, C).
  Tensor x = batched ? classes_last(input) : unsqueeze(input, 0);
  const mx::Dtype dt = to_mlx(input.dtype());
  mx::array tv = mx::astype(mx::reshape(target.value(), {-1}), mx::int64);
  mx::array keep = mx::not_equal(tv, mx::array(ignore_index, mx::int64));
  mx::array idx = mx::expand_dims(mx::where(keep, tv, mx::zeros_like(tv)), 1);
  mx::array w = weight.defined() ? mx::astype(mx::take(weight.value(), mx::squeeze(idx, 1)), dt)
                                 : mx::ones(keep.shape(), dt);
  w = mx::where(keep, w, mx::zeros_like(w));
  mx::array per =
      mx::negative(mx::multiply(mx::squeeze(mx::take_along_axis(x.value(), idx, 1), 1), w));
  mx::array total_weight = mx::sum(w);
  mx::array out = reduction == Reduction::None  ? per
                  : reduction == Reduction::Sum ? mx::sum(per)
                                                : mx::divide(mx::sum(per), total_weight);
  if (reduction == Reduction::None) {
    out = batched ? mx::reshape(out, target.shape()) : mx::reshape(out, {});
  }
  Tensor result = make_result(out, input.dtype(), {&x, &target});
  if (!needs_grad({&x})) return result;
  // d loss / d x = coef * g, with coef = -w[t] at (m, t) (divided by the total
  // weight for 'mean'); written as a product so that it is differentiable in g.
  mx::array scaled = reduction == Reduction::Mean ? mx::divide(w, total_weight) : w;
  mx::array coef = mx::put_along_axis(mx::zeros(x.shape(), dt), idx,
                                      mx::expand_dims(mx::negative(scaled), 1), 1);
  Tensor coef_t = make_result(coef, input.dtype(), {});
  auto node = make_node(input.dim() >= 3 ? "NllLoss2DBackward0" : "NllLossBackward0", {&x},
                        [coef_t, reduction](FnNode&, TensorList& gs) {
                          Tensor g = reduction == Reduction::None ? reshape(gs[0], {-1, 1}) : gs[0];
                          return TensorList{mul(g, coef_t)};
                        });
  return with_history(result, node);
}

Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction) {
  const ScalarType st = result_type({&input, &target});
  MLXC_CHECK(is_floating(st), NotImplemented, "\"mse_cpu\" not implemented for '",
             scalar_type_name(st), "'");
  const IntArray shape = broadcast_sizes(input.sizes(), target.sizes());
  mx::array d = mx::subtract(cast(input, st), cast(target, st));
  mx::array per = mx::square(d);
  mx::array out = reduction == Reduction::None  ? per
                  : reduction == Reduction::Sum ? mx::sum(per)
                                                : mx::mean(per);
  Tensor result = make_result(out, st, {&input, &target});
  if (!needs_grad({&input, &target})) return result;
  int64_t n = 1;
  for (auto s : shape) n *= s;
  auto node =
      make_node("MseLossBackward0", {&input, &target}, [reduction, n](FnNode& nd, TensorList& gs) {
        Tensor x = nd.saved(0), y = nd.saved(1);
        double scale = reduction == Reduction::Mean ? 2.0 / static_cast<double>(n) : 2.0;
        Tensor gi = mul(mul(sub(x, y), scale), gs[0]);
        TensorList r(2);
        if (nd.needs_input_grad(0)) r[0] = sum_to(gi, x.sizes());
        if (nd.needs_input_grad(1)) r[1] = sum_to(neg(gi), y.sizes());
        return r;
      });
  node->save(input);
  node->save(target);
  return with_history(result, node);
}

Tensor cross_entropy(const Tensor& input, const Tensor& target, const Tensor& weight,
                     Reduction reduction, int64_t ignore_index, double label_smoothing) {
  MLXC_CHECK(label_smoothing >= 0.0 && label_smoothing <= 1.0, Runtime,
             "label_smoothing must be between 0.0 and 1.0. Got: ", label_smoothing);
  const int64_t class_dim = input.dim() == 1 ? 0 : 1;
  Tensor logp = log_softmax(input, class_dim);
  if (is_floating(target.dtype())) {
    // Class probabilities.
    MLXC_CHECK(target.sizes() == input.sizes(), Runtime, "Expected target size ",
               sizes_str(input.sizes()), ", got ", sizes_str(target.sizes()));
    Tensor tgt = target;
    const double c = static_cast<double>(input.sizes()[class_dim]);
    if (label_smoothing > 0) tgt = add(mul(tgt, 1.0 - label_smoothing), label_smoothing / c);
    Tensor prod = mul(logp, tgt);
    if (weight.defined()) {
      IntArray wshape(input.dim(), 1);
      wshape[class_dim] = weight.numel();
      prod = mul(prod, reshape(weight, wshape));
    }
    Tensor per = neg(sum(prod, std::vector<int64_t>{class_dim}));
    return reduce_loss(per, reduction);
  }
  Tensor nll = nll_loss(logp, target, weight, reduction, ignore_index);
  if (label_smoothing <= 0) return nll;
  // Smoothing term: mean over classes of -logp (weighted), ignoring ignore_index.
  const double c = static_cast<double>(input.sizes()[class_dim]);
  Tensor lp = logp;
  if (weight.defined()) {
    IntArray wshape(input.dim(), 1);
    wshape[class_dim] = weight.numel();
    lp = mul(lp, reshape(weight, wshape));
  }
  Tensor smooth = neg(sum(lp, std::vector<int64_t>{class_dim}));
  Tensor keep = ne(target, wrapped_scalar(ignore_index));
  smooth = where(keep, smooth, zeros_like(smooth));
  Tensor smooth_red;
  if (reduction == Reduction::None) {
    smooth_red = smooth;
  } else if (reduction == Reduction::Sum) {
    smooth_red = sum(smooth);
  } else if (weight.defined()) {
    mx::array tv = mx::astype(target.value(), mx::int64);
    mx::array safe = mx::where(keep.value(), tv, mx::zeros_like(tv));
    mx::array wsum = mx::sum(mx::where(keep.value(), mx::take(weight.value(), safe),
                                       mx::zeros({}, to_mlx(weight.dtype()))));
    smooth_red = div(sum(smooth), make_result(wsum, weight.dtype(), {&weight}));
  } else {
    smooth_red = div(sum(smooth), sum(to_dtype(keep, input.dtype())));
  }
  return add(mul(nll, 1.0 - label_smoothing), mul(smooth_red, label_smoothing / c));
}

}  // namespace mlxc
