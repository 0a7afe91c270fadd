#!/usr/bin/env python3
"""Summarise JDK Flight Recorder files of the harness's processes (JDK 17's `jfr` tool on the PATH).

For each file: CPU execution samples by thread, by top frame (self) and inclusively (a method with
its callees), the process's CPU share of the machine (jdk.CPULoad, user and system), and the
sampled allocation weight by class and by allocation site (top three frames).

    python3 bench/scripts/jfr-profile.py /tmp/jfr/*.jfr
"""
import collections
import json
import subprocess
import sys


def events(path, name):
    out = subprocess.run(['jfr', 'print', '--json', '--stack-depth', '64', '--events', name, path],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)['recording']['events']


def frame(f):
    m = f['method']
    return m['type']['name'].split('.')[-1] + '.' + m['name']


def frames(e):
    st = e['values'].get('stackTrace')
    return st['frames'] if st else []


def summarise(path, top=15):
    samples = events(path, 'jdk.ExecutionSample')
    n = len(samples) or 1
    threads, self_, incl = collections.Counter(), collections.Counter(), collections.Counter()
    for e in samples:
        t = e['values']['sampledThread']
        threads[t.get('javaName') or t.get('osName') or '?'] += 1
        fs = frames(e)
        if fs:
            self_[frame(fs[0])] += 1
        for m in {frame(f) for f in fs}:
            incl[m] += 1
    load = events(path, 'jdk.CPULoad')
    busy = [e['values']['jvmUser'] + e['values']['jvmSystem'] for e in load]
    user = sum(e['values']['jvmUser'] for e in load)
    system = sum(e['values']['jvmSystem'] for e in load)
    steady = sorted(busy)[len(busy) // 2] if busy else 0
    print(f'== {path}: {len(samples)} execution samples; CPU share of the machine, median second {steady:.2f}, '
          f'system {100 * system / max(user + system, 1e-9):.0f} % of it')
    for title, c, k in (('threads', threads, 6), ('self', self_, top), ('inclusive', incl, top + 15)):
        print(f'-- {title}')
        for name, count in c.most_common(k):
            print(f'{100 * count / n:5.1f} % {name}')
    alloc = events(path, 'jdk.ObjectAllocationSample')
    total = sum(e['values']['weight'] for e in alloc) or 1
    by_class, by_site = collections.Counter(), collections.Counter()
    for e in alloc:
        w = e['values']['weight']
        by_class[e['values']['objectClass']['name']] += w
        by_site[' < '.join(frame(f) for f in frames(e)[:3])] += w
    print(f'-- allocation: {total / 1e6:.0f} MB sampled weight')
    for c, k in ((by_class, 5), (by_site, 10)):
        for name, w in c.most_common(k):
            print(f'{100 * w / total:5.1f} % {name}')


if __name__ == '__main__':
    for p in sys.argv[1:]:
        summarise(p)
