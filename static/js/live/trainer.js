// The trainer's big screen: follows the session's event stream, draws every answer on the
// class map (points as a heat map with dots on top, lines overlaid, polygons outlined over an
// agreement overlay that shades each place by the share of answers covering it, with a legend
// in percentages), keeps the count, the histogram and a list view for keyboard and
// screen-reader users, and sends the trainer's controls. The map element's `data-features`
// and `data-agreement-cells` count what is drawn, for the browser tests.

import { agreementGrid, agreementLayer, gridFeatures, renderLegend } from './agreement.js';
import { config, createMap, keyStyle, readFeatures, scoreColour } from './map.js';

const ol = globalThis.ol;
const cfg = config();
const t = cfg.strings;
const $ = (id) => document.getElementById(id);

const answers = new ol.source.Vector();
const points = new ol.source.Vector();
const key = new ol.source.Vector();
const agreement = new ol.source.Vector();
// Outlines only: the agreement overlay below does the shading of polygons.
const shapes = new ol.layer.Vector({
  source: answers,
  style: (feature) => new ol.style.Style({
    stroke: new ol.style.Stroke({ color: scoreColour(feature.get('score'), 0.8), width: 2 }),
  }),
});
const heat = new ol.layer.Heatmap({ source: points, blur: 18, radius: 10 });
const dots = new ol.layer.Vector({
  source: points,
  style: (feature) => new ol.style.Style({
    image: new ol.style.Circle({
      radius: 4,
      fill: new ol.style.Fill({ color: scoreColour(feature.get('score')) }),
      stroke: new ol.style.Stroke({ color: '#fff', width: 1 }),
    }),
  }),
});
const keyLayer = new ol.layer.Vector({ source: key, style: keyStyle });
const view = createMap('live-map', cfg, [agreementLayer(agreement), shapes, heat, dots, keyLayer]);
const mapElement = $('live-map');

let agreementTimer = null;
/** Recomputes the agreement overlay at most every 250 ms while answers stream in. */
function scheduleAgreement() {
  if (agreementTimer) return;
  agreementTimer = setTimeout(() => {
    agreementTimer = null;
    const polygons = answers.getFeatures()
      .map((f) => f.getGeometry())
      .filter((g) => g.getType() === 'Polygon' || g.getType() === 'MultiPolygon');
    const cells = gridFeatures(agreementGrid(polygons));
    agreement.clear();
    agreement.addFeatures(cells);
    mapElement.dataset.agreementCells = String(cells.length);
    const legend = $('live-agreement');
    if (legend) {
      $('live-agreement-box').hidden = polygons.length === 0;
      renderLegend(legend, t.agreement_share, t.agreement_total.replace('{n}', String(polygons.length)));
    }
  }, 250);
}

function countFeatures() {
  mapElement.dataset.features = String(answers.getFeatures().length + points.getFeatures().length);
}

let round = 0;
let exerciseId = null;
const stateNames = {
  open: t.state_open, closed: t.state_closed, revealed: t.state_revealed, ended: t.state_ended,
};

function clearRound() {
  answers.clear();
  points.clear();
  key.clear();
  agreement.clear();
  mapElement.dataset.agreementCells = '0';
  countFeatures();
  if ($('live-agreement-box')) $('live-agreement-box').hidden = true;
  $('live-list').replaceChildren();
  $('live-extremes').replaceChildren();
  $('live-count').textContent = '0';
  drawHistogram(new Array(10).fill(0));
}

function drawHistogram(buckets) {
  const max = Math.max(1, ...buckets);
  $('live-histogram').replaceChildren(...buckets.map((n, i) => {
    const li = document.createElement('li');
    const bar = document.createElement('span');
    bar.className = 'live-bar';
    bar.style.width = `${(100 * n) / max}%`;
    bar.style.background = scoreColour((i + 0.5) / 10);
    li.append(`${i * 10}–${i * 10 + 10} %: ${n} `, bar);
    return li;
  }));
}

