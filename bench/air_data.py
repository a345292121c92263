#!/usr/bin/env python3
"""Writes a fixed-seed year of hourly air measurements for N stations (default 1,500) in
Greenline's import layout: stations.csv (code,name,region) and hourly.csv
(station,time,pm25,pm10,so2,no2,co,o3), one line per station and hour, hour by hour as the
national network publishes them, about 1.5% of values missing (empty or NA).

Usage: bench/air_data.py OUT_DIR [STATIONS]"""
import os
import random
import sys
from datetime import datetime, timedelta

out = sys.argv[1]
stations = int(sys.argv[2]) if len(sys.argv) > 2 else 1500
rng = random.Random(20130112)
os.makedirs(out, exist_ok=True)
regions = []
adcodes = os.path.join(
    os.path.dirname(__file__), "..", "crates", "greenline-domain", "data", "regions", "adcodes.csv"
)
with open(adcodes) as f:
    next(f)
    for line in f:
        code = line.split(",", 1)[0][:6]
        if code.endswith("00") and not code.endswith("0000"):
            regions.append(code)
with open(os.path.join(out, "stations.csv"), "w") as f:
    f.write("code,name,region\n")
    for i in range(stations):
        f.write(f"{1001 + i}A,监测点{i + 1},{regions[i % len(regions)]}\n")
# A slowly wandering base level per station, with hourly noise.
base = [rng.uniform(20, 90) for _ in range(stations)]
start = datetime(2024, 1, 1)
codes = [f"{1001 + i}A" for i in range(stations)]
with open(os.path.join(out, "hourly.csv"), "w", buffering=1 << 22) as f:
    f.write("station,time,pm25,pm10,so2,no2,co,o3\n")
    for h in range(8760):
        time = (start + timedelta(hours=h)).strftime("%Y-%m-%d %H:%M")
        lines = []
        for i in range(stations):
            b = base[i] = min(400.0, max(5.0, base[i] + rng.gauss(0, 3)))
            r = rng.random()
            pm25 = "NA" if r < 0.015 else f"{b:.0f}"
            o3 = "" if r < 0.005 else f"{120 - b / 4:.0f}"
            lines.append(
                f"{codes[i]},{time},{pm25},{b * 1.6:.0f},{b * 0.12:.0f},{b * 0.5:.0f},"
                f"{b * 0.012:.1f},{o3}\n"
            )
        f.writelines(lines)
