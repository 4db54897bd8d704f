#pragma once
// NCHW <-> NHWC copies for the prepared 8-bit ops whose kernels run
// channels-last (convolution, pools) while the graph stays NCHW. Any
// spatial rank: the spatial dims are one axis of `pixels`. int8 data is
// carried as uint8 with the sign bit flipped (x ^ 0x80 = x + 128, which
// keeps order and differences), the form the u8 kernels take.
#include <algorithm>
#include <cstdint>
#include <type_traits>

namespace octet::engine {

// dst[c, r] = f(src[r, c]) for a [rows, cols] matrix, in square tiles so
// that both the strided and the contiguous side stay within cached lines
// (a plain loop is 3-4x slower on the strided side).
template <class S, class D, class F> void transpose_tiled(const S* src, int64_t rows, int64_t cols, D* dst, F f) {
  constexpr int64_t kTile = 32;
  for (int64_t r0 = 0; r0 < rows; r0 += kTile)
    for (int64_t c0 = 0; c0 < cols; c0 += kTile) {
      const int64_t r1 = std::min(rows, r0 + kTile), c1 = std::min(cols, c0 + kTile);
      for (int64_t c = c0; c < c1; ++c)
        for (int64_t r = r0; r < r1; ++r) dst[c * rows + r] = f(src[r * cols + c]);
    }
}

// An 8-bit value as the u8 kernels see it, and back.
template <class T> inline uint8_t to_u8(T v) {
  return std::is_signed<T>::value ? static_cast<uint8_t>(static_cast<uint8_t>(v) ^ 0x80) : static_cast<uint8_t>(v);
}
template <class T> inline T from_u8(uint8_t v) {
  return std::is_signed<T>::value ? static_cast<T>(static_cast<uint8_t>(v ^ 0x80)) : static_cast<T>(v);
}

// [batch, channels, pixels] -> [batch, pixels, channels] as uint8 (to_u8).
template <class T>
void nchw_to_nhwc_u8(const T* x, int64_t batch, int64_t channels, int64_t pixels, uint8_t* out) {
  const int64_t image = channels * pixels;
  for (int64_t n = 0; n < batch; ++n) transpose_tiled(x + n * image, channels, pixels, out + n * image, to_u8<T>);
}

// [batch, pixels, channels] uint8 -> [batch, channels, pixels] of T (from_u8).
template <class T>
void nhwc_u8_to_nchw(const uint8_t* y, int64_t batch, int64_t channels, int64_t pixels, T* out) {
  const int64_t image = channels * pixels;
  for (int64_t n = 0; n < batch; ++n) transpose_tiled(y + n * image, pixels, channels, out + n * image, from_u8<T>);
}

// [batch, pixels, channels] -> [batch, channels, pixels], elements of T.
template <class T> void nhwc_to_nchw(const T* y, int64_t batch, int64_t channels, int64_t pixels, T* out) {
  const int64_t image = channels * pixels;
  for (int64_t n = 0; n < batch; ++n)
    transpose_tiled(y + n * image, pixels, channels, out + n * image, [](T v) { return v; });
}

}  // namespace octet::engine
