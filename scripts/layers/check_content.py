#!/usr/bin/env python3
"""Author's pre-check for Kartskola content: a Python reference grader.

`kartskola check` (the Rust server) is the authority. This script is an
independent second implementation of spec/grading.md, used while writing
exercises to compute keys, example scores and bounds, and to cross-check the
server (both should agree to well within the margins used in [[example]]).

    /tmp/kartskola-layers/bin/pip install shapely pyproj geographiclib
    /tmp/kartskola-layers/bin/python scripts/layers/check_content.py            # check all
    /tmp/kartskola-layers/bin/python scripts/layers/check_content.py -v m1-place-lulea   # print scores
    /tmp/kartskola-layers/bin/python scripts/layers/check_content.py --grade exercises/m1-place-lulea answer.json

Exit status 1 when anything is wrong. Not run in CI.
"""

from __future__ import annotations

import argparse
import glob
import json
import math
import os
import re
import sys
import tomllib

from geographiclib.geodesic import Geodesic
from pyproj import Transformer
from shapely.geometry import LineString, MultiPolygon, Point, Polygon, shape
import warnings
from shapely.ops import nearest_points, transform, unary_union

warnings.filterwarnings("ignore", category=DeprecationWarning)

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
GEOD = Geodesic.WGS84
ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_TF = {}


def tf(epsg: str, inverse=False):
    k = (epsg, inverse)
    if k not in _TF:
        _TF[k] = (Transformer.from_crs(epsg, "EPSG:4326", always_xy=True) if inverse
                  else Transformer.from_crs("EPSG:4326", epsg, always_xy=True))
    return _TF[k]


def proj(geom, epsg="EPSG:3006"):
    return transform(tf(epsg).transform, geom)


def unproj(geom, epsg="EPSG:3006"):
    return transform(tf(epsg, True).transform, geom)


def geo_dist(p, q) -> float:
    return GEOD.Inverse(p[1], p[0], q[1], q[0])["s12"]


def geo_length(coords) -> float:
    return sum(geo_dist(a, b) for a, b in zip(coords, coords[1:]))


def geo_area(geom) -> float:
    def ring_area(coords):
        poly = GEOD.Polygon()
        for lon, lat in list(coords)[:-1]:
            poly.AddPoint(lat, lon)
        _, _, a = poly.Compute(False, True)
        return abs(a)
    polys = geom.geoms if geom.geom_type == "MultiPolygon" else [geom]
    return sum(ring_area(p.exterior.coords) - sum(ring_area(i.coords) for i in p.interiors) for p in polys)


def ramp_down(x, full, zero):
    """1 at x <= full, 0 at x >= zero."""
    if x <= full:
        return 1.0
    if x >= zero:
        return 0.0
    return (zero - x) / (zero - full)


def ramp_up(x, zero, full):
    if x >= full:
        return 1.0
    if x <= zero:
        return 0.0
    return (x - zero) / (full - zero)


def densify(line: LineString, step: float) -> LineString:
    pts = list(line.coords)
    out = [pts[0]]
    for a, b in zip(pts, pts[1:]):
        n = max(1, math.ceil(math.dist(a, b) / step))
        for k in range(1, n + 1):
            out.append((a[0] + (b[0] - a[0]) * k / n, a[1] + (b[1] - a[1]) * k / n))
    return LineString(out)


def hausdorff(a: LineString, b: LineString) -> float:
    d1 = max(Point(p).distance(b) for p in a.coords)
    d2 = max(Point(p).distance(a) for p in b.coords)
    return max(d1, d2)


def frechet(a: LineString, b: LineString) -> float:
    P, Q = list(a.coords), list(b.coords)
    n, m = len(P), len(Q)
    prev = [0.0] * m
    for i in range(n):
        cur = [0.0] * m
        for j in range(m):
            d = math.dist(P[i], Q[j])
            if i == 0 and j == 0:
                cur[j] = d
            elif i == 0:
                cur[j] = max(cur[j - 1], d)
            elif j == 0:
                cur[j] = max(prev[0], d)
            else:
                cur[j] = max(min(prev[j], prev[j - 1], cur[j - 1]), d)
        prev = cur
    return prev[-1]


