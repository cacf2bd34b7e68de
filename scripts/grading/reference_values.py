"""Prints reference values used as literals in the unit tests (projection vs PROJ, geodesic vs geographiclib).

Run: python3 tools/reference_values.py   (needs pyproj, geographiclib)
"""
from pyproj import Transformer
from geographiclib.geodesic import Geodesic

pts = [(22.1547, 65.5848), (11.0, 55.2), (24.2, 69.1), (15.0, 62.0), (18.0686, 59.3293),
       (12.5, 58.0), (20.2, 67.9), (13.0, 55.6), (17.1, 61.7), (23.9, 65.9)]
for epsg in range(3006, 3019):
    t = Transformer.from_crs("EPSG:4326", f"EPSG:{epsg}", always_xy=True)
    for lon, lat in pts[:4] if epsg != 3006 else pts:
        e, n = t.transform(lon, lat)
        print(f"    ({epsg}, {lon!r}, {lat!r}, {e:.6f}, {n:.6f}),")

g = Geodesic.WGS84
for (a, b) in [((18.0686, 59.3293), (22.1547, 65.5848)), ((11.97, 57.7), (11.9701, 57.7001)), ((13.0, 55.6), (24.2, 69.1))]:
    r = g.Inverse(a[1], a[0], b[1], b[0])
    print("dist", a, b, repr(r["s12"]))
ring = [(17.0, 60.0), (18.0, 60.0), (18.0, 61.0), (17.0, 61.0), (17.0, 60.0)]
p = g.Polygon()
for lon, lat in ring:
    p.AddPoint(lat, lon)
print("area", p.Compute(False, True))
