import random, os, sys
seed=int(sys.argv[1]); n=int(sys.argv[2]); outdir=sys.argv[3]
random.seed(seed)
os.makedirs(outdir, exist_ok=True)
def comment():
    return random.choice(["#c","# c","#","#\tx"," #"])
def line(ind):
    k=random.choice(["a","b","key","? q","- x","-","? ","- # c","a: # c","a:","b: [1, # c\n2]","c: {x: 1} #c","- - y","d: |\n"+" "*(ind+2)+"t\n","e: >-\n"+" "*(ind+2)+"f #no\n","&x k: *x", "!!str s: v", "f: 'q'#c", "g: \"q\"  #c", "h:\n"+" "*(ind+1)+"- 1", ": v", "i: ? j"])
    return " "*ind+k
for i in range(n):
    lines=[]
    for _ in range(random.randint(1,14)):
        r=random.random()
        ind=random.choice([0,0,1,2,2,3,4,6])
        if r<0.35:
            lines.append(random.choice(["","\t",""," "*ind])+comment())
        elif r<0.45:
            lines.append("")
        elif r<0.5:
            lines.append(random.choice(["---","...","--- #c","... # c","%YAML 1.1","--- |\n x"]))
        else:
            l=line(ind)
            if random.random()<0.3: l+=random.choice([" ","\t",""])+comment()
            lines.append(l)
    s="\n".join(lines)+random.choice(["\n","","\n\n","\n# end\n"])
    if random.random()<0.1: s=s.replace("\n","\r\n")
    with open(os.path.join(outdir,f'{i:05d}.yaml'),'w',encoding='utf-8') as f: f.write(s)