function geometryOf(answer) {
  if (answer && answer.geometry) return [{ type: 'Feature', properties: {}, geometry: answer.geometry }];
  if (answer && answer.features && answer.features.features) return answer.features.features;
  return [];
}

/** An answer in words for the list view: map answers by shape and size, others as sent. */
function describe(answer) {
  if (!answer) return '';
  const features = geometryOf(answer);
  if (features.length === 0) return JSON.stringify(answer);
  const fill = (text, values) => Object.entries(values).reduce((s, [k, v]) => s.replace(`{${k}}`, v), text);
  const decimal = (n) => (cfg.lang === 'sv' ? n.toFixed(3).replace('.', ',') : n.toFixed(3));
  return features.map((f) => {
    const g = f.geometry || {};
    const label = f.properties && f.properties.label ? `${f.properties.label}: ` : '';
    if (g.type === 'Point') return label + fill(t.describe_point, { lat: decimal(g.coordinates[1]), lon: decimal(g.coordinates[0]) });
    if (g.type === 'LineString') return label + fill(t.describe_line, { n: g.coordinates.length });
    if (g.type === 'Polygon') return label + fill(t.describe_polygon, { n: Math.max(0, g.coordinates[0].length - 1) });
    return label + g.type;
  }).join('; ');
}

function addAnswer(data) {
  if (data.round !== round) return;
  for (const feature of readFeatures({ type: 'FeatureCollection', features: geometryOf(data.answer) })) {
    feature.set('score', data.score);
    const type = feature.getGeometry().getType();
    (type === 'Point' || type === 'MultiPoint' ? points : answers).addFeature(feature);
    if (type === 'Polygon' || type === 'MultiPolygon') scheduleAgreement();
  }
  countFeatures();
  $('live-count').textContent = String(data.count);
  drawHistogram(data.histogram);
  const row = document.createElement('tr');
  const summary = describe(data.answer);
  for (const text of [String(data.answer_id), `${Math.round(data.score * 100)} %`, summary]) {
    const cell = document.createElement('td');
    cell.textContent = text;
    row.append(cell);
  }
  $('live-list').append(row);
}

async function onState(data) {
  $('live-state').textContent = stateNames[data.state] || data.state;
  if (data.round !== round) {
    round = data.round;
    clearRound();
  }
  if (data.exercise_id !== exerciseId) {
    exerciseId = data.exercise_id;
    const response = await fetch(`/api/exercises/${encodeURIComponent(exerciseId)}`);
    if (response.ok) await view.show(await response.json());
  }
  if (data.key) key.addFeatures(readFeatures(data.key));
  document.querySelectorAll('[data-action]').forEach((button) => {
    button.disabled = data.state === 'ended';
  });
}

function onExtremes(data) {
  const box = $('live-extremes');
  box.replaceChildren();
  for (const [label, answer] of [[t.best, data.best], [t.worst, data.worst]]) {
    if (!answer) continue;
    const p = document.createElement('p');
    p.textContent = `${label}: ${Math.round(answer.score * 100)} %`;
    box.append(p);
  }
}

const events = new EventSource(cfg.events_url);
events.addEventListener('state', (e) => { onState(JSON.parse(e.data)); });
events.addEventListener('answer', (e) => addAnswer(JSON.parse(e.data)));
events.addEventListener('extremes', (e) => onExtremes(JSON.parse(e.data)));

document.querySelectorAll('[data-action]').forEach((button) => {
  button.addEventListener('click', async () => {
    const body = { action: button.dataset.action };
    if (body.action === 'next') body.exercise_id = $('live-next').value;
    const response = await fetch(cfg.control_url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const error = $('live-error');
    error.textContent = '';
    if (!response.ok) {
      const problem = await response.json().catch(() => null);
      error.textContent = problem && problem.error ? problem.error.message : String(response.status);
    }
  });
});
