// answer.test.mjs: the player's pure modules, without a browser.
// Why: the answer JSON the player sends is the grading contract (docs/grading.md); these checks
// pin its shape for every kind and the round trip a retry relies on (previous answer -> draft
// -> the same answer), and that every text the player asks for exists in PlayerStrings.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const PLAYER = path.join(ROOT, 'static', 'js', 'player');

// The modules are plain browser ES modules without imports of their own; loading them from a
// data: URL keeps node from guessing their module type.
async function load(name) {
  const source = fs.readFileSync(path.join(PLAYER, name), 'utf8');
  return import(`data:text/javascript;base64,${Buffer.from(source).toString('base64')}`);
}

const A = await load('answer.js');
const I = await load('i18n.js');
const empty = () => ({ point: null, points: {}, vertices: [], finished: false, geometry: null, ids: [], value: '', n: '', e: '', choices: [] });
const parse = (v) => I.parseNumber(v, 'sv');

const EXERCISES = {
  place_point: { kind: 'place_point', question: { geometry_type: 'Point' } },
  place_points: { kind: 'place_points', question: { labels: ['Umeå', 'Sundsvall'] } },
  draw_line: { kind: 'draw_line', question: { geometry_type: 'LineString' } },
  draw_polygon: { kind: 'draw_polygon', question: { geometry_type: 'Polygon' } },
  select_features: { kind: 'select_features', question: { layer: 'municipalities' } },
  measure_length: { kind: 'measure_length', question: { unit: 'km' } },
  measure_area: { kind: 'measure_area', question: { unit: 'km2' } },
  read_coordinates: { kind: 'read_coordinates', question: { crs: 'EPSG:3006' } },
  choice: { kind: 'choice', question: { multiple: true, options: [] } },
  site_point: { kind: 'site', question: { geometry_type: 'Point', rules: [] } },
  site_polygon: { kind: 'site', question: { geometry_type: 'Polygon', rules: [] } },
};

test('every kind builds the answer shape of the grading contract', () => {
  const d = empty();
  d.point = [22.1234567891, 65.5];
  assert.deepEqual(A.buildAnswer(EXERCISES.place_point, d, parse).answer, { geometry: { type: 'Point', coordinates: [22.123457, 65.5] } });
  assert.deepEqual(A.buildAnswer(EXERCISES.site_point, d, parse).answer, { geometry: { type: 'Point', coordinates: [22.123457, 65.5] } });

  d.points = { Sundsvall: [17.3, 62.4] };
  assert.deepEqual(A.buildAnswer(EXERCISES.place_points, d, parse).answer, {
    features: { type: 'FeatureCollection', features: [{ type: 'Feature', properties: { label: 'Sundsvall' }, geometry: { type: 'Point', coordinates: [17.3, 62.4] } }] },
  });

  d.vertices = [[14, 63], [15, 63], [15, 64]];
  assert.deepEqual(A.buildAnswer(EXERCISES.draw_line, d, parse).answer, { geometry: { type: 'LineString', coordinates: [[14, 63], [15, 63], [15, 64]] } });
  assert.deepEqual(A.buildAnswer(EXERCISES.draw_polygon, d, parse).answer, {
    geometry: { type: 'Polygon', coordinates: [[[14, 63], [15, 63], [15, 64], [14, 63]]] },
  });
  assert.equal(A.answerMode(EXERCISES.site_polygon), 'polygon');

  d.ids = ['ostersund', 'are'];
  assert.deepEqual(A.buildAnswer(EXERCISES.select_features, d, parse).answer, { ids: ['are', 'ostersund'] });
  d.value = '1 950,5';
  assert.deepEqual(A.buildAnswer(EXERCISES.measure_area, d, parse).answer, { value: 1950.5 });
  d.n = '7 088 581';
  d.e = '758553';
  assert.deepEqual(A.buildAnswer(EXERCISES.read_coordinates, d, parse).answer, { n: 7088581, e: 758553 });
  d.choices = ['b', 'a'];
  assert.deepEqual(A.buildAnswer(EXERCISES.choice, d, parse).answer, { choices: ['b', 'a'] });
});

test('an incomplete draft names what is missing instead of sending', () => {
  const d = empty();
  const errors = Object.fromEntries(Object.entries(EXERCISES).map(([k, ex]) => [k, A.buildAnswer(ex, d, parse).error]));
  assert.deepEqual(errors, {
    place_point: 'need_point',
    place_points: 'need_points',
    draw_line: 'need_line',
    draw_polygon: 'need_polygon',
    select_features: 'need_selection',
    measure_length: 'need_value',
    measure_area: 'need_value',
    read_coordinates: 'need_coordinates',
    choice: 'need_choice',
    site_point: 'need_point',
    site_polygon: 'need_polygon',
  });
  d.vertices = [[14, 63], [15, 63]];
  assert.equal(A.buildAnswer(EXERCISES.draw_polygon, d, parse).error, 'need_polygon');
  d.value = '12,3,4';
  assert.equal(A.buildAnswer(EXERCISES.measure_length, d, parse).error, 'need_value');
});

