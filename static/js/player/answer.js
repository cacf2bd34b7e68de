// answer.js: between the learner's draft and the answer JSON of the grading contract.
// Why: the mouse, the keyboard, the coordinate table, the feature list and a GeoJSON upload
// all edit one draft; this is the only place that turns it into what the server grades
// (spec/grading.md, "Kinds, answers and metrics"), and back again when a retry starts from
// the previous answer. Pure functions, no DOM and no map: unit-tested in node.

/** How a kind is answered: which tool the player offers. */
export function answerMode(exercise) {
  switch (exercise.kind) {
    case 'place_point':
      return 'point';
    case 'place_points':
      return 'points';
    case 'draw_line':
      return 'line';
    case 'draw_polygon':
      return 'polygon';
    case 'select_features':
      return 'select';
    case 'measure_length':
    case 'measure_area':
      return 'value';
    case 'read_coordinates':
      return 'coordinates';
    case 'choice':
      return 'choice';
    case 'site': {
      // The server names the type as GeoJSON does ("LineString"); an older draft of the
      // contract said "line": both are understood.
      const q = exercise.question || {};
      const g = String(q.geometry_type || (typeof q.geometry === 'string' ? q.geometry : 'point')).toLowerCase();
      if (g === 'line' || g === 'linestring') return 'line';
      if (g === 'polygon') return 'polygon';
      return 'point';
    }
    default:
      return null;
  }
}

/** True for the modes answered by placing or drawing on the map. */
export const isSpatial = (mode) => ['point', 'points', 'line', 'polygon'].includes(mode);

// A millionth of a degree is about 0.1 m: finer than anyone can click, coarse enough that the
// same spot gives the same number on every path.
const round6 = (x) => Math.round(x * 1e6) / 1e6;
export const roundLonLat = (c) => [round6(c[0]), round6(c[1])];

/**
 * The answer JSON for `data`, as `{ answer }`, or `{ error, vars }` naming the player string
 * that tells the learner what is still missing. The server checks everything else.
 */
export function buildAnswer(exercise, data, parse) {
  const mode = answerMode(exercise);
  switch (mode) {
    case 'point':
      if (!data.point) return { error: 'need_point' };
      return { answer: { geometry: { type: 'Point', coordinates: roundLonLat(data.point) } } };
    case 'points': {
      const labels = (exercise.question && exercise.question.labels) || [];
      const features = labels
        .filter((label) => data.points[label])
        .map((label) => ({
          type: 'Feature',
          properties: { label },
          geometry: { type: 'Point', coordinates: roundLonLat(data.points[label]) },
        }));
      if (!features.length) return { error: 'need_points' };
      return { answer: { features: { type: 'FeatureCollection', features } } };
    }
    case 'line':
      if (data.geometry) return { answer: { geometry: data.geometry } };
      if (data.vertices.length < 2) return { error: 'need_line' };
      return { answer: { geometry: { type: 'LineString', coordinates: data.vertices.map(roundLonLat) } } };
    case 'polygon': {
      if (data.geometry) return { answer: { geometry: data.geometry } };
      if (data.vertices.length < 3) return { error: 'need_polygon' };
      const ring = data.vertices.map(roundLonLat);
      ring.push(ring[0]);
      return { answer: { geometry: { type: 'Polygon', coordinates: [ring] } } };
    }
    case 'select':
      if (!data.ids.length) return { error: 'need_selection' };
      // Sorted, so the same selection is the same request body whatever order it was made in.
      return { answer: { ids: [...data.ids].sort() } };
    case 'value': {
      const value = parse(data.value);
      if (value === null) return { error: 'need_value' };
      return { answer: { value } };
    }
    case 'coordinates': {
      const n = parse(data.n);
      const e = parse(data.e);
      if (n === null || e === null) return { error: 'need_coordinates' };
      return { answer: { n, e } };
    }
    case 'choice':
      if (!data.choices.length) return { error: 'need_choice' };
      return { answer: { choices: [...data.choices] } };
    default:
      return { error: 'unsupported_kind' };
  }
}

