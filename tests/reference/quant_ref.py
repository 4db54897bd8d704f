import numpy as np
def fmt(a, suf=''): return ', '.join(str(int(v)) if suf=='' else ('%.9g'%v)+suf for v in np.asarray(a).reshape(-1))
f32=np.float32
# QuantizeLinear int8 per-axis (axis=1 of [2,3,4]); exact divisions so ties are real ties.
x=np.array([0.5,1.5,2.5,-0.5,-1.5,-2.5,3.5,1000, -1000,0.49,0.51,-0.51,
            1,3,5,7,-1,-3,-5,-7,255,257,-256,-260,
            0.25,0.75,1.25,-0.25,-0.75,-1.25,63.75,64.25,-64.25,-64.5,0.125,-0.125],dtype=f32).reshape(2,3,6)
scale=np.array([1,2,0.5],dtype=f32); zp=np.array([0,-3,5],dtype=np.int8)
q=np.clip(np.round(x/scale.reshape(1,3,1)) + zp.reshape(1,3,1).astype(np.float32), -128, 127)
print('X', fmt(x,'f')); print('Q', fmt(q))
# Dequantize int8 per-axis of the same
d=(q.astype(np.int64)-zp.reshape(1,3,1)).astype(f32)*scale.reshape(1,3,1)
print('DQ', fmt(d,'f'))
# MatMulInteger: A [2,1,3,5] int8 with per-row zp [3], B [4,5,2] uint8 with per-col zp [2] -> [2,4,3,2]
rng=np.random.RandomState(7)
A=rng.randint(-128,128,size=(2,1,3,5)).astype(np.int8); azp=np.array([-128,5,127],dtype=np.int8)
Bm=rng.randint(0,256,size=(4,5,2)).astype(np.uint8); bzp=np.array([255,0],dtype=np.uint8)
Y=np.matmul(A.astype(np.int64)-azp.reshape(3,1), Bm.astype(np.int64)-bzp.reshape(1,2))
print('MI_A', fmt(A)); print('MI_B', fmt(Bm)); print('MI_Y', fmt(Y), Y.shape)
# QLinearMatMul: a uint8 [3,4] per-row scale/zp, b int8 [4,2] per-col, y int8 per-tensor
a=rng.randint(0,256,size=(3,4)).astype(np.uint8); a_s=np.array([0.02,0.05,0.011],dtype=f32); a_z=np.array([128,0,255],dtype=np.uint8)
b=rng.randint(-128,128,size=(4,2)).astype(np.int8); b_s=np.array([0.003,0.017],dtype=f32); b_z=np.array([0,-7],dtype=np.int8)
y_s=f32(0.04); y_z=-10
acc=(a.astype(np.int64)-a_z.reshape(3,1).astype(np.int64)) @ (b.astype(np.int64)-b_z.reshape(1,2))
mult=(a_s.reshape(3,1)*b_s.reshape(1,2)).astype(f32)/y_s
yq=np.clip(np.rint(acc.astype(f32)*mult.astype(f32)) + y_z, -128, 127)
print('QM_a', fmt(a)); print('QM_b', fmt(b)); print('QM_acc', fmt(acc)); print('QM_y', fmt(yq))
# extreme: 255 against -128, K=1024 -> exact accumulator
K=1024
acc=np.full((1,1), 255*-128*K, dtype=np.int64); print('EXTREME', acc)
