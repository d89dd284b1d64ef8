import sys, collections
def load(p):
    d={}; cur=None; buf=[]
    for line in open(p, encoding='utf-8', errors='surrogateescape'):
        if line.startswith('=== '):
            if cur is not None: d[cur]=''.join(buf)
            cur=line[4:].rstrip('\n'); buf=[]
        else: buf.append(line)
    if cur is not None: d[cur]=''.join(buf)
    return d
go=load(sys.argv[1]); rs=load(sys.argv[2])
same=0; diff=[]; errs_go=0; missing=0
for k,v in go.items():
    if k not in rs: missing+=1; continue
    if 'ERR' in v: errs_go+=1
    if rs[k]==v: same+=1
    else: diff.append(k)
print(f"files={len(go)} compared={len(go)-missing} agree={same} disagree={len(diff)} go_errors={errs_go} skipped(non-utf8)={missing}")
for k in diff[:int(sys.argv[3]) if len(sys.argv)>3 else 10]:
    print("---", k)
    g=go[k].splitlines(); r=rs[k].splitlines()
    import difflib
    for l in list(difflib.unified_diff(g,r,'go','rust',lineterm='',n=1))[:12]: print(l)
