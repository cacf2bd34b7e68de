#!/usr/bin/env python3
"""Regenerate Kartskola's map layers in static/layers/.

Developer tool, not run in CI. Run from the repository root:

    python3 -m venv /tmp/kartskola-layers
    /tmp/kartskola-layers/bin/pip install shapely pyproj geographiclib
    /tmp/kartskola-layers/bin/python scripts/layers/build_layers.py

Boundaries come from Natural Earth 1:10m admin-0/admin-1 (public domain),
which Debian's `qgis-common` package ships as
usr/share/qgis/resources/data/world_map.gpkg. The script looks for that file
at --gpkg, then at /usr/share/qgis/resources/data/world_map.gpkg, and
otherwise downloads the .deb without installing QGIS:

    apt-get update
    cd /tmp && apt-get download qgis-common && dpkg -x qgis-common_*.deb /tmp/qgis

Points and schematic lines come from the tables in scripts/layers/data/
(see static/layers/README.md for sources and checks). Output is
deterministic: the same inputs give byte-identical files.

With --keys the script also rewrites answer keys that are copies of layer
geometry (county polygons, national-park circles); see KEY_COPIES below.
"""

from __future__ import annotations

import argparse
import csv
import glob
import json
import math
import os
import sqlite3
import subprocess
import sys
import tomllib
import unicodedata

from geographiclib.geodesic import Geodesic
from shapely import wkb
from shapely.geometry import (LineString, MultiPolygon, Point, Polygon, box,
                              mapping, shape)
from shapely.ops import unary_union

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
OUT = os.path.join(ROOT, "static", "layers")
GEOD = Geodesic.WGS84

# The four SPIN counties: SCB code -> (id, name, letter, seat).
SPIN = {"25": "norrbotten", "24": "vasterbotten", "23": "jamtland", "22": "vasternorrland"}

# Natural Earth admin-1 name -> (id, official name, SCB code, letter, seat).
COUNTIES = {
    "Stockholm": ("stockholm", "Stockholms län", "01", "AB", "Stockholm"),
    "Uppsala": ("uppsala", "Uppsala län", "03", "C", "Uppsala"),
    "Södermanland": ("sodermanland", "Södermanlands län", "04", "D", "Nyköping"),
    "Östergötland": ("ostergotland", "Östergötlands län", "05", "E", "Linköping"),
    "Jönköping": ("jonkoping", "Jönköpings län", "06", "F", "Jönköping"),
    "Kronoberg": ("kronoberg", "Kronobergs län", "07", "G", "Växjö"),
    "Kalmar": ("kalmar", "Kalmar län", "08", "H", "Kalmar"),
    "Gotland": ("gotland", "Gotlands län", "09", "I", "Visby"),
    "Blekinge": ("blekinge", "Blekinge län", "10", "K", "Karlskrona"),
    "Skåne": ("skane", "Skåne län", "12", "M", "Malmö"),
    "Halland": ("halland", "Hallands län", "13", "N", "Halmstad"),
    "Västra Götaland": ("vastra-gotaland", "Västra Götalands län", "14", "O", "Göteborg"),
    "Värmland": ("varmland", "Värmlands län", "17", "S", "Karlstad"),
    "Orebro": ("orebro", "Örebro län", "18", "T", "Örebro"),
    "Västmanland": ("vastmanland", "Västmanlands län", "19", "U", "Västerås"),
    "Dalarna": ("dalarna", "Dalarnas län", "20", "W", "Falun"),
    "Gävleborg": ("gavleborg", "Gävleborgs län", "21", "X", "Gävle"),
    "Västernorrland": ("vasternorrland", "Västernorrlands län", "22", "Y", "Härnösand"),
    "Jämtland": ("jamtland", "Jämtlands län", "23", "Z", "Östersund"),
    "Västerbotten": ("vasterbotten", "Västerbottens län", "24", "AC", "Umeå"),
    "Norrbotten": ("norrbotten", "Norrbottens län", "25", "BD", "Luleå"),
}

NEIGHBOUR_BBOX = (4.0, 58.0, 32.0, 71.5)  # lon_min, lat_min, lon_max, lat_max

# Answer keys that are copies of layer geometry: exercise id -> (layer, feature id).
KEY_COPIES = {
    "m1-draw-jamtland": ("counties", "jamtland"),
}