/** The draft fields that reproduce an earlier answer (the exercise's `last_answer`). */
export function draftFromAnswer(exercise, answer, format = String) {
  if (!answer || typeof answer !== 'object') return null;
  const mode = answerMode(exercise);
  switch (mode) {
    case 'point':
    case 'line':
    case 'polygon': {
      const result = draftFromGeometry(mode, answer.geometry);
      return result.error ? null : result.data;
    }
    case 'points': {
      const points = {};
      for (const f of (answer.features && answer.features.features) || []) {
        const label = f.properties && f.properties.label;
        if (label && f.geometry && f.geometry.type === 'Point') points[label] = f.geometry.coordinates.slice(0, 2);
      }
      return { points };
    }
    case 'select':
      return { ids: Array.isArray(answer.ids) ? [...answer.ids] : [] };
    case 'value':
      return typeof answer.value === 'number' ? { value: format(answer.value) } : null;
    case 'coordinates':
      return typeof answer.n === 'number' && typeof answer.e === 'number'
        ? { n: format(answer.n), e: format(answer.e) }
        : null;
    case 'choice':
      return { choices: Array.isArray(answer.choices) ? [...answer.choices] : [] };
    default:
      return null;
  }
}

/**
 * Draft fields from a GeoJSON object (a geometry, a Feature, or a FeatureCollection of one
 * feature), as `{ data }` or `{ error, vars }`. A plain line or single-ring polygon becomes
 * editable vertices; a polygon with holes or several parts is kept whole.
 */
export function draftFromGeometry(mode, input) {
  let geometry = input;
  if (geometry && geometry.type === 'FeatureCollection') {
    const features = geometry.features || [];
    if (features.length !== 1) return { error: 'upload_one_feature', vars: { count: features.length } };
    geometry = features[0];
  }
  if (geometry && geometry.type === 'Feature') geometry = geometry.geometry;
  if (!geometry || typeof geometry.type !== 'string') return { error: 'upload_no_geometry' };
  const coordinatesOk = checkCoordinates(geometry.coordinates);
  if (coordinatesOk !== true) return { error: coordinatesOk };
  const two = (c) => [c[0], c[1]];
  const openRing = (ring) => {
    const open = ring.map(two);
    const [a, b] = [open[0], open[open.length - 1]];
    if (open.length > 1 && a[0] === b[0] && a[1] === b[1]) open.pop();
    return open;
  };
  switch (`${mode}:${geometry.type}`) {
    case 'point:Point':
      return { data: { point: two(geometry.coordinates) } };
    case 'line:LineString':
      return { data: { vertices: geometry.coordinates.map(two), finished: true, geometry: null } };
    case 'line:MultiLineString':
      if (geometry.coordinates.length === 1) {
        return { data: { vertices: geometry.coordinates[0].map(two), finished: true, geometry: null } };
      }
      return { data: { vertices: [], finished: true, geometry } };
    case 'polygon:Polygon':
      if (geometry.coordinates.length === 1) {
        return { data: { vertices: openRing(geometry.coordinates[0]), finished: true, geometry: null } };
      }
      return { data: { vertices: [], finished: true, geometry } };
    case 'polygon:MultiPolygon':
      if (geometry.coordinates.length === 1 && geometry.coordinates[0].length === 1) {
        return { data: { vertices: openRing(geometry.coordinates[0][0]), finished: true, geometry: null } };
      }
      return { data: { vertices: [], finished: true, geometry } };
    default:
      return { error: 'upload_wrong_type', vars: { found: geometry.type } };
  }
}

// Every position a pair (or triple) of finite numbers inside lon/lat ranges; numbers in the
// hundreds of thousands are almost certainly SWEREF 99 TM metres, which deserves its own hint.
function checkCoordinates(coords) {
  if (!Array.isArray(coords) || coords.length === 0) return 'upload_no_geometry';
  if (typeof coords[0] === 'number') {
    if (coords.length < 2 || !coords.every(Number.isFinite)) return 'upload_bad_coordinates';
    const [lon, lat] = coords;
    if (Math.abs(lon) > 180 || Math.abs(lat) > 90) {
      return Math.abs(lon) > 1000 || Math.abs(lat) > 1000 ? 'upload_not_wgs84' : 'upload_bad_coordinates';
    }
    return true;
  }
  for (const inner of coords) {
    const ok = checkCoordinates(inner);
    if (ok !== true) return ok;
  }
  return true;
}