class Content:
    def __init__(self, root):
        self.root = root
        self.layers = {}
        for p in sorted(glob.glob(os.path.join(root, "static", "layers", "*.geojson"))):
            name = os.path.basename(p)[:-8]
            with open(p, encoding="utf-8") as fh:
                self.layers[name] = json.load(fh)

    def layer_geoms(self, name, ids=None):
        feats = self.layers[name]["features"]
        out = [shape(f["geometry"]) for f in feats if ids is None or f["properties"]["id"] in ids]
        if ids is not None and len(out) != len(set(ids)):
            raise ValueError(f"unknown ids in layer {name}: {ids}")
        return out


def grade(c: Content, ex: dict, exdir: str, answer: dict) -> dict:
    kind = ex["kind"]
    g = ex.get("grading", {})
    key = None
    kp = os.path.join(exdir, "key.geojson")
    if os.path.exists(kp):
        with open(kp, encoding="utf-8") as fh:
            key = json.load(fh)
    m = {}
    if kind == "place_point":
        pt = shape(answer["geometry"])
        ks = shape(key)
        if ks.geom_type == "Point":
            d = geo_dist((pt.x, pt.y), (ks.x, ks.y))
        else:
            pp, kk = proj(pt), proj(ks)
            d = 0.0 if kk.covers(pp) else kk.boundary.distance(pp)
        m["distance_m"] = d
        score = ramp_down(d, g["full_within_m"], g["zero_beyond_m"])
    elif kind == "place_points":
        keys = {f["properties"]["label"]: shape(f["geometry"]) for f in key["features"]}
        ans = {f["properties"]["label"]: shape(f["geometry"]) for f in answer["features"]["features"]}
        per = {}
        for lab, k in keys.items():
            if lab in ans:
                d = geo_dist((ans[lab].x, ans[lab].y), (k.x, k.y))
                per[lab] = {"distance_m": d, "score": ramp_down(d, g["full_within_m"], g["zero_beyond_m"])}
            else:
                per[lab] = {"distance_m": None, "score": 0.0}
        m["per_label"] = per
        score = sum(v["score"] for v in per.values()) / len(per)
    elif kind == "draw_polygon":
        a, k = proj(shape(answer["geometry"])), proj(shape(key))
        inter = a.intersection(k).area
        iou = inter / a.union(k).area
        m["iou"] = iou
        m["answer_area_m2"] = geo_area(shape(answer["geometry"]))
        m["key_area_m2"] = geo_area(shape(key))
        score = ramp_up(iou, g.get("zero_iou", 0.3), g.get("full_iou", 0.85))
    elif kind == "draw_line":
        step = g.get("densify_m", 1000)
        a = densify(proj(shape(answer["geometry"])), step)
        ks = proj(shape(key))
        if ks.geom_type == "MultiLineString":
            kd = [densify(l, step) for l in ks.geoms]
            from shapely.geometry import MultiLineString
            kdm = MultiLineString([list(l.coords) for l in kd])
            h = max(max(Point(p).distance(kdm) for p in a.coords),
                    max(Point(p).distance(a) for l in kd for p in l.coords))
            m["hausdorff_m"] = h
            metric = h
        else:
            kd = densify(ks, step)
            m["hausdorff_m"] = hausdorff(a, kd)
            if g.get("metric", "hausdorff") == "frechet":
                m["frechet_m"] = frechet(a, kd)
            metric = m["frechet_m"] if g.get("metric", "hausdorff") == "frechet" else m["hausdorff_m"]
        m["answer_length_m"] = geo_length(list(shape(answer["geometry"]).coords))
        score = ramp_down(metric, g["full_within_m"], g["zero_beyond_m"])
    elif kind == "select_features":
        keyset, ans = set(g["ids"]), set(answer["ids"])
        known = {f["properties"]["id"] for f in c.layers[g["layer"]]["features"]}
        bad = ans - known
        if bad:
            raise ValueError(f"unknown_feature_id {bad}")
        inter = len(keyset & ans)
        jac = inter / len(keyset | ans)
        m.update(jaccard=jac, missing=sorted(keyset - ans), extra=sorted(ans - keyset))
        score = ramp_up(jac, g.get("zero_jaccard", 0.5), 1.0)
    elif kind in ("measure_length", "measure_area"):
        ks = shape(key)
        if kind == "measure_length":
            kv = geo_length(list(ks.coords)) / {"m": 1, "km": 1000}[g["unit"]]
        else:
            kv = geo_area(ks) / {"m2": 1, "ha": 1e4, "km2": 1e6}[g["unit"]]
        rel = abs(answer["value"] - kv) / kv
        m.update(key_value=kv, relative_error=rel)
        score = ramp_down(rel, g.get("full_rel", 0.05), g.get("zero_rel", 0.25))
    elif kind == "read_coordinates":
        crs = g.get("crs", "EPSG:3006")
        kp_ = proj(shape(key), crs)
        d = math.hypot(answer["e"] - kp_.x, answer["n"] - kp_.y)
        sw = math.hypot(answer["n"] - kp_.x, answer["e"] - kp_.y)
        m.update(distance_m=d, key_n=kp_.y, key_e=kp_.x, axes_swapped=sw <= g["full_within_m"])
        score = ramp_down(d, g["full_within_m"], g["zero_beyond_m"])
    elif kind == "choice":
        opts = {o["id"]: o["correct"] for o in ex["option"]}
        ch = answer["choices"]
        for x in ch:
            if x not in opts:
                raise ValueError(f"unknown_choice {x}")
        if not g.get("multiple", False):
            if len(ch) != 1:
                raise ValueError("wrong_answer_shape: exactly one choice")
            score = 1.0 if opts[ch[0]] else 0.0
        else:
            right = sum(1 for v in opts.values() if v)
            rc = sum(1 for x in ch if opts[x])
            wc = sum(1 for x in ch if not opts[x])
            score = max(0.0, (rc - wc) / right)
    elif kind == "site":
        geom = shape(answer["geometry"])
        gp = proj(geom)
        rules, tot, got = [], 0.0, 0.0
        for r in g["rule"]:
            w = r.get("weight", 1)
            k = r["kind"]
            if k in ("within", "disjoint", "min_distance_m", "max_distance_m"):
                lg = [proj(x) for x in c.layer_geoms(r["layer"], r.get("ids"))]
                u = unary_union(lg)
            if k == "within":
                ok, val = u.covers(gp), None
            elif k == "disjoint":
                ok, val = not u.intersects(gp), None
            elif k in ("min_distance_m", "max_distance_m"):
                best = None
                for x in lg:
                    p1, p2 = nearest_points(gp, x)
                    q1, q2 = unproj(p1), unproj(p2)
                    d = 0.0 if gp.intersects(x) else geo_dist((q1.x, q1.y), (q2.x, q2.y))
                    best = d if best is None else min(best, d)
                val = best
                ok = val >= r["distance_m"] if k == "min_distance_m" else val <= r["distance_m"]
            elif k == "area_between_m2":
                val = geo_area(geom)
                ok = r["min"] <= val <= r["max"]
            elif k == "length_between_m":
                val = geo_length(list(geom.coords))
                ok = r["min"] <= val <= r["max"]
            elif k == "passes_within_m":
                ds = []
                for lon, lat in r["points"]:
                    pp = proj(Point(lon, lat))
                    if gp.geom_type == "Polygon" and gp.covers(pp):
                        ds.append(0.0)
                        continue
                    p1, _ = nearest_points(gp, pp)
                    q1 = unproj(p1)
                    ds.append(geo_dist((q1.x, q1.y), (lon, lat)))
                val = max(ds)
                ok = val <= r["distance_m"]
            else:
                raise ValueError(f"unknown rule kind {k}")
            rules.append({"id": r["id"], "passed": ok, "value": val})
            tot += w
            got += w if ok else 0
        m["rules"] = rules
        score = got / tot
    else:
        raise ValueError(f"unknown kind {kind}")
    score = round(score, 6)
    return {"score": score, "passed": score >= g.get("pass", 0.7), "metrics": m}