def slug(text: str) -> str:
    t = unicodedata.normalize("NFKD", text.lower())
    t = "".join(c for c in t if not unicodedata.combining(c))
    out, dash = [], False
    for c in t:
        if c.isascii() and c.isalnum():
            out.append(c)
            dash = False
        elif not dash:
            out.append("-")
            dash = True
    return "".join(out).strip("-")


def find_gpkg(arg: str | None) -> str:
    candidates = [arg] if arg else []
    candidates += ["/usr/share/qgis/resources/data/world_map.gpkg",
                   "/tmp/qgis/usr/share/qgis/resources/data/world_map.gpkg"]
    for c in candidates:
        if c and os.path.exists(c):
            return c
    print("world_map.gpkg not found: downloading Debian's qgis-common (no install)", file=sys.stderr)
    subprocess.run("cd /tmp && apt-get download qgis-common && dpkg -x qgis-common_*.deb /tmp/qgis",
                   shell=True, check=True)
    return "/tmp/qgis/usr/share/qgis/resources/data/world_map.gpkg"


def gpkg_geom(blob: bytes):
    """GeoPackage binary: 'GP', version, flags, srs_id (4), envelope, WKB."""
    if blob[:2] != b"GP":
        raise ValueError("not a GeoPackage geometry")
    env = (blob[3] >> 1) & 7
    size = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}[env]
    return wkb.loads(bytes(blob[8 + size:]))


def rounded(geom, nd=5):
    """Round coordinates to nd decimals (1e-5 deg ~ 1 m) and drop repeated points."""
    def ring(coords):
        out = []
        for x, y in coords:
            p = (round(x, nd), round(y, nd))
            if not out or out[-1] != p:
                out.append(p)
        return out
    if geom.geom_type == "Polygon":
        return Polygon(ring(geom.exterior.coords), [ring(i.coords) for i in geom.interiors])
    if geom.geom_type == "MultiPolygon":
        return MultiPolygon([rounded(p, nd) for p in geom.geoms])
    if geom.geom_type == "LineString":
        return LineString(ring(geom.coords))
    if geom.geom_type == "Point":
        return Point(round(geom.x, nd), round(geom.y, nd))
    raise ValueError(geom.geom_type)


def as_multipolygon(geom):
    if geom.geom_type == "Polygon":
        return MultiPolygon([geom])
    if geom.geom_type == "MultiPolygon":
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if g.geom_type == "Polygon"]
    return MultiPolygon(parts)


def feature(props: dict, geom) -> dict:
    return {"type": "Feature", "properties": props, "geometry": mapping(geom)}


def write_layer(name: str, features: list, meta: dict) -> None:
    ids = [f["properties"]["id"] for f in features]
    assert len(ids) == len(set(ids)), f"duplicate ids in {name}"
    for i in ids:
        assert i == slug(i), f"bad id {i!r} in {name}"
    # Provenance (meta) goes to static/layers/README.md, not into the file: the
    # server reads plain FeatureCollections.
    fc = {"type": "FeatureCollection", "features": features}
    path = os.path.join(OUT, f"{name}.geojson")
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(fc, fh, ensure_ascii=False, separators=(",", ":"))
        fh.write("\n")
    print(f"{path}: {len(features)} features, {os.path.getsize(path)} bytes")


def geodesic_circle(lat: float, lon: float, radius_m: float, n: int = 64) -> Polygon:
    pts = []
    for k in range(n):
        az = 360.0 * k / n
        r = GEOD.Direct(lat, lon, az, radius_m)
        pts.append((round(r["lon2"], 5), round(r["lat2"], 5)))
    pts.append(pts[0])
    return Polygon(pts)


