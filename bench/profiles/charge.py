#!/usr/bin/env python3
"""charge.py PERF_SCRIPT — who tend's CPU is spent for, from `perf script -F ip,sym,dso` of a
`perf record --call-graph dwarf` (bench/profiles/README.md says how the files here were made).

Each sample is charged to the first library above libc and the kernel on its stack, so the
send() and malloc() curl makes count as curl's, and to the nearest tend function; then libcurl's
share is split into its own code, its system calls and its allocations."""
import sys, re, collections
samples=[]; cur=[]
for line in open(sys.argv[1]):
    line=line.rstrip('\n')
    if not line.strip():
        if cur: samples.append(cur); cur=[]
        continue
    m=re.match(r'\s*([0-9a-f]+)\s+(.*?)\s+\((.*)\)$', line)
    if m: cur.append((m.group(2), m.group(3).split('/')[-1]))
if cur: samples.append(cur)
N=len(samples)
own=collections.Counter(); tendfn=collections.Counter()
for s in samples:
    o='libc/kernel'
    for sym,d in s:
        if d.startswith('libc.so') or d.startswith('[kernel') or d.startswith('[vdso') or d=='inlined' and not any(x in sym for x in ('pass','chain','route','limit','answer','on_')):
            continue
        o=d if d!='inlined' else 'tend'; break
    own[o]+=1
    # nearest tend frame (non-inlined) as the owner function
    t=[sym for sym,d in s if d=='tend']
    tendfn[(o, t[0] if t else '-')]+=1
print(f"samples {N}; by the first library above libc/kernel:")
for k,c in own.most_common(): print(f"  {100*c/N:5.2f}%  {k}")
print("by (library, nearest tend function):")
for k,c in tendfn.most_common(40): print(f"  {100*c/N:5.2f}%  {k}")

c=collections.Counter(); named=collections.Counter(); leaf=collections.Counter()
for s in samples:
    i=next((k for k,(sym,d) in enumerate(s) if not (d.startswith('libc.so') or d.startswith('[kernel') or d.startswith('[vdso') or d=='inlined')), None)
    if i is None or not s[i][1].startswith('libcurl'): continue
    below=s[:i]
    kind='kernel' if any(d.startswith('[kernel') for _,d in below) else ('libc-alloc' if any(re.search('malloc|free|realloc|calloc',x) for x,_ in below) else ('libc-other' if below else 'curl-self'))
    if kind=='kernel':
        sc=[x for x,d in below if x.startswith('__x64_sys') or x.startswith('__libc')]
        kind+=':'+(sc[-1] if sc else '?')
    c[kind]+=1
    nm=[x for x,d in s if d.startswith('libcurl') and not x.startswith('[unknown')]
    named[nm[0] if nm else '?']+=1
    if below: leaf[below[-1][0]]+=1
print("libcurl-owned samples by what runs:")
for k,v in c.most_common(20): print(f"  {100*v/N:5.2f}%  {k}")
print("nearest named curl function:")
for k,v in named.most_common(15): print(f"  {100*v/N:5.2f}%  {k}")
print("libc entry:")
for k,v in leaf.most_common(15): print(f"  {100*v/N:5.2f}%  {k}")
