#include "kernels/fp32/elementwise_f32.h"

#include "kernels/fp32/elementwise_f32_levels.h"
#include "kernels/isa.h"

#define OCTET_FP32_LEVEL fp32_generic
#include "kernels/fp32/elementwise_f32_impl.h"

namespace octet::kernels {

namespace {

// The build for the session's level, chosen once as gemm_f32 chooses its
// Eigen build (an unusable OCTET_ISA is reported by the session; this
// falls back to the build with no ISA flags).
template <class Fn>
Fn pick(Fn generic, [[maybe_unused]] Fn avx2, [[maybe_unused]] Fn avx512) {
  [[maybe_unused]] const Isa isa = selected_isa_or_ref();
#if defined(__x86_64__) || defined(_M_X64)
  if (runs_avx512vnni(isa)) return avx512;
  if (isa == Isa::Avx2) return avx2;
#endif
  return generic;
}

}  // namespace

#if defined(__x86_64__) || defined(_M_X64)
#define OCTET_DISPATCH(name, params, args)                                                    \
  void name params {                                                                          \
    static const auto fn = pick(&fp32_generic::name, &fp32_avx2::name, &fp32_avx512::name); \
    fn args;                                                                                  \
  }
#else
#define OCTET_DISPATCH(name, params, args) \
  void name params { fp32_generic::name args; }
#endif

OCTET_DISPATCH(relu_f32, (const float* x, float* y, int64_t n), (x, y, n))
OCTET_DISPATCH(leaky_relu_f32, (const float* x, float* y, int64_t n, float alpha), (x, y, n, alpha))
OCTET_DISPATCH(clip_f32, (const float* x, float* y, int64_t n, float lo, float hi), (x, y, n, lo, hi))
OCTET_DISPATCH(sigmoid_f32, (const float* x, float* y, int64_t n), (x, y, n))
OCTET_DISPATCH(tanh_f32, (const float* x, float* y, int64_t n), (x, y, n))
OCTET_DISPATCH(hard_sigmoid_f32, (const float* x, float* y, int64_t n, float alpha, float beta), (x, y, n, alpha, beta))
OCTET_DISPATCH(hard_swish_f32, (const float* x, float* y, int64_t n), (x, y, n))
OCTET_DISPATCH(elu_f32, (const float* x, float* y, int64_t n, float alpha), (x, y, n, alpha))
OCTET_DISPATCH(celu_f32, (const float* x, float* y, int64_t n, float alpha), (x, y, n, alpha))
OCTET_DISPATCH(erf_f32, (const float* x, float* y, int64_t n), (x, y, n))
OCTET_DISPATCH(exp_f32, (const float* x, float* y, int64_t n), (x, y, n))
OCTET_DISPATCH(sqrt_f32, (const float* x, float* y, int64_t n), (x, y, n))
OCTET_DISPATCH(neg_f32, (const float* x, float* y, int64_t n), (x, y, n))
OCTET_DISPATCH(abs_f32, (const float* x, float* y, int64_t n), (x, y, n))
OCTET_DISPATCH(binary_f32, (BinaryOp op, const float* a, const std::vector<int64_t>& a_shape, const float* b, const std::vector<int64_t>& b_shape, float* out, const std::vector<int64_t>& out_shape), (op, a, a_shape, b, b_shape, out, out_shape))

}  // namespace octet::kernels
