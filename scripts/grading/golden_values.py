"""Expected numbers for the golden tests in src/grading/kinds/*.rs (pyproj, shapely, geographiclib).

Run: python3 tools/golden_values.py
"""
from geographiclib.geodesic import Geodesic
from pyproj import Transformer
import shapely
from shapely.geometry import Polygon, LineString, Point

G = Geodesic.WGS84
T = Transformer.from_crs("EPSG:4326", "EPSG:3006", always_xy=True)
INV = Transformer.from_crs("EPSG:3006", "EPSG:4326", always_xy=True)

def dist(a, b):
    return G.Inverse(a[1], a[0], b[1], b[0])["s12"]

def ring_area(ring):
    p = G.Polygon()
    for lon, lat in ring[:-1]:
        p.AddPoint(lat, lon)
    return abs(p.Compute(False, True)[2])

def proj(coords):
    return [T.transform(x, y) for x, y in coords]

def ramp_down(v, full, zero):
    return 1.0 if v <= full else 0.0 if v >= zero else (zero - v) / (zero - full)

def ramp_up(v, zero, full):
    return 1.0 if v >= full else 0.0 if v <= zero else (v - zero) / (full - zero)

print("== place_point")
key = (22.1567, 65.5848)
for a in [(22.1567, 65.6748), (17.3069, 62.3908)]:
    d = dist(key, a)
    print(a, d, ramp_down(d, 5000, 15000))
zone = [[(17.0, 60.0), (17.2, 60.0), (17.2, 60.1), (17.0, 60.1), (17.0, 60.0)],
        [(17.05, 60.03), (17.05, 60.07), (17.15, 60.07), (17.15, 60.03), (17.05, 60.03)]]
zp = Polygon(proj(zone[0]), [proj(zone[1])])
for a in [(17.02, 60.05), (17.1, 60.05), (17.25, 60.05)]:
    p = Point(T.transform(*a))
    d = 0.0 if zp.covers(p) else zp.exterior.distance(p) if not Polygon(proj(zone[0])).covers(p) else min(r.distance(p) for r in [zp.exterior, *zp.interiors])
    print("zone", a, d, ramp_down(d, 500, 5000))

print("== place_points")
keys = {"lulea": (22.1567, 65.5848), "kiruna": (20.2253, 67.8558), "umea": (20.2630, 63.8258)}
ans = {"lulea": (22.1567, 65.5848), "kiruna": (20.3, 67.9)}
tot = 0
for k, v in keys.items():
    if k in ans:
        d = dist(v, ans[k]); s = ramp_down(d, 5000, 50000); tot += s
        print(k, d, s)
print("score", tot / 3)

print("== draw_polygon")
key = [(18.0, 62.0), (18.2, 62.0), (18.2, 62.1), (18.0, 62.1), (18.0, 62.0)]
ans = [(18.02, 62.0), (18.22, 62.0), (18.22, 62.1), (18.02, 62.1), (18.02, 62.0)]
kp, ap = Polygon(proj(key)), Polygon(proj(ans))
i = kp.intersection(ap).area
iou = i / (kp.area + ap.area - i)
def geod_poly(poly):
    if poly.geom_type == "MultiPolygon":
        return sum(geod_poly(g) for g in poly.geoms)
    ext = [INV.transform(x, y) for x, y in poly.exterior.coords]
    holes = [[INV.transform(x, y) for x, y in r.coords] for r in poly.interiors]
    return ring_area(ext) - sum(ring_area(h) for h in holes)
missed = kp.difference(ap); extra = ap.difference(kp)
print("iou", iou, "score", ramp_up(iou, 0.3, 0.85), "key_area", ring_area(key), "answer_area", ring_area(ans),
      "missed", geod_poly(missed), "extra", geod_poly(extra))
far = [(18.5, 62.5), (18.6, 62.5), (18.6, 62.6), (18.5, 62.5)]
print("far area", ring_area(far))

print("== draw_line")
key = [(15.0, 62.0), (15.1, 62.05), (15.2, 62.0)]
ans = [(15.0, 62.004), (15.1, 62.054), (15.2, 62.004)]
kd = shapely.segmentize(LineString(proj(key)), 1000)
ad = shapely.segmentize(LineString(proj(ans)), 1000)
h = shapely.hausdorff_distance(ad, kd)  # vertex-to-vertex? use own
def directed(a, b):
    return max(b.distance(Point(c)) for c in a.coords)
h = max(directed(ad, kd), directed(kd, ad))
import numpy as np
def frechet(p, q):
    p, q = np.array(p), np.array(q)
    n, m = len(p), len(q)
    ca = np.zeros((n, m))
    for i in range(n):
        for j in range(m):
            d = np.hypot(*(p[i] - q[j]))
            if i == 0 and j == 0: ca[i, j] = d
            elif i == 0: ca[i, j] = max(ca[0, j - 1], d)
            elif j == 0: ca[i, j] = max(ca[i - 1, 0], d)
            else: ca[i, j] = max(min(ca[i - 1, j], ca[i - 1, j - 1], ca[i, j - 1]), d)
    return ca[-1, -1]
f = frechet(list(ad.coords), list(kd.coords))
fr = frechet(list(ad.coords)[::-1], list(kd.coords))
L = lambda l: sum(dist(l[i], l[i + 1]) for i in range(len(l) - 1))
print("hausdorff", h, "frechet", f, "frechet_rev", fr, "ans_len", L(ans), "key_len", L(key), "ndens", len(kd.coords))
print("score h", ramp_down(h, 200, 2000), "score f", ramp_down(f, 200, 2000))

print("== measure")
road = [(17.6389, 59.8586), (17.65, 59.86), (17.67, 59.865)]
print("road m", L(road))
field = [(16.36, 56.65), (16.38, 56.65), (16.38, 56.66), (16.36, 56.66), (16.36, 56.65)]
print("field m2", ring_area(field))
lat = Polygon(field).centroid.y
import math
print("centroid lat", lat, "mercator factor", 1 / math.cos(math.radians(lat)) ** 2)

print("== read_coordinates")
e, n = T.transform(22.1567, 65.5848)
print("key", n, e)
t14 = Transformer.from_crs("EPSG:4326", "EPSG:3014", always_xy=True)
print("3014", t14.transform(22.1567, 65.5848)[::-1])

print("== site")
cand = [(17.01, 60.01), (17.03, 60.01), (17.03, 60.02), (17.01, 60.02), (17.01, 60.01)]
print("site area", ring_area(cand))
town = (17.2, 60.2)
cp = Polygon(proj(cand)); tp = Point(T.transform(*town))
from shapely.ops import nearest_points
a, b = nearest_points(cp, tp)
print("town dist", dist(INV.transform(a.x, a.y), town))
lake = [(17.025, 60.005), (17.04, 60.005), (17.04, 60.015), (17.025, 60.015), (17.025, 60.005)]
lp = Polygon(proj(lake))
ov = cp.intersection(lp)
print("overlap with lake", geod_poly(ov))
