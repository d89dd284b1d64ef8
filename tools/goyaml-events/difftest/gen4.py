import random, os, sys
seed=int(sys.argv[1]); n=int(sys.argv[2]); outdir=sys.argv[3]
random.seed(seed)
os.makedirs(outdir, exist_ok=True)
exec(open('' + __import__('os').path.join(__import__('os').path.dirname(__file__), 'cmp.py') + '').read().split('go=load')[0])
go=load('' + __import__('os').environ.get('SEEDS_GO', 'real.go.v3') + '')
seeds=[]
for p,v in go.items():
    if 'ERR' in v: continue
    try: s=open(p,encoding='utf-8').read()
    except: continue
    if 0<len(s)<4000: seeds.append(s)
for i in range(n):
    lines=random.choice(seeds).split('\n')
    for _ in range(random.randint(1,6)):
        j=random.randrange(len(lines)+1)
        r=random.random()
        if r<0.5:
            ind=random.choice([0,1,2,3,4,6,8])
            lines.insert(j, " "*ind+random.choice(["# c","#","#x"]) )
        elif r<0.6:
            lines.insert(j,"")
        elif r<0.8 and j<len(lines):
            # drop the value of a key
            l=lines[j]
            if ': ' in l: lines[j]=l[:l.index(': ')+1]
        elif j<len(lines):
            lines[j]=lines[j]+random.choice([" # c","  #c","\t# t"])
    s="\n".join(lines)
    with open(os.path.join(outdir,f'{i:05d}.yaml'),'w',encoding='utf-8') as f: f.write(s)
