// torch's CPU Box-Muller over blocks of 16 uniforms (Note [Box-Muller kernels]).
#pragma once

namespace mlxc {

// data[0..8) hold the uniforms that give radii, data[8..16) the angles; both
// halves are replaced by normal samples (cosine half first), scaled by std and
// shifted by mean with one fused multiply-add each.
void normal_fill_16(float* data, float mean, float std);
void normal_fill_16(double* data, double mean, double std);

// Whether float blocks take torch's 8-lane vector kernel on this machine.
bool vector_normal_kernel();

}  // namespace mlxc
