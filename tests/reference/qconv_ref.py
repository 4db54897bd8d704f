import numpy as np
f32=np.float32
def fmt(a): return ', '.join(str(int(v)) for v in np.asarray(a).reshape(-1))
def conv_int(x, xzp, w, wzp, stride, pads, dil, group, bias=None):
    # direct loops, int64; pads = [hb, wb, he, we]; padding is real 0
    N,C,H,W = x.shape; M,Cg,KH,KW = w.shape
    xs = x.astype(np.int64) - xzp
    xp = np.zeros((N,C,H+pads[0]+pads[2], W+pads[1]+pads[3]), dtype=np.int64)
    xp[:,:,pads[0]:pads[0]+H, pads[1]:pads[1]+W] = xs
    ws = w.astype(np.int64) - np.asarray(wzp, dtype=np.int64).reshape(-1,1,1,1)
    OH = (xp.shape[2] - (dil[0]*(KH-1)+1))//stride[0] + 1
    OW = (xp.shape[3] - (dil[1]*(KW-1)+1))//stride[1] + 1
    y = np.zeros((N,M,OH,OW), dtype=np.int64)
    Mg = M//group
    for n in range(N):
      for m in range(M):
        g = m//Mg
        for oh in range(OH):
          for ow in range(OW):
            s = 0
            for c in range(Cg):
              for kh in range(KH):
                for kw in range(KW):
                  s += xp[n, g*Cg+c, oh*stride[0]+kh*dil[0], ow*stride[1]+kw*dil[1]] * ws[m,c,kh,kw]
            y[n,m,oh,ow] = s + (0 if bias is None else bias[m])
    return y
def requant(acc, xs, ws, ys, yzp, lo, hi):
    mult = (f32(xs) * ws.astype(f32)).astype(f32) / f32(ys)
    v = acc.astype(f32) * mult.reshape(1,-1,1,1).astype(f32)
    return np.clip(np.rint(v) + yzp, lo, hi)
# A: extreme values, 255 against -128, 64 channels, 3x3, pads 1
x = np.full((1,64,4,4), 255, np.uint8); w = np.full((2,64,3,3), -128, np.int8)
acc = conv_int(x, 0, w, [0,0], (1,1), (1,1,1,1), (1,1), 1)
print('A_acc', fmt(acc))
ws = np.array([0.0001, 0.00002], f32)
print('A_y_u8', fmt(requant(acc, 0.05, ws, 0.5, 150, 0, 255)))  # channel 0 saturates at 0
# B: grouped, per-channel, stride 2, asymmetric pads, dilation, bias, int8 out
rng = np.random.RandomState(3)
x = rng.randint(0,256,size=(2,4,5,6)).astype(np.uint8)
w = rng.randint(-128,128,size=(6,2,2,3)).astype(np.int8)
wzp = np.array([0,-3,5,127,-128,1], np.int8)
ws = np.array([0.01,0.02,0.005,0.03,0.008,0.015], f32)
bias = rng.randint(-5000,5000,size=6).astype(np.int32)
acc = conv_int(x, 131, w, wzp, (2,1), (1,0,2,1), (1,2), 2, bias)
print('B_x', fmt(x)); print('B_w', fmt(w)); print('B_bias', fmt(bias))
print('B_shape', acc.shape)
print('B_y', fmt(requant(acc, 0.03, ws, 0.7, -5, -128, 127)))
# C: ConvInteger with per-channel w zero points (no bias), int32
print('C_acc', fmt(conv_int(x, 131, w, wzp, (2,1), (1,0,2,1), (1,2), 2)))
