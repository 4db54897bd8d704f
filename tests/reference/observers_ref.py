"""Numbers for tests/observers_test.cpp: the histogram-based observers
(entropy, MSE) recomputed independently in numpy on the same data.

The data is a deterministic sequence both sides generate identically: a
64-bit LCG (Knuth's MMIX constants) feeding Box-Muller in double precision,
rounded to float32, then fixed outliers. Only the histogram's definition is
shared with quant/histogram.cpp (2048 bins, width (hi - lo) / 2047 over the
range widened to include 0, edges at integer multiples of the width); the
KL search, the MSE estimate (midpoint sampling inside each bin instead of the
C++ exact integral) and the percentiles (np.percentile on the raw values)
are written from their definitions.
"""
import math
import numpy as np

M64 = (1 << 64) - 1


def lcg_gaussians(n, seed):
    s = seed
    out = np.empty(n, dtype=np.float32)
    def u():
        nonlocal s
        s = (s * 6364136223846793005 + 1442695040888963407) & M64
        return ((s >> 11) + 0.5) / float(1 << 53)
    for i in range(n):
        u1 = u(); u2 = u()
        out[i] = math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)
    return out


def data():
    # Two outliers in 400002 values: rare enough that clipping them beats
    # stretching the grid over them, for MSE as for entropy.
    g = lcg_gaussians(400000, 2026)
    return np.concatenate([g, np.array([30.0, -25.0], dtype=np.float32)])


def histogram(x, bins=2048):
    lo, hi = min(0.0, float(x.min())), max(0.0, float(x.max()))
    w = (hi - lo) / (bins - 1)
    a = min(int(math.ceil(-lo / w)), bins - 1)
    idx = np.clip(np.floor(x.astype(np.float64) / w) + a, 0, bins - 1).astype(np.int64)
    return np.bincount(idx, minlength=bins).astype(np.float64), w, a


def magnitudes(h, a):
    pos = h[a:]; neg = h[:a][::-1]
    m = np.zeros(max(len(pos), len(neg)))
    m[:len(pos)] += pos; m[:len(neg)] += neg
    return m


def entropy_threshold(mag, w, levels):
    best, best_kl = len(mag), np.inf
    for stop in range(levels, len(mag) + 1):
        p = mag[:stop].copy()
        p[-1] += mag[stop:].sum()
        q = np.zeros(stop)
        per = stop // levels
        for g in range(levels):
            b = g * per; e = stop if g == levels - 1 else b + per
            nz = p[b:e] > 0
            if nz.any():
                q[b:e][nz] = mag[b:e].sum() / nz.sum()
        m = p > 0
        if np.any(q[m] == 0):
            continue
        pn = p[m] / p.sum(); qn = q[m] / q.sum()
        kl = float(np.sum(pn * np.log(pn / qn)))
        if kl < best_kl:
            best_kl, best = kl, stop
    return best * w


def qparams(lo, hi, qmin, qmax, symmetric):
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    if symmetric:
        zp = (qmin + qmax + 1) // 2
        half = min(qmax - zp, zp - qmin)
        amax = max(-lo, hi)
        return (np.float32(amax / half) if amax > 0 else np.float32(1)), zp
    scale = np.float32((hi - lo) / (qmax - qmin))
    zp = int(np.clip(np.rint(np.float32(-lo) / scale) + qmin, qmin, qmax))
    return scale, zp


def fake_quant(x, scale, zp, qmin, qmax):
    q = np.clip(np.rint(x.astype(np.float32) / scale) + zp, qmin, qmax)
    return (scale * (q - zp).astype(np.float32)).astype(np.float64)


def mse_threshold(h, w, a, xmin, xmax, qmin, qmax, symmetric, samples=64):
    edges = (np.arange(len(h)) - a) * w
    used = h > 0
    u = np.maximum(edges[used], xmin); v = np.minimum(edges[used] + w, xmax)
    t = (np.arange(samples) + 0.5) / samples
    pts = u[:, None] + (v - u)[:, None] * t[None, :]
    cnt = h[used]
    mag_bins = max(len(h) - a, a)
    best, best_err = None, np.inf
    for stop in list(range(mag_bins, 0, -1)):
        th = stop * w
        # Ranges are float32 in the C++ (struct Range): a symmetric range puts
        # the zero point at a x.5 tie, so the rounding of lo and hi decides it.
        lo, hi = float(np.float32(max(xmin, -th))), float(np.float32(min(xmax, th)))
        s, z = qparams(lo, hi, qmin, qmax, symmetric)
        err = ((pts - fake_quant(pts, s, z, qmin, qmax)) ** 2).mean(axis=1)
        e = float((cnt * err).sum() / cnt.sum())
        if e < best_err:
            best_err, best = e, (lo, hi)
    return best


x = data()
h, w, a = histogram(x)
mag = magnitudes(h, a)
print('bin_width %.9g zero_bin %d' % (w, a))
for levels in (128, 256):
    print('entropy levels %d threshold %.6f' % (levels, entropy_threshold(mag, w, levels)))
xmin, xmax = float(x.min()), float(x.max())
for name, qmin, qmax, sym in (('u8 asym', 0, 255, False), ('s8 sym', -128, 127, True)):
    lo, hi = mse_threshold(h, w, a, xmin, xmax, qmin, qmax, sym)
    print('mse %s range [%.6f, %.6f]' % (name, lo, hi))
for p in (99.9, 99.99):
    print('percentile %.2f range [%.6f, %.6f]' % (p, np.percentile(x, 100 - p), np.percentile(x, p)))
print('first values', x[:3], 'sum', float(x.astype(np.float64).sum()))