KIND_KEY = {"place_point", "place_points", "draw_polygon", "draw_line", "measure_length",
            "measure_area", "read_coordinates"}
DRAWING = {"place_point", "place_points", "draw_polygon", "draw_line", "site"}
TOP_KEYS = {"kind", "competences", "title", "prompt", "attempts", "reveal", "accessible_alternative",
            "map", "grading", "feedback", "option", "example"}
FEEDBACK_PARAMS = {"near_feature": {"layer", "id", "within_m"}, "web_mercator": {"tolerance_rel"},
                   "axes_swapped": set(), "wrong_unit": set(), "score_below": {"score"}, "option": {"id"}}
RULE_PARAMS = {"within": {"layer", "ids"}, "disjoint": {"layer", "ids"},
               "min_distance_m": {"layer", "ids", "distance_m"}, "max_distance_m": {"layer", "ids", "distance_m"},
               "area_between_m2": {"min", "max"}, "length_between_m": {"min", "max"},
               "passes_within_m": {"points", "distance_m"}}


def bilingual(v):
    return isinstance(v, dict) and set(v) == {"sv", "en"} and all(isinstance(x, str) and x.strip() for x in v.values())


def check_all(c: Content, verbose_ids: set, errors: list) -> dict:
    comps = set()
    with open(os.path.join(c.root, "courses", "competences.toml"), "rb") as fh:
        for comp in tomllib.load(fh)["competence"]:
            comps.add(comp["id"])
    exercises = {}
    for d in sorted(glob.glob(os.path.join(c.root, "exercises", "*"))):
        eid = os.path.basename(d)
        p = os.path.join(d, "exercise.toml")
        try:
            with open(p, "rb") as fh:
                ex = tomllib.load(fh)
        except Exception as e:  # noqa: BLE001
            errors.append(f"{p}: {e}")
            continue
        exercises[eid] = ex
        err = lambda msg: errors.append(f"{p}: {msg}")  # noqa: E731
        if not ID_RE.match(eid):
            err("bad exercise id")
        for k in ex:
            if k not in TOP_KEYS:
                err(f"unknown key {k}")
        for k in ("title", "prompt"):
            if not bilingual(ex.get(k)):
                err(f"{k} must be {{sv, en}}")
        for comp in ex.get("competences", []):
            if comp not in comps:
                err(f"unknown competence {comp}")
        if not ex.get("competences"):
            err("no competences")
        mp = ex.get("map", {})
        if len(mp.get("extent", [])) != 4 or not bilingual(mp.get("description")):
            err("map.extent / map.description missing")
        for ly in mp.get("layers", []):
            if ly not in c.layers:
                err(f"unknown layer {ly}")
        tools = mp.get("tools", [])
        if ex["kind"].startswith("measure") and "measure" in tools:
            err("measuring exercise offers the measure tool")
        if ex["kind"] == "read_coordinates" and "coordinates" in tools:
            err("read_coordinates offers the coordinates tool")
        if ex["kind"] in DRAWING and not ex.get("accessible_alternative"):
            err("drawing exercise without accessible_alternative")
        if ex["kind"] in KIND_KEY and not os.path.exists(os.path.join(d, "key.geojson")):
            err("missing key.geojson")
        if ex.get("attempts", 0) not in (0, 3, 4, 5):
            err("attempts should be 0 or 3-5")
        if ex.get("reveal", "after_pass_or_last") not in ("never", "after_pass_or_last", "after_any", "always"):
            err("bad reveal")
        for fb in ex.get("feedback", []):
            w = fb.get("when")
            if w not in FEEDBACK_PARAMS:
                err(f"bad feedback when {w}")
                continue
            extra = set(fb) - FEEDBACK_PARAMS[w] - {"when", "message"}
            if extra:
                err(f"feedback {w}: unknown params {extra}")
            if not bilingual(fb.get("message")):
                err(f"feedback {w}: message must be {{sv, en}}")
            if w == "near_feature":
                ids = {f["properties"]["id"] for f in c.layers[fb["layer"]]["features"]}
                if fb["id"] not in ids:
                    err(f"feedback near_feature: unknown id {fb['id']}")
            if w == "option" and fb["id"] not in {o["id"] for o in ex.get("option", [])}:
                err(f"feedback option: unknown option {fb['id']}")
        if ex["kind"] == "choice":
            for o in ex.get("option", []):
                if not bilingual(o.get("text")):
                    err(f"option {o.get('id')}: text must be {{sv, en}}")
            if not any(o["correct"] for o in ex.get("option", [])):
                err("no correct option")
        if ex["kind"] == "site":
            for r in ex["grading"]["rule"]:
                extra = set(r) - RULE_PARAMS[r["kind"]] - {"id", "kind", "weight", "message"}
                if extra or not bilingual(r.get("message")):
                    err(f"rule {r.get('id')}: bad params {extra} or message")
        if ex["kind"] == "select_features":
            ids = {f["properties"]["id"] for f in c.layers[ex["grading"]["layer"]]["features"]}
            for i in ex["grading"]["ids"]:
                if i not in ids:
                    err(f"select key id {i} not in layer")
        # key self-grade
        if ex["kind"] in KIND_KEY:
            key = json.load(open(os.path.join(d, "key.geojson"), encoding="utf-8"))
            self_ans = None
            if ex["kind"] == "place_point":
                ks = shape(key)
                pt = ks if ks.geom_type == "Point" else ks.representative_point()
                self_ans = {"geometry": {"type": "Point", "coordinates": [pt.x, pt.y]}}
            elif ex["kind"] == "place_points":
                self_ans = {"features": key}
            elif ex["kind"] in ("draw_polygon", "draw_line"):
                self_ans = {"geometry": key}
            if self_ans is not None:
                r = grade(c, ex, d, self_ans)
                if r["score"] != 1.0:
                    err(f"key graded against itself scores {r['score']}")
            # extent check
            xs = [x for x, _ in _coords(key)]
            ys = [y for _, y in _coords(key)]
            e = mp.get("extent", [0, 0, 0, 0])
            if min(xs) < e[0] - 2 or max(xs) > e[2] + 2 or min(ys) < e[1] - 2 or max(ys) > e[3] + 2:
                err("key outside map extent (+2 deg)")
        exs = ex.get("example", [])
        if len(exs) < 3:
            err(f"only {len(exs)} examples")
        for i, exa in enumerate(exs):
            try:
                r = grade(c, ex, d, exa["answer"])
            except Exception as e2:  # noqa: BLE001
                err(f"example {i}: {e2}")
                continue
            lo, hi = exa.get("score_at_least"), exa.get("score_at_most")
            if lo is None and hi is None:
                err(f"example {i}: no bounds")
            if (lo is not None and r["score"] < lo) or (hi is not None and r["score"] > hi):
                err(f"example {i}: score {r['score']} outside [{lo}, {hi}]")
            if eid in verbose_ids or "all" in verbose_ids:
                print(f"{eid} example {i}: score={r['score']} bounds=[{lo},{hi}] {short(r['metrics'])}")
    for eid, ex in exercises.items():
        alt = ex.get("accessible_alternative")
        if alt:
            if alt not in exercises:
                errors.append(f"exercises/{eid}: accessible_alternative {alt} does not exist")
            else:
                a = exercises[alt]
                if a["kind"] not in ("select_features", "choice"):
                    errors.append(f"exercises/{eid}: alternative {alt} is {a['kind']}")
                if sorted(a["competences"]) != sorted(ex["competences"]):
                    errors.append(f"exercises/{eid}: alternative {alt} has other competences")
    return exercises


