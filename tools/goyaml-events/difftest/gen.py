import random, os, sys
seed=int(sys.argv[1]); n=int(sys.argv[2]); outdir=sys.argv[3]
random.seed(seed)
os.makedirs(outdir, exist_ok=True)
seeds=[]
for p in open('' + __import__('os').environ.get('SEEDS', 'real.list') + '').read().split():
    try:
        s=open(p,encoding='utf-8').read()
    except Exception: continue
    if 0 < len(s) < 3000: seeds.append(s)
snips = [
 "a: 1\nb:\n  - x\n  - y\nc: {d: e, f: [1, 2]}\n",
 "- &a {x: 1}\n- *a\n- !!str 3\n- !foo bar\n- !<tag:x> y\n",
 "key: |\n  line1\n   line2\n\n  line3\nk2: >-\n  folded\n  text\n\n  more\nk3: |+2\n    x\n\n",
 "%YAML 1.1\n%TAG !e! tag:e.com,2000:\n--- !e!x\na: b\n...\n---\nc: d\n",
 "? complex\n: value\n? [a, b]\n: {c: d}\n",
 "s: 'it''s'\nd: \"esc \\t \\n \\x41 \\u263A \\U0001F600 \\\n  cont\"\nm: \"multi\n  line\"\n",
 "[a, b: c, {d: e}, ? f : g]\n",
 "a:\n- b\n- c:\n    d\n-\n",
 "anchors:\n  base: &base\n    x: 1\n  derived:\n    <<: *base\n    y: 2\n",
 "plain: multi\n  line plain\n  scalar # comment\n# foot\nnext: 1\n",
]
toks = [":", ": ", "-", "- ", "'", '"', "\t", " ", "  ", "\n", "[", "]", "{", "}", ",", "#", " #", "&a ", "*a", "!", "!!str ", "!x ", "!<y> ", "---\n", "...\n", "--- ", "%YAML 1.1\n", "%TAG ! !x\n", "|", ">", "|-", ">+2", "|1", "?", "? ", "\r\n", "\r", "\ufeff", "\x85", "\u2028", "\x01", "\x7f", "\u00a0", "é", "\\", "@", "`", "%", "<<: ", "\n  ", "\n\t", "\n#c\n", "\x00", "\ufffe"]
def mutate(s):
    s=list(s) if False else s
    k=random.randint(1,4)
    for _ in range(k):
        r=random.random()
        pos=random.randint(0,len(s)) if s else 0
        if r<0.3:
            s=s[:pos]+random.choice(toks)+s[pos:]
        elif r<0.5 and s:
            l=random.randint(1,3); s=s[:pos]+s[pos+l:]
        elif r<0.6:
            # indentation change on a random line
            lines=s.split('\n'); i=random.randrange(len(lines))
            if random.random()<0.5: lines[i]=' '*random.randint(1,3)+lines[i]
            else: lines[i]=lines[i].lstrip(' ')
            s='\n'.join(lines)
        elif r<0.65:
            s=s.replace('\n','\r\n')
        elif r<0.7:
            s='\ufeff'+s
        elif r<0.75:
            # long line to cross reader chunk boundaries
            s=s[:pos]+'x'*random.randint(400,1100)+s[pos:]
        elif r<0.8 and s:
            # swap a char with a random toks char
            s=s[:pos]+random.choice(toks)+s[pos+1:]
        elif r<0.85:
            s=s[:pos]+ '\n' + random.choice(snips) + s[pos:]
        elif r<0.9:
            s=s.replace(' ', '\t', 1) if random.random()<0.5 else s.replace(': ', ':\t')
        else:
            lines=s.split('\n'); i=random.randrange(len(lines)); lines.insert(i, random.choice(["---","...","# c","\t# t","  # x", "", "- ", "? ", ": "]))
            s='\n'.join(lines)
    return s
for i in range(n):
    base = random.choice(snips) if random.random()<0.4 else random.choice(seeds)
    s=mutate(base)
    with open(os.path.join(outdir,f'{i:05d}.yaml'),'w',encoding='utf-8') as f: f.write(s)
