"""Times Shapely/GEOS on the same 1 000-vertex geometries as benches/grading.rs (metric/*).

Run: python3 scripts/grading/shapely_timings.py
"""
import math
import timeit

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import LineString, Polygon

T = Transformer.from_crs("EPSG:4326", "EPSG:3006", always_xy=True)
M = 111_320.0


def ring(n, lon, lat, r, phase):
    pts = []
    for i in range(n):
        t = phase + 2 * math.pi * i / n
        rr = r * (1 + 0.15 * math.sin(7 * t))
        pts.append((lon + rr * math.cos(t) / (M * math.cos(math.radians(lat))), lat + rr * math.sin(t) / M))
    pts.append(pts[0])
    return [T.transform(*p) for p in pts]


def line(n, lon, lat, length, dy, phase):
    pts = []
    for i in range(n):
        x = length * (i + phase) / n
        y = dy + 3000 * math.sin(x / 7000)
        pts.append((lon + x / (M * math.cos(math.radians(lat))), lat + y / M))
    return [T.transform(*p) for p in pts]


a, b = Polygon(ring(1000, 18.0, 62.0, 20000, 0)), Polygon(ring(1000, 18.03, 62.01, 19000, 0.00037))
la, lb = LineString(line(1000, 14.0, 62.0, 100000, 0, 0)), LineString(line(1000, 14.0, 62.0, 100000, 150, 0.5))


def best(f, n=50):
    return min(timeit.repeat(f, number=1, repeat=n)) * 1e3


print(f"shapely {shapely.__version__} GEOS {shapely.geos_version_string}")
print(f"intersection 1000v: {best(lambda: a.intersection(b)):.3f} ms")
print(f"iou 1000v (intersection + areas): {best(lambda: (lambda i: i.area / (a.area + b.area - i.area))(a.intersection(b))):.3f} ms")
print(f"hausdorff_distance 1000v (GEOS discrete): {best(lambda: shapely.hausdorff_distance(la, lb)):.3f} ms")
print(f"frechet_distance 1000v (GEOS discrete): {best(lambda: shapely.frechet_distance(la, lb), 10):.3f} ms")


def wiggly(n, lon, lat, r, k, amp):
    pts = []
    for i in range(n):
        t = 2 * math.pi * i / n
        rr = r * (1 + amp * math.sin(k * t))
        pts.append((lon + rr * math.cos(t) / (M * math.cos(math.radians(lat))), lat + rr * math.sin(t) / M))
    pts.append(pts[0])
    return [T.transform(*p) for p in pts]


wa, wb = Polygon(wiggly(1000, 18.0, 62.0, 20000, 97, 0.02)), Polygon(wiggly(1000, 18.0, 62.0, 20000, 103, 0.02))
print(f"crossing boundaries: {len(wa.boundary.intersection(wb.boundary).geoms)} crossings")
print(f"intersection 1000v wiggly: {best(lambda: wa.intersection(wb)):.3f} ms")