def _coords(g):
    if g.get("type") == "FeatureCollection":
        for f in g["features"]:
            yield from _coords(f["geometry"])
        return
    def walk(x):
        if isinstance(x[0], (int, float)):
            yield (x[0], x[1])
        else:
            for y in x:
                yield from walk(y)
    yield from walk(g["coordinates"])


def short(m):
    s = json.dumps(m, default=lambda o: round(o, 1) if isinstance(o, float) else str(o))
    return s[:400]


def check_courses(c: Content, exercises: dict, errors: list) -> None:
    with open(os.path.join(c.root, "courses", "competences.toml"), "rb") as fh:
        comps = {x["id"] for x in tomllib.load(fh)["competence"]}
    listed = []
    for course in sorted(glob.glob(os.path.join(c.root, "courses", "*", "course.toml"))):
        cdir = os.path.dirname(course)
        with open(course, "rb") as fh:
            ct = tomllib.load(fh)
        if set(ct) - {"title", "summary", "competences"} or not bilingual(ct.get("title")):
            errors.append(f"{course}: bad keys")
        for m in sorted(glob.glob(os.path.join(cdir, "[0-9][0-9]-*", "module.toml"))):
            with open(m, "rb") as fh:
                mt = tomllib.load(fh)
            if set(mt) - {"title", "summary"} or not bilingual(mt.get("title")) or not bilingual(mt.get("summary")):
                errors.append(f"{m}: bad module.toml")
            for les in sorted(glob.glob(os.path.join(os.path.dirname(m), "[0-9][0-9]-*.sv.md"))):
                fm_sv = check_lesson(les, comps, exercises, errors)
                en = les[:-6] + ".en.md"
                if not os.path.exists(en):
                    errors.append(f"{les}: no English version")
                else:
                    fm_en = check_lesson(en, comps, exercises, errors)
                    if fm_sv and fm_en and fm_sv["exercises"] != fm_en["exercises"]:
                        errors.append(f"{en}: exercises differ from Swedish")
                if fm_sv:
                    listed += fm_sv["exercises"]
    for eid, ex in exercises.items():
        if eid in listed and any(e.get("accessible_alternative") == eid for e in exercises.values()):
            errors.append(f"exercises/{eid}: an accessible alternative is listed in a lesson")
    dup = {x for x in listed if listed.count(x) > 1}
    if dup:
        errors.append(f"exercises listed in several lessons: {dup}")


