#include "ops/grid_sample.h"

#include <cmath>

#include "ops/gather.h"
#include "ops/linalg.h"
#include "ops/pointwise.h"
#include "ops/reduce.h"
#include "ops/shape.h"

namespace mlxc {

namespace {

enum Interp { kBilinear = 0, kNearest = 1, kBicubic = 2 };
enum Padding { kZeros = 0, kBorder = 1, kReflection = 2 };

mx::array sc(double v, mx::Dtype dt) { return mx::array(v, dt); }

// One grid coordinate mapped to input pixels, with d(pixel)/d(grid).
struct Coord {
  mx::array pos;
  mx::array mult;
};

// Grid coordinate -> pixel. torch's 2-D kernel evaluates c * f + offset as one fused
// multiply-add (emulated in float64 for float32); its 3-D kernel uses the plain formula.
Coord unnormalize(const mx::array& c, int64_t size, bool align, bool fused) {
  const mx::Dtype dt = c.dtype();
  const double f = align ? (size - 1) / 2.0 : size / 2.0;
  if (fused) {
    const mx::Dtype wide = dt == mx::float32 ? mx::float64 : dt;
    mx::array p =
        mx::add(mx::multiply(mx::astype(c, wide), sc(f, wide)), sc(align ? f : f - 0.5, wide));
    return {mx::astype(p, dt), sc(f, dt)};
  }
  mx::array c1 = mx::add(c, sc(1, dt));
  if (align) return {mx::multiply(mx::divide(c1, sc(2, dt)), sc(size - 1, dt)), sc(f, dt)};
  return {mx::divide(mx::subtract(mx::multiply(c1, sc(size, dt)), sc(1, dt)), sc(2, dt)),
          sc(f, dt)};
}

Coord clip(const mx::array& in, int64_t size) {
  const mx::Dtype dt = in.dtype();
  const double hi = size - 1;
  mx::array out = mx::clip(in, sc(0, dt), sc(hi, dt));
  mx::array inside =
      mx::logical_and(mx::greater_equal(in, sc(0, dt)), mx::less_equal(in, sc(hi, dt)));
  return {out, mx::astype(inside, dt)};
}

// Reflects into [twice_low / 2, twice_high / 2] as torch's reflect_coordinates does.
Coord reflect(const mx::array& in, int64_t twice_low, int64_t twice_high) {
  const mx::Dtype dt = in.dtype();
  if (twice_low == twice_high) return {mx::zeros_like(in), mx::zeros_like(in)};
  const double lo = twice_low / 2.0, span = (twice_high - twice_low) / 2.0;
  mx::array d = mx::subtract(in, sc(lo, dt));
  mx::array sign = mx::where(mx::less(d, sc(0, dt)), sc(-1, dt), sc(1, dt));
  mx::array a = mx::abs(d);
  mx::array extra = mx::remainder(a, sc(span, dt));
  mx::array flips = mx::floor(mx::divide(a, sc(span, dt)));
  mx::array even = mx::equal(mx::remainder(flips, sc(2, dt)), sc(0, dt));
  mx::array out = mx::where(even, mx::add(extra, sc(lo, dt)),
                            mx::add(mx::subtract(sc(span, dt), extra), sc(lo, dt)));
  return {out, mx::multiply(sign, mx::where(even, sc(1, dt), sc(-1, dt)))};
}

// torch's compute_coordinates: the padding rule applied to a pixel coordinate.
Coord pad_coord(const mx::array& pos, int64_t size, int padding, bool align) {
  if (padding == kBorder) return clip(pos, size);
  if (padding == kReflection) {
    Coord r = align ? reflect(pos, 0, 2 * (size - 1)) : reflect(pos, -1, 2 * size - 1);
    Coord c = clip(r.pos, size);
    return {c.pos, mx::multiply(r.mult, c.mult)};
  }
  return {pos, mx::ones_like(pos)};
}

// One sampled position: flat index into the spatial extent, in-bounds mask, weight.
struct Tap {
  mx::array flat;
  mx::array inside;
  mx::array weight;
  std::vector<mx::array> dweight;   // d weight / d pixel coordinate, per grid dim
  std::vector<mx::array> separate;  // bicubic: the x and y factors of weight
};

struct Geometry {
  int64_t n, c, p;              // batch, channels, output points
  std::vector<int64_t> sizes;   // spatial sizes in grid-dim order (W, H[, D])
  std::vector<int64_t> stride;  // flat strides in the same order
  IntArray out_sizes;
};

// Gathers input (N, C, S) at taps (N, P) and sums weighted values -> (N, C, P).
mx::array read_taps(const mx::array& in, const std::vector<Tap>& taps, const Geometry& g) {
  mx::array acc =
      mx::zeros({static_cast<int>(g.n), static_cast<int>(g.c), static_cast<int>(g.p)}, in.dtype());
  const mx::Shape b{static_cast<int>(g.n), static_cast<int>(g.c), static_cast<int>(g.p)};
  mx::array row = acc;
  for (size_t i = 0; i < taps.size(); ++i) {
    const Tap& t = taps[i];
    mx::array idx = mx::broadcast_to(mx::expand_dims(t.flat, 1), b);
    mx::array v = mx::take_along_axis(in, idx, 2);
    v = mx::where(mx::expand_dims(t.inside, 1), v, mx::zeros({}, in.dtype()));
    if (t.separate.empty()) {
      acc = mx::add(acc, mx::multiply(v, mx::expand_dims(t.weight, 1)));
      continue;
    }
    // Bicubic: each row is interpolated along x, then rows along y (torch's order).
    mx::array term = mx::multiply(mx::expand_dims(t.separate[0], 1), v);
    row = i % 4 == 0 ? term : mx::add(row, term);
    if (i % 4 == 3) acc = mx::add(acc, mx::multiply(mx::expand_dims(t.separate[1], 1), row));
  }
  return acc;
}

std::vector<Tap> make_taps(const std::vector<Coord>& coords, int interp, int padding, bool align,
                           const Geometry& g, mx::Dtype dt) {
  const size_t d = coords.size();
  std::vector<Tap> taps;
  auto flat_of = [&](const std::vector<mx::array>& ids) {
    mx::array inside = mx::ones(ids[0].shape(), mx::bool_);
    mx::array flat = mx::zeros(ids[0].shape(), mx::int32);
    for (size_t k = 0; k < d; ++k) {
      inside = mx::logical_and(inside, mx::logical_and(mx::greater_equal(ids[k], sc(0, dt)),
                                                       mx::less(ids[k], sc(g.sizes[k], dt))));
      mx::array ik = mx::astype(mx::clip(ids[k], sc(0, dt), sc(g.sizes[k] - 1, dt)), mx::int32);
      flat = mx::add(flat, mx::multiply(ik, mx::array(static_cast<int>(g.stride[k]), mx::int32)));
    }
    return std::pair{flat, inside};
  };
  if (interp == kNearest) {
    std::vector<mx::array> ids;
    for (const Coord& c : coords) ids.push_back(mx::round(c.pos));
    auto [flat, inside] = flat_of(ids);
    taps.push_back({flat, inside, mx::ones(flat.shape(), dt), {}});
    return taps;
  }
  if (interp == kBilinear) {
    std::vector<mx::array> lo, w0, w1;
    for (const Coord& c : coords) {
      mx::array f = mx::floor(c.pos);
      lo.push_back(f);
      w0.push_back(mx::subtract(mx::add(f, sc(1, dt)), c.pos));
      w1.push_back(mx::subtract(c.pos, f));
    }
    // Corner order as torch's kernels sum them: the last grid dim varies slowest.
    for (int corner = 0; corner < (1 << d); ++corner) {
      std::vector<mx::array> ids, parts;
      for (size_t k = 0; k < d; ++k) {
        const bool hi = (corner >> k) & 1;
        ids.push_back(hi ? mx::add(lo[k], sc(1, dt)) : lo[k]);
        parts.push_back(hi ? w1[k] : w0[k]);
      }
      mx::array w = parts[0];
      for (size_t k = 1; k < d; ++k) w = mx::multiply(w, parts[k]);
      std::vector<mx::array> dw;
      for (size_t k = 0; k < d; ++k) {
        mx::array v = sc(((corner >> k) & 1) ? 1 : -1, dt);
        for (size_t j = 0; j < d; ++j) {
          if (j != k) v = mx::multiply(v, parts[j]);
        }
        dw.push_back(v);
      }
      auto [flat, inside] = flat_of(ids);
      taps.push_back({flat, inside, w, dw});
    }
    return taps;
  }
  // Bicubic (2-D): a 4 x 4 neighbourhood with Keys' weights; padding per tap.
  const double a = -0.75;
  auto cubic = [&](const mx::array& t, int j) {
    auto near = [&](const mx::array& x) {
      return mx::add(
          mx::multiply(mx::multiply(mx::subtract(mx::multiply(sc(a + 2, dt), x), sc(a + 3, dt)), x),
                       x),
          sc(1, dt));
    };
    auto far = [&](const mx::array& x) {
      mx::array r = mx::subtract(mx::multiply(sc(a, dt), x), sc(5 * a, dt));
      r = mx::add(mx::multiply(r, x), sc(8 * a, dt));
      return mx::subtract(mx::multiply(r, x), sc(4 * a, dt));
    };
    switch (j) {
      case 0:
        return far(mx::add(t, sc(1, dt)));
      case 1:
        return near(t);
      case 2:
        return near(mx::subtract(sc(1, dt), t));
      default:
        return far(mx::subtract(sc(2, dt), t));
    }
  };
  // torch's get_cubic_coefficients_grad: minus the derivatives of the weights in t.
  auto cubic_grad = [&](const mx::array& t, int j) {
    mx::array x = t;
    switch (j) {
      case 0:
        x = mx::subtract(sc(-1, dt), t);
        return mx::subtract(
            mx::multiply(mx::subtract(mx::multiply(sc(-3 * a, dt), x), sc(10 * a, dt)), x),
            sc(8 * a, dt));
      case 1:
        x = mx::negative(t);
        return mx::multiply(
            mx::subtract(mx::multiply(sc(-3 * (a + 2), dt), x), sc(2 * (a + 3), dt)), x);
      case 2:
        x = mx::subtract(sc(1, dt), t);
        return mx::multiply(mx::subtract(mx::multiply(sc(3 * (a + 2), dt), x), sc(2 * (a + 3), dt)),
                            x);
      default:
        x = mx::subtract(sc(2, dt), t);
        return mx::add(
            mx::multiply(mx::subtract(mx::multiply(sc(3 * a, dt), x), sc(10 * a, dt)), x),
            sc(8 * a, dt));
    }
  };
  mx::array fx = mx::floor(coords[0].pos), fy = mx::floor(coords[1].pos);
  mx::array tx = mx::subtract(coords[0].pos, fx), ty = mx::subtract(coords[1].pos, fy);
  for (int j = 0; j < 4; ++j) {
    for (int i = 0; i < 4; ++i) {
      mx::array px = mx::add(fx, sc(i - 1, dt)), py = mx::add(fy, sc(j - 1, dt));
      px = pad_coord(px, g.sizes[0], padding, align).pos;
      py = pad_coord(py, g.sizes[1], padding, align).pos;
      auto [flat, inside] = flat_of({px, py});
      mx::array cx = cubic(tx, i), cy = cubic(ty, j);
      taps.push_back({flat,
                      inside,
                      mx::multiply(cx, cy),
                      {mx::negative(mx::multiply(cubic_grad(tx, i), cy)),
                       mx::negative(mx::multiply(cx, cubic_grad(ty, j)))},
                      {cx, cy}});
    }
  }
  return taps;
}

// Tensor-level tap weights and their derivatives in the pixel coordinates, as
// recorded functions of `pos` (one per grid dim), so that gradients built from
// them are differentiable again. Tap order and formulas follow make_taps.
struct TapWeights {
  Tensor weight;
  std::vector<Tensor> dweight;
};

std::vector<TapWeights> tap_weights(const std::vector<Tensor>& pos, int interp) {
  const size_t d = pos.size();
  std::vector<TapWeights> out;
  if (interp == kNearest) return out;
  if (interp == kBilinear) {
    std::vector<Tensor> w0, w1;
    for (const Tensor& c : pos) {
      Tensor f = floor(c);
      w0.push_back(sub(add(f, 1.0), c));
      w1.push_back(sub(c, f));
    }
    for (int corner = 0; corner < (1 << d); ++corner) {
      std::vector<Tensor> parts;
      for (size_t k = 0; k < d; ++k) parts.push_back(((corner >> k) & 1) ? w1[k] : w0[k]);
      Tensor w = parts[0];
      for (size_t k = 1; k < d; ++k) w = mul(w, parts[k]);
      std::vector<Tensor> dw;
      for (size_t k = 0; k < d; ++k) {
        Tensor v;
        for (size_t j = 0; j < d; ++j) {
          if (j != k) v = v.defined() ? mul(v, parts[j]) : parts[j];
        }
        const double sign = ((corner >> k) & 1) ? 1.0 : -1.0;
        dw.push_back(mul(v, sign));  // d >= 2: v is a product of the other parts
      }
      out.push_back({w, dw});
    }
    return out;
  }
  const double a = -0.75;
  auto near = [&](const Tensor& x) {
    return add(mul(mul(add(mul(x, a + 2), -(a + 3)), x), x), 1.0);
  };
  auto far = [&](const Tensor& x) {
    return add(mul(add(mul(add(mul(x, a), -5 * a), x), 8 * a), x), -4 * a);
  };
  auto one_minus = [](const Tensor& t, double v) { return add(neg(t), v); };
  auto cubic = [&](const Tensor& t, int j) {
    switch (j) {
      case 0:
        return far(add(t, 1.0));
      case 1:
        return near(t);
      case 2:
        return near(one_minus(t, 1.0));
      default:
        return far(one_minus(t, 2.0));
    }
  };
  // d cubic(t, j) / dt
  auto cubic_dt = [&](const Tensor& t, int j) {
    switch (j) {
      case 0: {
        Tensor x = add(t, 1.0);
        return add(mul(add(mul(x, 3 * a), -10 * a), x), 8 * a);
      }
      case 1:
        return mul(add(mul(t, 3 * (a + 2)), -2 * (a + 3)), t);
      case 2: {
        Tensor x = one_minus(t, 1.0);
        return neg(mul(add(mul(x, 3 * (a + 2)), -2 * (a + 3)), x));
      }
      default: {
        Tensor x = one_minus(t, 2.0);
        return neg(add(mul(add(mul(x, 3 * a), -10 * a), x), 8 * a));
      }
    }
  };
  Tensor tx = sub(pos[0], floor(pos[0])), ty = sub(pos[1], floor(pos[1]));
  for (int j = 0; j < 4; ++j) {
    for (int i = 0; i < 4; ++i) {
      Tensor cx = cubic(tx, i), cy = cubic(ty, j);
      out.push_back({mul(cx, cy), {mul(cubic_dt(tx, i), cy), mul(cx, cubic_dt(ty, j))}});
    }
  }
  return out;
}

// The gradients of input and grid with recorded ops (used while building a
// graph of the gradient). The taps' positions and the coordinate multipliers
// are piecewise constant in the grid; their weights are rebuilt from the grid.
TensorList grid_sample_backward_graph(FnNode& nd, const Tensor& go, const std::vector<Tap>& taps,
                                      const std::vector<Coord>& coords, const Geometry& g,
                                      int64_t interp, int64_t stride, int64_t d,
                                      const IntArray& grid_sizes) {
  Tensor input = nd.saved(0), grid = nd.saved(1);
  const ScalarType st = go.dtype();
  const IntArray b{g.n, g.c, g.p};
  Tensor go3 = reshape(go, b);
  Tensor gr = reshape(grid, {g.n, g.p, d});
  std::vector<Tensor> pos;
  for (int64_t k = 0; k < d; ++k) {
    // Equal to the forward's pixel coordinate; its derivative in the grid is `mult`.
    Tensor gk = select(gr, 2, k);
    Tensor fixed = make_result(gk.value(), st, {});
    Tensor p = make_result(coords[k].pos, st, {});
    Tensor m = make_result(coords[k].mult, st, {});
    pos.push_back(add(p, mul(m, sub(gk, fixed))));
  }
  std::vector<TapWeights> w = tap_weights(pos, static_cast<int>(interp));
  auto index_of = [&](const Tap& t) {
    return make_result(mx::broadcast_to(mx::expand_dims(t.flat, 1), to_shape(b)), ScalarType::Int32,
                       {});
  };
  auto mask_of = [&](const Tap& t) {
    return make_result(mx::expand_dims(t.inside, 1), ScalarType::Bool, {});
  };
  const Tensor zero = wrapped_scalar(0.0);
  TensorList out(2);
  if (nd.needs_input_grad(0)) {
    Tensor acc = make_result(
        mx::zeros({static_cast<int>(g.n), static_cast<int>(g.c), static_cast<int>(stride)},
                  to_mlx(st)),
        st, {});
    for (size_t i = 0; i < taps.size(); ++i) {
      Tensor wt =
          w.empty() ? make_result(mx::ones(taps[i].flat.shape(), to_mlx(st)), st, {}) : w[i].weight;
      Tensor v = mul(go3, where(mask_of(taps[i]), unsqueeze(wt, 1), zero));
      acc = scatter_add_in_range(acc, 2, index_of(taps[i]), v);
    }
    IntArray in_sizes = {g.n, g.c};
    for (int64_t k = d - 1; k >= 0; --k) in_sizes.push_back(g.sizes[k]);
    out[0] = reshape(acc, in_sizes);
  }
  if (nd.needs_input_grad(1)) {
    Tensor in3 = reshape(input, {g.n, g.c, stride});
    std::vector<Tensor> vg;
    for (const Tap& t : taps) {
      if (w.empty()) break;
      Tensor v = where(mask_of(t), gather_in_range(in3, 2, index_of(t)), zero);
      vg.push_back(sum(mul(v, go3), std::vector<int64_t>{1}));
    }
    TensorList parts;
    for (int64_t k = 0; k < d; ++k) {
      Tensor s = make_result(mx::zeros({static_cast<int>(g.n), static_cast<int>(g.p)}, to_mlx(st)),
                             st, {});
      for (size_t i = 0; i < vg.size(); ++i) s = add(s, mul(vg[i], w[i].dweight[k]));
      if (!w.empty()) {
        s = mul(s, make_result(coords[k].mult, st, {}));
      } else {
        // nearest: zero, but connected to the graph as torch's is
        Tensor always = make_result(mx::ones(s.shape(), mx::bool_), ScalarType::Bool, {});
        s = where(always, s, sum(go3, std::vector<int64_t>{1}));
      }
      parts.push_back(s);
    }
    out[1] = reshape(stack(parts, 2), grid_sizes);
  }
  return out;
}

Tensor grid_sample_impl(const Tensor& input, const Tensor& grid, int64_t interp, int64_t padding,
                        bool align, const char* node_name) {
  const int64_t d = input.dim() - 2;
  const ScalarType st = input.dtype();
  const mx::Dtype dt = to_mlx(st);
  Geometry g;
  g.n = input.sizes()[0];
  g.c = input.sizes()[1];
  g.p = 1;
  for (int64_t k = 0; k < d; ++k) g.p *= grid.sizes()[1 + k];
  int64_t stride = 1;
  for (int64_t k = 0; k < d; ++k) {
    g.sizes.push_back(input.sizes()[input.dim() - 1 - k]);
    g.stride.push_back(stride);
    stride *= g.sizes.back();
  }
  g.out_sizes = {g.n, g.c};
  for (int64_t k = 0; k < d; ++k) g.out_sizes.push_back(grid.sizes()[1 + k]);
  const int ni = static_cast<int>(g.n), ci = static_cast<int>(g.c), pi = static_cast<int>(g.p);
  mx::array gr = mx::reshape(grid.value(), {ni, pi, static_cast<int>(d)});
  std::vector<Coord> coords;
  for (int64_t k = 0; k < d; ++k) {
    mx::array ck = mx::squeeze(
        mx::slice(gr, {0, 0, static_cast<int>(k)}, {ni, pi, static_cast<int>(k + 1)}), 2);
    Coord u = unnormalize(ck, g.sizes[k], align, d == 2);
    if (interp != kBicubic) {
      Coord pc = pad_coord(u.pos, g.sizes[k], static_cast<int>(padding), align);
      u = {pc.pos, mx::multiply(u.mult, pc.mult)};
    }
    coords.push_back(u);
  }
  std::vector<Tap> taps =
      make_taps(coords, static_cast<int>(interp), static_cast<int>(padding), align, g, dt);
  mx::array in = mx::reshape(input.value(), {ni, ci, static_cast<int>(stride)});
  mx::array out = mx::reshape(read_taps(in, taps, g), to_shape(g.out_sizes));
  Tensor result = make_result(out, st, {&input, &grid});
  if (!needs_grad({&input, &grid})) return result;

  auto node = make_node(
      node_name, {&input, &grid},
      [taps, coords, g, in, interp, stride, d, grid_sizes = grid.sizes()](FnNode& nd,
                                                                          TensorList& gs) {
        const Tensor& go = gs[0];
        if (GradMode::is_enabled()) {
          return grid_sample_backward_graph(nd, go, taps, coords, g, interp, stride, d, grid_sizes);
        }
        const mx::Dtype gdt = to_mlx(go.dtype());
        const mx::Shape b{static_cast<int>(g.n), static_cast<int>(g.c), static_cast<int>(g.p)};
        mx::array gv = mx::reshape(go.value(), b);
        TensorList out(2);
        if (nd.needs_input_grad(0)) {
          mx::array acc = mx::zeros({b[0], b[1], static_cast<int>(stride)}, gdt);
          for (const Tap& t : taps) {
            mx::array idx = mx::broadcast_to(mx::expand_dims(t.flat, 1), b);
            mx::array v = mx::multiply(
                gv, mx::expand_dims(mx::where(t.inside, t.weight, mx::zeros({}, gdt)), 1));
            acc = scatter_nonempty(acc, v, [&] { return mx::scatter_add_axis(acc, idx, v, 2); });
          }
          IntArray in_sizes = {g.n, g.c};
          for (int64_t k = d - 1; k >= 0; --k) in_sizes.push_back(g.sizes[k]);
          out[0] = make_result(mx::reshape(acc, to_shape(in_sizes)), go.dtype(), {&go});
        }
        if (nd.needs_input_grad(1)) {
          std::vector<mx::array> parts;
          for (int64_t k = 0; k < d; ++k) {
            // The taps' weight derivatives sum to zero: accumulate float32 in float64.
            const mx::Dtype acc_t = gdt == mx::float32 ? mx::float64 : gdt;
            mx::array s = mx::zeros({b[0], b[2]}, acc_t);
            if (interp != kNearest) {
              for (const Tap& t : taps) {
                mx::array idx = mx::broadcast_to(mx::expand_dims(t.flat, 1), b);
                mx::array v = mx::where(mx::expand_dims(t.inside, 1),
                                        mx::take_along_axis(in, idx, 2), mx::zeros({}, gdt));
                mx::array vg =
                    mx::sum(mx::multiply(mx::astype(v, acc_t), mx::astype(gv, acc_t)), 1);
                s = mx::add(s, mx::multiply(vg, mx::astype(t.dweight[k], acc_t)));
              }
              s = mx::multiply(s, mx::astype(coords[k].mult, acc_t));
            }
            parts.push_back(mx::expand_dims(mx::astype(s, gdt), 2));
          }
          out[1] = make_result(mx::reshape(mx::concatenate(parts, 2), to_shape(grid_sizes)),
                               go.dtype(), {&go});
        }
        return out;
      });
  node->save(input);
  node->save(grid);
  return with_history(result, node);
}

void check_grid(const Tensor& input, const Tensor& grid, int64_t interp) {
  MLXC_CHECK(input.dtype() == grid.dtype(), Runtime,
             "grid_sampler(): expected input and grid to have same dtype, but input has ",
             scalar_type_name(input.dtype()), " and grid has ", scalar_type_name(grid.dtype()));
  MLXC_CHECK(input.dim() == grid.dim() && (input.dim() == 4 || input.dim() == 5), Runtime,
             "grid_sampler(): expected 4D or 5D input and grid with same number of dimensions, "
             "but got input with sizes ",
             sizes_str(input.sizes()), " and grid with sizes ", sizes_str(grid.sizes()));
  MLXC_CHECK(input.sizes()[0] == grid.sizes()[0], Runtime,
             "grid_sampler(): expected grid and input to have same batch size, but got input "
             "with sizes ",
             sizes_str(input.sizes()), " and grid with sizes ", sizes_str(grid.sizes()));
  MLXC_CHECK(grid.sizes().back() == input.dim() - 2, Runtime,
             "grid_sampler(): expected grid to have size ", input.dim() - 2,
             " in last dimension, but got grid with sizes ", sizes_str(grid.sizes()));
  for (int64_t i = 2; i < input.dim(); ++i) {
    MLXC_CHECK(input.sizes()[i] > 0, Runtime,
               "grid_sampler(): expected input to have non-empty spatial dimensions, but input "
               "has sizes ",
               sizes_str(input.sizes()), " with dimension ", i, " being empty");
  }
  MLXC_CHECK(interp != kBicubic || input.dim() == 4, Runtime,
             "grid_sampler(): bicubic interpolation only supports 4D input");
  MLXC_CHECK(is_floating(input.dtype()), NotImplemented, "\"grid_sampler\" not implemented for '",
             scalar_type_name(input.dtype()), "'");
}

}  // namespace

Tensor grid_sampler_2d(const Tensor& input, const Tensor& grid, int64_t interpolation,
                       int64_t padding, bool align_corners) {
  check_grid(input, grid, interpolation);
  MLXC_CHECK(input.dim() == 4, Runtime, "grid_sampler_2d(): expected 4D input");
  return grid_sample_impl(input, grid, interpolation, padding, align_corners,
                          "GridSampler2DBackward0");
}

Tensor grid_sampler_3d(const Tensor& input, const Tensor& grid, int64_t interpolation,
                       int64_t padding, bool align_corners) {
  check_grid(input, grid, interpolation);
  MLXC_CHECK(input.dim() == 5, Runtime, "grid_sampler_3d(): expected 5D input");
  return grid_sample_impl(input, grid, interpolation, padding, align_corners,
                          "GridSampler3DBackward0");
}

Tensor grid_sampler(const Tensor& input, const Tensor& grid, int64_t interpolation, int64_t padding,
                    bool align_corners) {
  check_grid(input, grid, interpolation);
  return input.dim() == 4 ? grid_sampler_2d(input, grid, interpolation, padding, align_corners)
                          : grid_sampler_3d(input, grid, interpolation, padding, align_corners);
}

namespace {

// torch's linspace(-1, 1, n) (scaled by (n - 1) / n without align_corners), in T.
template <class T>
std::vector<double> base_line(int64_t n, bool align) {
  std::vector<double> v(n, 0.0);
  if (n <= 1) return v;
  const T step = (T(1) - T(-1)) / static_cast<T>(n - 1);
  const int64_t half = n / 2;
  for (int64_t i = 0; i < n; ++i) {
    T x = i < half ? T(-1) + step * static_cast<T>(i) : T(1) - step * static_cast<T>(n - i - 1);
    if (!align) x = x * static_cast<T>(n - 1) / static_cast<T>(n);
    v[i] = x;
  }
  return v;
}

}  // namespace

Tensor affine_grid_generator(const Tensor& theta, const IntArray& size, bool align_corners) {
  MLXC_CHECK(size.size() == 4 || size.size() == 5, Runtime,
             "AffineGridGenerator needs 4d (spatial) or 5d (volumetric) inputs.");
  const int64_t d = static_cast<int64_t>(size.size()) - 2;
  const ScalarType st = theta.dtype();
  const mx::Dtype dt = to_mlx(st);
  // Base grid (P, d + 1): x over W, y over H, z over D, then 1.
  int64_t p = 1;
  for (int64_t k = 0; k < d; ++k) p *= size[2 + k];
  std::vector<double> base(p * (d + 1), 1.0);
  std::vector<std::vector<double>> lines;
  for (int64_t k = 0; k < d; ++k) {
    const int64_t n = size[size.size() - 1 - k];
    lines.push_back(st == ScalarType::Float64 ? base_line<double>(n, align_corners)
                                              : base_line<float>(n, align_corners));
  }
  for (int64_t i = 0; i < p; ++i) {
    int64_t rem = i;
    for (int64_t k = 0; k < d; ++k) {
      const int64_t n = size[size.size() - 1 - k];
      base[i * (d + 1) + k] = lines[k][rem % n];
      rem /= n;
    }
  }
  const int pi = static_cast<int>(p), di = static_cast<int>(d + 1);
  Tensor base_t = make_result(mx::array(base.begin(), {pi, di}, dt), st, {});
  MLXC_CHECK(theta.dim() == 3 && theta.sizes()[1] == d && theta.sizes()[2] == d + 1, Runtime,
             "affine_grid_generator: expected theta of shape [N, ", d, ", ", d + 1, "], but got ",
             sizes_str(theta.sizes()));
  IntArray out_sizes{size[0]};
  for (int64_t k = 0; k < d; ++k) out_sizes.push_back(size[2 + k]);
  out_sizes.push_back(d);
  // grid = base @ theta^T, one batch at a time through broadcasting matmul.
  mx::array g = mx::matmul(mx::astype(base_t.value(), dt), mx::swapaxes(theta.value(), 1, 2));
  Tensor out = make_result(mx::reshape(g, to_shape(out_sizes)), st, {&theta});
  if (!needs_grad({&theta})) return out;
  auto node = make_node("AffineGridGeneratorBackward0", {&theta},
                        [base_t, n = size[0], p, d](FnNode&, TensorList& gs) {
                          Tensor gg = reshape(gs[0], {n, p, d});
                          return TensorList{matmul(transpose(gg, 1, 2), base_t)};
                        });
  return with_history(out, node);
}

}  // namespace mlxc
