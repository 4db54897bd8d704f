import torch, numpy as np
torch.set_printoptions(precision=8)
S,B,I,H=4,3,3,2
def gen(n, k):  # same formula in the C++ test
    return np.array([np.sin(0.37*i + k)*0.6 for i in range(n)], dtype=np.float32)
D=2
W=gen(D*4*H*I,1.0).reshape(D,4*H,I)
R=gen(D*4*H*H,2.0).reshape(D,4*H,H)
Bb=gen(D*8*H,3.0).reshape(D,8*H)
X=gen(B*S*I,4.0).reshape(B,S,I)  # layout 1
h0=gen(B*D*H,5.0).reshape(B,D,H)
c0=gen(B*D*H,6.0).reshape(B,D,H)
lens=[4,2,3]
def reorder(m):  # onnx i,o,f,c -> torch i,f,g,o
    i,o,f,c=np.split(m,4,axis=0)
    return np.concatenate([i,f,c,o],axis=0)
lstm=torch.nn.LSTM(I,H,batch_first=True,bidirectional=True)
with torch.no_grad():
    for d,sfx in enumerate(['','_reverse']):
        getattr(lstm,'weight_ih_l0'+sfx).copy_(torch.tensor(reorder(W[d])))
        getattr(lstm,'weight_hh_l0'+sfx).copy_(torch.tensor(reorder(R[d])))
        getattr(lstm,'bias_ih_l0'+sfx).copy_(torch.tensor(reorder(Bb[d][:4*H])))
        getattr(lstm,'bias_hh_l0'+sfx).copy_(torch.tensor(reorder(Bb[d][4*H:])))
    hh=torch.tensor(h0).permute(1,0,2).contiguous(); cc=torch.tensor(c0).permute(1,0,2).contiguous()
    for name,L in [('full',[S]*B),('lens',lens)]:
        packed=torch.nn.utils.rnn.pack_padded_sequence(torch.tensor(X),L,batch_first=True,enforce_sorted=False)
        y,(hn,cn)=lstm(packed,(hh,cc))
        y,_=torch.nn.utils.rnn.pad_packed_sequence(y,batch_first=True,total_length=S)
        # torch y: [B,S,D*H] -> onnx layout1 [B,S,D,H]; hn [D,B,H] -> [B,D,H]
        def fmt(a): return ', '.join('%.7ff'%v for v in np.asarray(a).reshape(-1))
        print(name,'Y');print(fmt(y.numpy().reshape(B,S,D,H)))
        print(name,'Y_h');print(fmt(hn.permute(1,0,2).numpy()))
        print(name,'Y_c');print(fmt(cn.permute(1,0,2).numpy()))
