# Hand reference for one-unit LSTM from the ONNX equations (float64), for clip,
# input_forget and peepholes, which torch.nn.LSTM lacks.
import math
def sig(v): return 1/(1+math.exp(-v))
def run(xs, w, r, wb, rb, p, h, c, clip=None, input_forget=False):
    cl = (lambda v: max(-clip, min(clip, v))) if clip else (lambda v: v)
    ys=[]
    for x in xs:
        pre=[w[k]*x + r[k]*h + wb[k] + rb[k] for k in range(4)]  # i o f c
        i=sig(cl(pre[0] + p[0]*c))
        f=1-i if input_forget else sig(cl(pre[2] + p[2]*c))
        g=math.tanh(cl(pre[3]))
        c=f*c+i*g
        o=sig(cl(pre[1] + p[1]*c))
        h=o*math.tanh(cl(c))
        ys.append(h)
    return ys,h,c
args=dict(xs=[0.9,-1.7,2.5], w=[1.5,-0.8,0.6,2.0], r=[0.4,0.9,-1.2,0.7], wb=[0.1,-0.2,0.3,0.05], rb=[-0.3,0.2,0.1,0.4], p=[0.5,-0.7,0.8], h=0.25, c=-0.6)
for kw in [dict(), dict(clip=0.8), dict(input_forget=True)]:
    ys,h,c=run(**args, **kw); print(kw, ['%.7f'%v for v in ys], '%.7f'%h, '%.7f'%c)
