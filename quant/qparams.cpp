#include "quant/qparams.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "graph/error.h"
#include "kernels/ref/requantize.h"

namespace octet::quant {

QBounds quant_bounds(const QuantScheme& scheme) {
  const bool reduce = scheme.reduce_range;
  switch (scheme.dtype) {
    case graph::DType::UInt8: return reduce ? QBounds{0, 127} : QBounds{0, 255};
    case graph::DType::Int8: return reduce ? QBounds{-64, 63} : QBounds{-128, 127};
    default:
      throw UnsupportedError(std::string("quantization to ") + graph::dtype_name(scheme.dtype) +
                             ": only uint8 and int8 are supported");
  }
}

namespace {

void check_range(Range r) {
  if (!std::isfinite(r.min) || !std::isfinite(r.max) || r.min > r.max)
    throw Error("choose_qparams: range [" + std::to_string(r.min) + ", " + std::to_string(r.max) +
                "] is not a finite interval with min <= max");
}

// The scale is computed in double so that a range as wide as float allows
// does not overflow in max - min; a scale that would round to zero or a
// denormal becomes the smallest normal float, so 1 / scale stays finite.
float positive_scale(double span, int32_t levels) {
  const double s = span / levels;
  return static_cast<float>(std::max(s, static_cast<double>(std::numeric_limits<float>::min())));
}

}  // namespace

QParams choose_qparams(Range range, const QuantScheme& scheme) {
  check_range(range);
  const QBounds b = quant_bounds(scheme);
  const float lo = std::min(range.min, 0.0f);
  const float hi = std::max(range.max, 0.0f);
  QParams qp;
  if (scheme.symmetric) {
    // Zero point at the middle, rounded up for an even count of levels
    // (128 for uint8, 0 for int8); the scale uses the shorter half so both
    // -amax and +amax are representable: amax / 127 for int8 and uint8, as
    // ONNX Runtime and TensorRT do (the code -128 is left unused).
    qp.zero_point = (b.qmin + b.qmax + 1) >> 1;
    const int32_t half = std::min(b.qmax - qp.zero_point, qp.zero_point - b.qmin);
    const double amax = std::max(-static_cast<double>(lo), static_cast<double>(hi));
    // Only zeros were seen: any scale represents them exactly, and 1 keeps
    // every later division (x / scale, requantize multipliers) well defined.
    qp.scale = amax == 0.0 ? 1.0f : positive_scale(amax, half);
    return qp;
  }
  if (hi == lo) {  // both 0, for the reason above
    qp.zero_point = b.qmin;
    return qp;
  }
  qp.scale = positive_scale(static_cast<double>(hi) - lo, b.qmax - b.qmin);
  // The zero point is the code of real 0 on a grid whose qmin is `lo`:
  // exactly what quantizing (0 - lo) with zero point qmin computes.
  const int32_t zp = kernels::quantize_value<int16_t>(0.0f - lo, qp.scale, b.qmin);
  qp.zero_point = std::min(std::max(zp, b.qmin), b.qmax);
  return qp;
}

int32_t quantize(float x, const QParams& qp, const QuantScheme& scheme) {
  const QBounds b = quant_bounds(scheme);
  // int16 holds every code of both schemes, so its saturation never binds
  // before the scheme's own bounds do.
  const int32_t q = kernels::quantize_value<int16_t>(x, qp.scale, qp.zero_point);
  return std::min(std::max(q, b.qmin), b.qmax);
}

float fake_quantize(float x, const QParams& qp, const QuantScheme& scheme) {
  return qp.scale * static_cast<float>(quantize(x, qp, scheme) - qp.zero_point);
}

}  // namespace octet::quant
