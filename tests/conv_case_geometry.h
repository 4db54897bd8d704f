#pragma once
// The output-size arithmetic the 2-D convolution kernel tests share: each
// test's Case has fields h, w, kh, kw, sh, sw, dh, dw and pads pt, pl, pb, pr.
#include <cstdint>

namespace octet::testing {

// Output length of one dimension, 0 when the dilated kernel does not fit.
inline int64_t conv_out_size(int64_t in, int64_t k, int64_t s, int64_t d, int64_t pb, int64_t pe) {
  const int64_t span = d * (k - 1) + 1, padded = in + pb + pe;
  return span > padded ? 0 : (padded - span) / s + 1;
}

template <class Case> int64_t out_h(const Case& k) { return conv_out_size(k.h, k.kh, k.sh, k.dh, k.pt, k.pb); }
template <class Case> int64_t out_w(const Case& k) { return conv_out_size(k.w, k.kw, k.sw, k.dw, k.pl, k.pr); }
template <class Case> bool valid(const Case& k) { return out_h(k) > 0 && out_w(k) > 0; }

}  // namespace octet::testing