test('a previous answer becomes a draft that gives the same answer back', () => {
  const answers = {
    place_point: { geometry: { type: 'Point', coordinates: [22.15, 65.58] } },
    place_points: { features: { type: 'FeatureCollection', features: [{ type: 'Feature', properties: { label: 'Umeå' }, geometry: { type: 'Point', coordinates: [20.26, 63.83] } }] } },
    draw_line: { geometry: { type: 'LineString', coordinates: [[22.1, 65.5], [20.2, 67.8]] } },
    draw_polygon: { geometry: { type: 'Polygon', coordinates: [[[14, 63], [15, 63], [15, 64], [14, 63]]] } },
    select_features: { ids: ['are', 'berg'] },
    measure_length: { value: 34.5 },
    read_coordinates: { n: 7088581, e: 758553 },
    choice: { choices: ['named'] },
  };
  for (const [kind, answer] of Object.entries(answers)) {
    const exercise = EXERCISES[kind];
    const draft = { ...empty(), ...A.draftFromAnswer(exercise, answer) };
    assert.deepEqual(A.buildAnswer(exercise, draft, parse).answer, answer, kind);
  }
  // A polygon with a hole cannot be edited corner by corner; it is kept whole.
  const holed = { type: 'Polygon', coordinates: [[[14, 63], [16, 63], [16, 65], [14, 63]], [[15, 63.5], [15.5, 63.5], [15.5, 64], [15, 63.5]]] };
  const draft = { ...empty(), ...A.draftFromAnswer(EXERCISES.draw_polygon, { geometry: holed }) };
  assert.deepEqual(A.buildAnswer(EXERCISES.draw_polygon, draft, parse).answer, { geometry: holed });
});

test('uploads: one feature, right type, lon/lat; SWEREF metres are named as such', () => {
  const fc = { type: 'FeatureCollection', features: [{ type: 'Feature', properties: {}, geometry: { type: 'LineString', coordinates: [[20, 65, 12], [21, 66, 3]] } }] };
  assert.deepEqual(A.draftFromGeometry('line', fc).data.vertices, [[20, 65], [21, 66]]);
  assert.equal(A.draftFromGeometry('polygon', fc).error, 'upload_wrong_type');
  assert.equal(A.draftFromGeometry('line', { type: 'FeatureCollection', features: [] }).error, 'upload_one_feature');
  assert.equal(A.draftFromGeometry('line', { type: 'LineString', coordinates: [[758553, 7088581], [758600, 7088600]] }).error, 'upload_not_wgs84');
  assert.equal(A.draftFromGeometry('line', { type: 'LineString', coordinates: [[20, 'x'], [21, 66]] }).error, 'upload_bad_coordinates');
  assert.equal(A.draftFromGeometry('line', {}).error, 'upload_no_geometry');
});

test('numbers are read the way people type them', () => {
  assert.equal(I.parseNumber('65,58', 'sv'), 65.58);
  assert.equal(I.parseNumber('65.58', 'sv'), 65.58);
  assert.equal(I.parseNumber('1 950,5', 'sv'), 1950.5);
  assert.equal(I.parseNumber('7\u00a0088\u00a0581', 'sv'), 7088581);
  assert.equal(I.parseNumber('1,950', 'sv'), 1.95);
  assert.equal(I.parseNumber('1,950', 'en'), 1950);
  assert.equal(I.parseNumber('65,58', 'en'), 65.58);
  assert.equal(I.parseNumber('1,950.25', 'en'), 1950.25);
  assert.equal(I.parseNumber('\u22123,5', 'sv'), -3.5);
  assert.equal(I.parseNumber('', 'sv'), null);
  assert.equal(I.parseNumber('abc', 'sv'), null);
  assert.equal(I.parseNumber('1e400', 'sv'), null);
});

test('every text the player shows is a PlayerStrings field (none hard-coded, none missing)', () => {
  const rust = fs.readFileSync(path.join(ROOT, 'src', 'i18n', 'player.rs'), 'utf8');
  const fields = new Set([...rust.matchAll(/^\s*pub (\w+): &'static str,/gm)].map((m) => m[1]));
  const used = new Set();
  for (const file of fs.readdirSync(PLAYER)) {
    const source = fs.readFileSync(path.join(PLAYER, file), 'utf8');
    for (const m of source.matchAll(/\bt\('([a-z0-9_]+)'/g)) used.add(m[1]);
    // Keys chosen at run time are spelled out in full elsewhere in the source, e.g. in a table.
    for (const m of source.matchAll(/'((?:hint|need|role|m|a|upload|table_summary|table_caption|map_text|choice_legend|measure_result|unit|shape|summary)_[a-z0-9_]+)'/g)) used.add(m[1]);
  }
  for (const role of ['answer', 'key', 'missed', 'extra']) used.add(`role_${role}`);
  const missing = [...used].filter((k) => !fields.has(k));
  assert.deepEqual(missing, [], `player strings missing from src/i18n/player.rs: ${missing.join(', ')}`);
  // The template uses a few directly.
  for (const k of ['map_label', 'map_keys_help', 'loading', 'noscript', 'tools_label']) assert.ok(fields.has(k), k);
});
