#!/usr/bin/env python3
"""Rebuilds workdays.tsv from two packages that carry the State Council's holiday arrangements,
and refuses a year on which they differ.

    mkdir -p /tmp/cal && cd /tmp/cal
    pip download --no-deps chinesecalendar==1.11.0 && unzip -q chinesecalendar-*.whl -d cc
    npm pack chinese-days@1.5.7 && tar xzf chinese-days-1.5.7.tgz
    python3 cross_check.py > rows.tsv   # then put the header of workdays.tsv above the rows
"""
import json, sys, datetime, collections
sys.path.insert(0, 'cc')
from chinese_calendar import constants as C
cd = json.load(open('package/dist/chinese-days.json'))
def zh_of(h):
    return C.Holiday(h).chinese
rows = {}
# chinesecalendar
cc_off = {d: zh_of(h) for d, h in C.holidays.items()}
cc_work = {d: zh_of(h) for d, h in C.workdays.items()}
cd_off = {datetime.date.fromisoformat(k): v.split(',')[1] for k, v in cd['holidays'].items()}
cd_work = {datetime.date.fromisoformat(k): v.split(',')[1] for k, v in cd['workdays'].items()}
years = sorted({d.year for d in cc_off} & {d.year for d in cd_off})
print('years both', years[0], years[-1], file=sys.stderr)
out = []
for y in years:
    a_off = {d for d in cc_off if d.year == y and d.weekday() < 5}
    b_off = {d for d in cd_off if d.year == y and d.weekday() < 5}
    a_work = {d for d in cc_work if d.year == y and d.weekday() >= 5}
    b_work = {d for d in cd_work if d.year == y and d.weekday() >= 5}
    if a_off != b_off or a_work != b_work:
        print(y, 'DIFFER', sorted(a_off ^ b_off), sorted(a_work ^ b_work), file=sys.stderr)
        continue
    for d in sorted(a_off):
        out.append((d, 'holiday', cc_off[d]))
    for d in sorted(a_work):
        out.append((d, 'workday', cc_work[d]))
out.sort()
for d, k, n in out:
    print(f"{d.isoformat()}\t{k}\t{n}\t国务院办公厅关于{d.year}年部分节假日安排的通知")
