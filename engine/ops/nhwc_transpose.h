#pragma once
// NCHW <-> NHWC copies for the prepared 8-bit ops whose kernels run
// channels-last (convolution, pools) while the graph stays NCHW. Any
// spatial rank: the spatial dims are one axis of `pixels`. int8 data is
// carried as uint8 with the sign bit flipped (x ^ 0x80 = x + 128, which
// keeps order and differences), the form the u8 kernels take.
#include <algorithm>
#include <cstdint>
#include <cstring>
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

// [3, pixels] -> [pixels, 3] bytes: an RGB image made channels-last, the
// INT8 models' first transpose. Four pixels at a time as three 32-bit
// words: 3x faster than transpose_tiled's byte stores, whose rows-3 tiles
// leave it one store per byte.
inline void interleave3_u8(const uint8_t* src, int64_t pixels, uint8_t* dst) {
  const uint8_t *a = src, *b = src + pixels, *c = src + 2 * pixels;
  int64_t p = 0;
  for (; p + 4 <= pixels; p += 4, dst += 12) {
    uint32_t x, y, z;
    std::memcpy(&x, a + p, 4);
    std::memcpy(&y, b + p, 4);
    std::memcpy(&z, c + p, 4);
    static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "byte i of x must be pixel p + i");
    const uint32_t w0 = (x & 0xFF) | (y & 0xFF) << 8 | (z & 0xFF) << 16 | (x >> 8 & 0xFF) << 24;
    const uint32_t w1 = (y >> 8 & 0xFF) | (z >> 8 & 0xFF) << 8 | (x >> 16 & 0xFF) << 16 | (y >> 16 & 0xFF) << 24;
    const uint32_t w2 = (z >> 16 & 0xFF) | (x >> 24) << 8 | (y >> 24) << 16 | (z >> 24) << 24;
    std::memcpy(dst, &w0, 4);
    std::memcpy(dst + 4, &w1, 4);
    std::memcpy(dst + 8, &w2, 4);
  }
  for (; p < pixels; ++p, dst += 3) {
    dst[0] = a[p];
    dst[1] = b[p];
    dst[2] = c[p];
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
