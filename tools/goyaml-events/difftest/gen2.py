import random, os, sys
seed=int(sys.argv[1]); n=int(sys.argv[2]); outdir=sys.argv[3]
random.seed(seed)
os.makedirs(outdir, exist_ok=True)
words=["a","bb","key","x: y","- z","'q'",'"d"',"[1, 2]","{k: v}","&an","*an","!t","!!str","|","|-",">","#c"," #c","?",":","-","---","...","\t","é","\u00a0","\ufeff","\x85","\u2028","\r","%YAML 1.1","%TAG !x! y:","<<:","~","null","@","`","\\","\"\\x41\"","'it''s'","\"a\\\n b\""]
bad=["\x01","\x7f","\x08","\x1b","\x9f","\ufffe","\x00"]
def soup():
    lines=[]
    for _ in range(random.randint(1,12)):
        ind=" "*random.choice([0,0,1,2,2,4,3])
        toks=[random.choice(words) for _ in range(random.randint(0,5))]
        sep=random.choice([" ",""," ",": ","\t"])
        lines.append(ind+sep.join(toks))
    return "\n".join(lines)+random.choice(["\n","","\r\n"])
def longdoc():
    parts=[]
    size=random.randint(300,3000)
    s=""
    while len(s)<size:
        s+=random.choice(["key%d: value %d\n"%(len(s),len(s)), "- item\n", "  nested: [a, b, {c: d}]\n", "# comment line\n", "long: "+"x"*random.randint(10,200)+"\n", "q: \"quoted "+"y"*random.randint(0,50)+"\"\n", "b: |\n  block\n  text\n"])
    if random.random()<0.6:
        p=random.randint(0,len(s)); s=s[:p]+random.choice(bad)+s[p:]
    if random.random()<0.6:
        p=random.randint(0,len(s)); s=s[:p]+random.choice([": x: y","\t- ","]","}","'","\"","\n  - a","\n\tb: c","&","*","!<"," # ","\ufeff"])+s[p:]
    if random.random()<0.3:
        p=random.randint(0,len(s)); s=s[:p]+"\ufeff"+s[p:]
    return s
for i in range(n):
    s = soup() if random.random()<0.5 else longdoc()
    with open(os.path.join(outdir,f'{i:05d}.yaml'),'w',encoding='utf-8') as f: f.write(s)