def check_lesson(path, comps, exercises, errors):
    text = open(path, encoding="utf-8").read()
    mt = re.match(r"^\+\+\+\n(.*?)\n\+\+\+\n(.*)$", text, re.S)
    if not mt:
        errors.append(f"{path}: no +++ front matter")
        return None
    fm = tomllib.loads(mt.group(1))
    body = mt.group(2)
    if set(fm) - {"title", "minutes", "competences", "exercises"}:
        errors.append(f"{path}: unknown front-matter keys")
    if not (15 <= fm.get("minutes", 0) <= 25):
        errors.append(f"{path}: minutes {fm.get('minutes')}")
    for comp in fm.get("competences", []):
        if comp not in comps:
            errors.append(f"{path}: unknown competence {comp}")
    for e in fm.get("exercises", []):
        if e not in exercises:
            errors.append(f"{path}: unknown exercise {e}")
    if not fm.get("exercises"):
        errors.append(f"{path}: no exercises")
    for line in body.splitlines():
        mm = re.match(r"^\{\{ exercise ([a-z0-9-]+) \}\}$", line.strip())
        if mm and mm.group(1) not in fm.get("exercises", []):
            errors.append(f"{path}: inline exercise {mm.group(1)} not in front matter")
    if re.search(r"<[a-zA-Z!/][^>]*>", body):
        errors.append(f"{path}: raw HTML")
    lang = "sv" if path.endswith(".sv.md") else "en"
    heads = {"sv": ["## Lärandemål", "## Exempel"], "en": ["## Learning outcomes", "## Worked example"]}[lang]
    for h in heads:
        if h not in body:
            errors.append(f"{path}: missing heading {h}")
    return fm


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-v", nargs="*", default=[], help="exercise ids to print example scores for ('all')")
    ap.add_argument("--grade", nargs=2, metavar=("EXERCISE_DIR", "ANSWER_JSON"))
    ap.add_argument("--root", default=ROOT)
    args = ap.parse_args()
    c = Content(args.root)
    if args.grade:
        exdir, ans = args.grade
        with open(os.path.join(exdir, "exercise.toml"), "rb") as fh:
            ex = tomllib.load(fh)
        with open(ans, encoding="utf-8") as fh:
            print(json.dumps(grade(c, ex, exdir, json.load(fh)), indent=2, default=str))
        return
    errors = []
    exercises = check_all(c, set(args.v), errors)
    check_courses(c, exercises, errors)
    for e in errors:
        print("ERROR", os.path.relpath(e, args.root) if e.startswith("/") else e)
    print(f"{len(exercises)} exercises, {len(errors)} errors")
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
