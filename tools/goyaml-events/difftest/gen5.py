import random, os, sys
seed=int(sys.argv[1]); n=int(sys.argv[2]); outdir=sys.argv[3]
random.seed(seed)
os.makedirs(outdir, exist_ok=True)
chars=["é","€","😀","a","b"," ","x"]
def line():
    k=''.join(random.choice(chars) for _ in range(random.randint(1,8))).strip() or "k"
    v=''.join(random.choice(chars) for _ in range(random.randint(0,60)))
    return random.choice(["%s: %s","%s: \"%s\"","%s: |\n  %s","# %s %s","%s:\n  - %s"]) % (k, v)
for i in range(n):
    s=""
    while len(s.encode())<random.randint(600,3000):
        s+=line()+"\n"
    b=bytearray(s.encode())
    # put U+FEFF at or near a 512 multiple
    for _ in range(random.randint(1,3)):
        k=random.randint(1, max(1,len(b)//512))
        off=512*k+random.randint(-6,6)
        off=max(0,min(off,len(b)))
        while off<len(b) and (b[off]&0xC0)==0x80: off+=1
        ins=random.choice(["\ufeff".encode(), "\ufeff".encode(), "\x01".encode(), "\u2028".encode(), "\t".encode(), b"\n"])
        b[off:off]=ins
    s=b.decode('utf-8')
    with open(os.path.join(outdir,f'{i:05d}.yaml'),'w',encoding='utf-8') as f: f.write(s)