def read_csv(name: str) -> list[dict]:
    with open(os.path.join(DATA, name), encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


NE_META = {
    "source": "Natural Earth 1:10m cultural vectors (admin-0 countries, admin-1 states/provinces), "
              "as shipped in Debian's qgis-common package (world_map.gpkg)",
    "licence": "Public domain (Natural Earth)",
    "accuracy": "Generalised for 1:10 000 000: borders and coasts can be several km off. "
                "Keys based on these polygons use kilometre-scale tolerances.",
    "script": "scripts/layers/build_layers.py",
}


def build(gpkg: str, write_keys: bool) -> None:
    os.makedirs(OUT, exist_ok=True)
    con = sqlite3.connect(gpkg)

    # --- counties -----------------------------------------------------------
    counties, county_geom = [], {}
    rows = con.execute("SELECT name, geom FROM states_provinces WHERE iso_a2 = 'SE' ORDER BY name")
    for ne_name, blob in rows:
        cid, name, code, letter, seat = COUNTIES[ne_name]
        g = as_multipolygon(rounded(gpkg_geom(blob)))
        if not g.is_valid:
            g = as_multipolygon(rounded(g.buffer(0)))
        county_geom[cid] = g
        counties.append(feature({"id": cid, "name": name, "scb_code": code, "letter": letter,
                                 "seat": seat, "spin": code in SPIN}, g))
    counties.sort(key=lambda f: f["properties"]["scb_code"])
    assert len(counties) == 21
    write_layer("counties", counties, dict(NE_META, title="Sveriges län / Counties of Sweden"))

    # --- sweden, neighbours ---------------------------------------------------
    (blob,) = con.execute("SELECT geom FROM countries WHERE NAME = 'Sweden'").fetchone()
    sweden = as_multipolygon(rounded(gpkg_geom(blob)))
    write_layer("sweden", [feature({"id": "sweden", "name": "Sverige"}, sweden)],
                dict(NE_META, title="Sverige / Sweden"))
    neigh = []
    clip = box(*NEIGHBOUR_BBOX)
    for ne_name, fid, sv in [("Norway", "norway", "Norge"), ("Finland", "finland", "Finland")]:
        (blob,) = con.execute("SELECT geom FROM countries WHERE NAME = ?", (ne_name,)).fetchone()
        g = gpkg_geom(blob).intersection(clip)
        g = as_multipolygon(rounded(g.simplify(0.005, preserve_topology=True)))
        # drop specks (small islands) to keep the file small
        g = MultiPolygon([p for p in g.geoms if p.area > 0.002])
        neigh.append(feature({"id": fid, "name": sv}, g))
    write_layer("neighbours", neigh, dict(NE_META, title="Grannländer (norra delen) / Neighbours (northern part)",
                                          clip_bbox=list(NEIGHBOUR_BBOX)))

    # --- municipalities (seats as points) ------------------------------------
    munis, seat_of = [], {}
    for r in read_csv("municipalities.csv"):
        p23 = int(r["population_2023"]) if r["population_2023"] else None
        p24 = int(r["population_2024"]) if r["population_2024"] else None
        pop, year = (p24, 2024) if p24 is not None else (p23, 2023)
        props = {"id": slug(r["name"]), "name": r["name"], "seat": r["seat"],
                 "scb_code": r["scb_code"], "county_code": r["county_code"],
                 "county": SPIN[r["county_code"]], "population": pop, "population_year": year}
        if p23 is not None:
            props["population_2023"] = p23
        if p24 is not None:
            props["population_2024"] = p24
        pt = Point(float(r["lon"]), float(r["lat"]))
        seat_of[r["scb_code"]] = (r["seat"].split(" (")[0], pt)
        munis.append(feature(props, pt))
    assert len(munis) == 44
    for f in munis:  # sanity: the seat lies in (or within 10 km of) its generalised county
        cid = f["properties"]["county"]
        pt = shape(f["geometry"])
        d_deg = county_geom[cid].distance(pt)
        if d_deg > 0:
            print(f"note: {f['properties']['name']} lies outside the generalised {cid} polygon "
                  f"(~{d_deg * 50:.1f} km, coast generalisation)")
        assert d_deg < 0.2, (f["properties"]["name"], d_deg)
    write_layer("municipalities", munis, {
        "title": "Kommuner i de fyra nordligaste länen, centralorter som punkter / Municipalities (seats as points)",
        "source": "SCB municipality codes and population (31 Dec; year in population_year; SCB via Regionfakta, "
                  "citypopulation.de and Wikipedia citing SCB); seat coordinates are approximate town centres "
                  "(about 1-2 km) from public datasets, checked against Wikipedia where marked",
        "licence": "Facts (codes, counts, coordinates) restated; SCB statistics CC BY 4.0, credit: Källa: SCB",
        "accuracy": "Town centres good to about 1-2 km",
        "script": "scripts/layers/build_layers.py"})

    # --- towns -----------------------------------------------------------------
    towns, town_pt = [], {}
    for r in read_csv("towns.csv"):
        pt = Point(float(r["lon"]), float(r["lat"]))
        town_pt[r["id"]] = (r["name"], pt)
        towns.append(feature({"id": r["id"], "name": r["name"], "kind": r["kind"],
                              "municipality_code": r["municipality_code"], "note": r["note"]}, pt))
    write_layer("towns", towns, {
        "title": "Övriga orter / Other places",
        "source": "Research fact tables (public datasets and Wikipedia mirrors); approximate centres",
        "licence": "Facts restated", "accuracy": "About 1-2 km", "script": "scripts/layers/build_layers.py"})

    # --- national parks --------------------------------------------------------
    parks, areas = [], []
    for r in read_csv("national_parks.csv"):
        area = float(r["area_km2"])
        r_eq = math.sqrt(area * 1e6 / math.pi)
        props = {"id": r["id"], "name": r["name"], "county": SPIN[r["county_code"]],
                 "municipalities": r["municipalities"], "area_km2": area,
                 "r_eq_km": round(r_eq / 1000, 1), "laponia": r["laponia"] == "true"}
        if r["established"]:
            props["established"] = int(r["established"])
        if r["note"]:
            props["note"] = r["note"]
        parks.append(feature(props, Point(float(r["lon"]), float(r["lat"]))))
        areas.append(feature(dict(props, schematic=True,
                                  name=f"{r['name']} (schematisk cirkel med parkens area)"),
                             geodesic_circle(float(r["lat"]), float(r["lon"]), r_eq)))
    meta = {"source": "Park centres and areas from public datasets, cross-checked against Wikipedia mirrors",
            "licence": "Facts restated", "script": "scripts/layers/build_layers.py"}
    write_layer("national-parks", parks, dict(meta, title="Nationalparker (mittpunkter) / National parks (centres)"))
    write_layer("national-parks-areas", areas, dict(meta, title="Nationalparker, SCHEMATISKA cirklar med parkens "
                "area / National parks, SCHEMATIC equal-area circles",
                accuracy="Not the real park boundaries: a geodesic circle of the park's area around its centre"))

    # --- schematic roads and railways -------------------------------------------
    with open(os.path.join(DATA, "routes.toml"), "rb") as fh:
        routes = tomllib.load(fh)

    def resolve(v):
        if isinstance(v, dict):
            return v["name"], Point(v["lon"], v["lat"])
        kind, key = v.split(":", 1)
        return seat_of[key] if kind == "mun" else town_pt[key]

    for layer, kind in [("roads", "road"), ("railways", "railway")]:
        feats = []
        for r in routes[kind]:
            vias = [resolve(v) for v in r["via"]]
            line = LineString([(round(p.x, 5), round(p.y, 5)) for _, p in vias])
            props = {"id": r["id"], "name": r["name"], "schematic": True,
                     "via": [n for n, _ in vias], "note": r["note"]}
            if "ref" in r:
                props["ref"] = r["ref"]
            if "status" in r:
                props["status"] = r["status"]
            feats.append(feature(props, line))
        write_layer(layer, feats, {
            "title": ("Europavägar, SCHEMATISKA linjer / European routes, SCHEMATIC lines" if layer == "roads"
                      else "Järnvägar, SCHEMATISKA linjer / Railways, SCHEMATIC lines"),
            "source": "Straight segments through the via-places listed in scripts/layers/data/routes.toml",
            "licence": "Own work from facts (place names, route order); CC0",
            "accuracy": "SCHEMATIC: within roughly 5-25 km of the real alignment at county scale",
            "script": "scripts/layers/build_layers.py"})

    # --- scenario layer (fictional, for planning exercises) ----------------------
    write_layer("scenario-boden", scenario_features(), {
        "title": "Övningsscenario Boden–Luleå (FIKTIVT) / Exercise scenario Boden–Luleå (FICTIONAL)",
        "source": "Invented by the Kartskola authors for planning exercises",
        "licence": "CC0",
        "accuracy": "FICTIONAL: these areas are not real riksintressen, reindeer areas or plans",
        "script": "scripts/layers/build_layers.py"})

    # --- coordinate grids (for read_coordinates exercises) -------------------------
    write_layer("grid-sweref99tm", grid_features("EPSG:3006", 10_000, (250_000, 6_850_000, 950_000, 7_700_000)), {})
    write_layer("grid-sweref99-2145", grid_features("EPSG:3017", 2_000, (120_000, 7_270_000, 180_000, 7_330_000)), {})

    if write_keys:
        layers = {"counties": {f["properties"]["id"]: f for f in counties}}
        for ex, (layer, fid) in KEY_COPIES.items():
            path = os.path.join(ROOT, "exercises", ex, "key.geojson")
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as fh:
                json.dump(layers[layer][fid]["geometry"], fh, separators=(",", ":"))
                fh.write("\n")
            print(f"{path}: key copied from {layer}/{fid}")


def grid_features(epsg: str, step: int, bounds: tuple) -> list:
    """Grid lines of a projected CRS, unprojected to lon/lat and densified.

    Names read like map-margin labels ("N 7 300 000", "E 750 000"), so that a
    learner can read coordinates without a coordinate tool.
    """
    from pyproj import Transformer
    inv = Transformer.from_crs(epsg, "EPSG:4326", always_xy=True)
    e0, n0, e1, n1 = bounds
    fmt = lambda v: f"{v:,}".replace(",", " ")  # noqa: E731
    feats = []
    for e in range(e0, e1 + 1, step):
        pts = [inv.transform(e, n) for n in range(n0, n1 + 1, min(step, 10_000))]
        feats.append(feature({"id": f"e-{e}", "name": f"E {fmt(e)}", "axis": "E", "value": e, "crs": epsg},
                             rounded(LineString(pts))))
    for n in range(n0, n1 + 1, step):
        pts = [inv.transform(e, n) for e in range(e0, e1 + 1, min(step, 10_000))]
        feats.append(feature({"id": f"n-{n}", "name": f"N {fmt(n)}", "axis": "N", "value": n, "crs": epsg},
                             rounded(LineString(pts))))
    return feats


def scenario_features() -> list:
    """Fictional constraint areas (and two route end points) near Boden and Luleå for the site exercises.

    Every name starts with 'Övning:' and every feature has fictional = true, so
    that nobody mistakes them for real planning data.
    """
    def poly(points):
        pts = [(lon, lat) for lat, lon in points]
        return Polygon(pts + [pts[0]])
    feats = [
        ({"id": "karnomrade-a", "name": "Övning: fiktivt kärnområde för rennäring A",
          "class": "karnomrade"},
         poly([(65.95, 21.20), (66.10, 21.30), (66.12, 21.62), (66.02, 21.70), (65.93, 21.50)])),
        ({"id": "flyttled-b", "name": "Övning: fiktiv flyttled B (korridor)", "class": "flyttled"},
         poly([(65.60, 21.50), (65.95, 21.58), (65.95, 21.64), (65.60, 21.56)])),
        ({"id": "vattenskydd-c", "name": "Övning: fiktivt vattenskyddsområde C", "class": "vattenskydd"},
         geodesic_circle(65.78, 21.90, 4000)),
        ({"id": "naturvarde-d", "name": "Övning: fiktivt område med höga naturvärden D", "class": "naturvarde"},
         poly([(65.70, 22.30), (65.76, 22.42), (65.72, 22.52), (65.66, 22.40)])),
    ]
    feats += [
        ({"id": "punkt-a", "name": "Övning: punkt A (vägens start)", "class": "punkt"}, Point(21.10, 66.02)),
        ({"id": "punkt-b", "name": "Övning: punkt B (vägens slut)", "class": "punkt"}, Point(21.85, 66.03)),
    ]
    out = []
    for props, geom in feats:
        out.append(feature(dict(props, fictional=True), rounded(geom)))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gpkg", help="path to Natural Earth world_map.gpkg (from Debian qgis-common)")
    ap.add_argument("--keys", action="store_true", help="also rewrite answer keys copied from layers")
    args = ap.parse_args()
    build(find_gpkg(args.gpkg), args.keys)


if __name__ == "__main__":
    main()
