// torch.linalg decompositions: cholesky, qr, svd, eigh, lu (factor, unpack), householder_product,
// ormqr, geqrf; shared argument checks for the linalg families. Forwards run MLX's LAPACK kernels
// on the CPU stream; backward formulas follow torch's derivatives.yaml.
#pragma once

#include <optional>
#include <string>
#include <tuple>

#include "ops/common.h"

namespace mlxc {

// torch.linalg.LinAlgError: a RuntimeError raised when a factorization fails on the input's values.
class LinAlgError : public Error {
 public:
  explicit LinAlgError(std::string msg) : Error(ErrorKind::Runtime, std::move(msg)) {}
};

namespace linalg {

// MLX's decompositions run on the CPU stream only.
inline mx::StreamOrDevice cpu() { return mx::Device(mx::Device::cpu); }

// Note [MLX LU output]
// MLX's CPU LU kernel records its column-major output with a data size in
// bytes where elements are expected, so an elementwise op that takes the
// contiguous fast path on it reads and writes past the buffer (heap corruption
// once enough such graphs run). Every mx::linalg::lu_factor result is copied
// by shape (mx::contiguous) before use: lu_factor_copied does both.
std::pair<mx::array, mx::array> lu_factor_copied(const mx::array& a);  // (LU, 0-based pivots)
// LAPACK's getrf info of LU factors: 1-based index of the first zero on the
// diagonal, 0 if none.
mx::array lu_info(const mx::array& lu);
void check_floating(const Tensor& t, const char* fn, const char* arg = "input");
void check_matrix(const Tensor& t, const char* fn, const char* arg = "A");
void check_square(const Tensor& t, const char* fn, const char* arg = "A");
// The last two dims swapped (conjugated for complex).
Tensor mH(const Tensor& t);
// Batch sizes (all but the last two dims).
IntArray batch_sizes(const Tensor& t);
// Raises LinAlgError for the first nonzero entry of an int32 info tensor (evaluates it);
// `what(i)` describes the failure at info value i.
template <class F>
void raise_for_info(const Tensor& info, const char* fn, F&& what, bool linalg_error = true);
// The symmetric (Hermitian) matrix read from one triangle of a.
mx::array from_triangle(const mx::array& a, bool upper);
// Zeros of the given shape and dtype as a tensor (no history).
Tensor zeros_of(const IntArray& sizes, ScalarType dtype);
// n x n identity broadcast over `batch`.
Tensor eye_of(int64_t n, const IntArray& batch, ScalarType dtype);
// Records `outs` (computed by differentiable ops) as the outputs of one node named `name` whose
// backward hands each gradient to the op that made that output: a composite shown under torch's
// grad_fn name.
TensorList as_node(const char* name, const TensorList& outs);
// Evaluates an int32 info tensor and returns (batch index, value) of its first nonzero entry.
std::optional<std::pair<int64_t, int64_t>> first_failure(const Tensor& info);

}  // namespace linalg

template <class F>
void linalg::raise_for_info(const Tensor& info, const char* fn, F&& what, bool linalg_error) {
  auto bad = first_failure(info);
  if (!bad) return;
  std::string batch = info.dim() > 0 ? str("(Batch element ", bad->first, "): ") : "";
  std::string msg = str(fn, ": ", batch, what(bad->second));
  if (linalg_error) throw LinAlgError(msg);
  throw Error(ErrorKind::Runtime, msg);
}

// linalg.cholesky_ex: (L, info); check_errors raises LinAlgError.
std::pair<Tensor, Tensor> linalg_cholesky_ex(const Tensor& A, bool upper, bool check_errors,
                                             const char* fn = "linalg.cholesky");
Tensor linalg_cholesky(const Tensor& A, bool upper);
// torch.cholesky (CholeskyBackward0).
Tensor cholesky(const Tensor& A, bool upper);
// linalg.qr: mode "reduced" | "complete" | "r".
std::pair<Tensor, Tensor> linalg_qr(const Tensor& A, const std::string& mode);
// linalg.svd: (U, S, Vh).
std::tuple<Tensor, Tensor, Tensor> linalg_svd(const Tensor& A, bool full_matrices,
                                              const char* fn = "linalg.svd");
Tensor linalg_svdvals(const Tensor& A);
// torch.svd: (U, S, V).
std::tuple<Tensor, Tensor, Tensor> svd(const Tensor& A, bool some, bool compute_uv);
std::pair<Tensor, Tensor> linalg_eigh(const Tensor& A, const std::string& uplo);
Tensor linalg_eigvalsh(const Tensor& A, const std::string& uplo);
// linalg.lu_factor_ex: (LU, pivots, info) with LAPACK's 1-based int32 pivots.
std::tuple<Tensor, Tensor, Tensor> linalg_lu_factor_ex(const Tensor& A, bool pivot,
                                                       bool check_errors,
                                                       const char* fn = "linalg.lu_factor");
std::pair<Tensor, Tensor> linalg_lu_factor(const Tensor& A, bool pivot);
// torch.lu_unpack: (P, L, U).
std::tuple<Tensor, Tensor, Tensor> lu_unpack(const Tensor& LU, const Tensor& pivots,
                                             bool unpack_data, bool unpack_pivots);
// linalg.lu: (P, L, U).
std::tuple<Tensor, Tensor, Tensor> linalg_lu(const Tensor& A, bool pivot);
// The row permutation (int64, batched) that LAPACK's pivots apply: row i of P^T A is A[perm[i]].
Tensor pivots_to_perm(const Tensor& pivots, int64_t m);
Tensor linalg_householder_product(const Tensor& A, const Tensor& tau);
// torch.ormqr: other multiplied by the Q of a compact Householder form (left/right, Q or Q^T).
Tensor ormqr(const Tensor& A, const Tensor& tau, const Tensor& C, bool left, bool transpose);
// torch.geqrf: (a, tau) in LAPACK's compact Householder form.
std::pair<Tensor, Tensor> geqrf(const Tensor& A);

}  // namespace mlxc
