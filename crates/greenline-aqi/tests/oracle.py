#!/usr/bin/env python3
"""Expected IAQI at every breakpoint of every column, worked independently of the crate.

Reads nothing from data/aqi/: the tables below are typed from HJ 633-2012 Table 1, HJ 633—2026
(PM2.5 and PM10 changed, special rules changed) and the US EPA 2024 PM2.5 table, so a wrong data
file is caught by the tests that compare the crate with breakpoints.csv. Arithmetic is exact
(fractions.Fraction). Run from anywhere:

    python3 crates/greenline-aqi/tests/oracle.py > crates/greenline-aqi/tests/breakpoints.csv

Output columns: standard, column, concentration, expected, where expected is an integer IAQI,
`beyond` (above the scale's top) or `use:<column>` (no IAQI from this column: the pollutant's
other column stands in).

With `--every`, it writes instead a fingerprint of the IAQI at every concentration from 0 to
each column's top, in steps of the reporting precision (1 µg/m³, CO 0.1 mg/m³):

    python3 crates/greenline-aqi/tests/oracle.py --every > crates/greenline-aqi/tests/every_concentration.csv

columns: standard, column, steps (concentrations checked), sum (of their IAQI), weighted (sum
of step number × IAQI, so a value moved from one concentration to another is caught too).
"""

import math
import sys
from fractions import Fraction as F

IAQI = [0, 50, 100, 150, 200, 300, 400, 500]

HJ2012 = {
    "so2_24h": [0, 50, 150, 475, 800, 1600, 2100, 2620],
    "so2_1h": [0, 150, 500, 650, 800],
    "no2_24h": [0, 40, 80, 180, 280, 565, 750, 940],
    "no2_1h": [0, 100, 200, 700, 1200, 2340, 3090, 3840],
    "pm10_24h": [0, 50, 150, 250, 350, 420, 500, 600],
    "pm25_24h": [0, 35, 75, 115, 150, 250, 350, 500],
    "co_24h": [0, 2, 4, 14, 24, 36, 48, 60],
    "co_1h": [0, 5, 10, 35, 60, 90, 120, 150],
    "o3_1h": [0, 160, 200, 300, 400, 800, 1000, 1200],
    "o3_8h": [0, 100, 160, 215, 265, 800],
}
HJ2026 = dict(HJ2012)
HJ2026["pm25_24h"] = [0, 35, 60, 115, 150, 250, 350, 500]
HJ2026["pm10_24h"] = [0, 50, 120, 250, 350, 420, 500, 600]

# Above a column's top.
ABOVE = {
    "2012": {"so2_1h": "use:so2_24h", "o3_8h": "use:o3_1h"},
    "2026": {"so2_1h": "200", "o3_8h": "300"},
}

# CO is reported to 0.1 mg/m³, everything else to 1 µg/m³.
STEP = {column: (F(1, 10) if column.startswith("co_") else F(1)) for column in HJ2012}

EPA = [  # (AQI lo, AQI hi, C lo, C hi), µg/m³
    (0, 50, F("0.0"), F("9.0")),
    (51, 100, F("9.1"), F("35.4")),
    (101, 150, F("35.5"), F("55.4")),
    (151, 200, F("55.5"), F("125.4")),
    (201, 300, F("125.5"), F("225.4")),
    (301, 500, F("225.5"), F("325.4")),
]


def text(value, step):
    if step == 1:
        return str(value.numerator)
    return f"{float(value):.1f}"


def china(standard, column, c):
    table = (HJ2012 if standard == "2012" else HJ2026)[column]
    if c > table[-1]:
        return ABOVE[standard].get(column, "beyond")
    for i in range(1, len(table)):
        if c <= table[i]:
            lo, hi = F(table[i - 1]), F(table[i])
            exact = F(IAQI[i] - IAQI[i - 1]) / (hi - lo) * (c - lo) + IAQI[i - 1]
            return str(math.ceil(exact))
    raise AssertionError("unreachable")


def epa(c):
    c = F(math.floor(c * 10), 10)
    for a_lo, a_hi, c_lo, c_hi in EPA:
        if c <= c_hi:
            exact = F(a_hi - a_lo) / (c_hi - c_lo) * (c - c_lo) + a_lo
            return str(math.floor(exact + F(1, 2)))
    return "beyond"


def main():
    out = sys.stdout
    out.write("standard,column,concentration,expected\n")
    for standard in ("2012", "2026"):
        tables = HJ2012 if standard == "2012" else HJ2026
        for column, points in tables.items():
            step = STEP[column]
            seen = set()
            for bp in points:
                for c in (F(bp) - step, F(bp), F(bp) + step):
                    if c < 0 or c in seen:
                        continue
                    seen.add(c)
                    out.write(f"{standard},{column},{text(c, step)},{china(standard, column, c)}\n")
    seen = set()
    for _, _, c_lo, c_hi in EPA:
        for bp in (c_lo, c_hi):
            for c in (bp - F(1, 10), bp, bp + F(1, 10)):
                if c < 0 or c in seen:
                    continue
                seen.add(c)
                out.write(f"us-epa-2024,pm25_24h,{float(c):.1f},{epa(c)}\n")


def every():
    out = sys.stdout
    out.write("standard,column,steps,sum,weighted\n")
    for standard in ("2012", "2026"):
        tables = HJ2012 if standard == "2012" else HJ2026
        for column, points in tables.items():
            step = STEP[column]
            steps = int(F(points[-1]) / step) + 1
            total = weighted = 0
            for k in range(steps):
                iaqi = int(china(standard, column, k * step))
                total += iaqi
                weighted += k * iaqi
            out.write(f"{standard},{column},{steps},{total},{weighted}\n")


if __name__ == "__main__":
    every() if sys.argv[1:] == ["--every"] else main()
