// The participant page: join (as a named guest when that is the way in), then follow the
// session: show the current exercise, send one answer per round, and show the key when the
// trainer reveals it. Map answers are drawn with OpenLayers; choices are form controls.

import { config, createMap, keyStyle, readFeatures, writeGeometry } from './map.js';

const ol = globalThis.ol;
const cfg = config();
const t = cfg.strings;
const $ = (id) => document.getElementById(id);

const drawn = new ol.source.Vector();
const key = new ol.source.Vector();
let view = null;
let draw = null;
let exercise = null;
let round = 0;
let sent = false;
let state = 'open';

const DRAW_TYPES = { place_point: 'Point', draw_line: 'LineString', draw_polygon: 'Polygon' };
const SITE_TYPES = { point: 'Point', line: 'LineString', polygon: 'Polygon' };

function status(text) {
  $('live-status').textContent = text;
}

function drawType(ex) {
  if (ex.kind === 'site') return SITE_TYPES[ex.question && ex.question.geometry] || 'Point';
  return DRAW_TYPES[ex.kind] || null;
}

function ensureMap() {
  if (view) return;
  view = createMap('live-map', cfg, [
    new ol.layer.Vector({ source: drawn }),
    new ol.layer.Vector({ source: key, style: keyStyle }),
  ]);
}

function options(ex) {
  const box = $('live-options');
  box.replaceChildren();
  const list = (ex.question && ex.question.options) || [];
  if (ex.kind === 'choice') {
    const multiple = Boolean(ex.question.multiple);
    for (const option of list) {
      const label = document.createElement('label');
      const input = document.createElement('input');
      input.type = multiple ? 'checkbox' : 'radio';
      input.name = 'choice';
      input.value = option.id;
      input.addEventListener('change', () => { $('live-send').disabled = sent || state !== 'open'; });
      label.append(input, ` ${option.text}`);
      box.append(label);
    }
  } else if (ex.kind === 'measure_length' || ex.kind === 'measure_area') {
    box.append(numberField('value', ex.question.unit || ''));
  } else if (ex.kind === 'read_coordinates') {
    box.append(numberField('n', 'N'), numberField('e', 'E'));
  }
  box.hidden = box.childElementCount === 0;
}

function numberField(name, label) {
  const wrap = document.createElement('label');
  const input = document.createElement('input');
  input.type = 'number';
  input.step = 'any';
  input.name = name;
  input.addEventListener('input', () => { $('live-send').disabled = sent || state !== 'open'; });
  wrap.append(`${label} `, input);
  return wrap;
}

function answer() {
  const type = drawType(exercise);
  if (type) {
    const feature = drawn.getFeatures()[0];
    return feature ? { geometry: writeGeometry(feature.getGeometry()) } : null;
  }
  const box = $('live-options');
  if (exercise.kind === 'choice') {
    const choices = [...box.querySelectorAll('input:checked')].map((i) => i.value);
    return choices.length ? { choices } : null;
  }
  const out = {};
  for (const input of box.querySelectorAll('input')) {
    if (input.value === '') return null;
    out[input.name] = Number(input.value);
  }
  return Object.keys(out).length ? out : null;
}

async function showExercise(id) {
  const response = await fetch(`${cfg.exercise_api}${encodeURIComponent(id)}`);
  if (!response.ok) return;
  exercise = await response.json();
  $('live-exercise-title').textContent = exercise.title;
  // Server-rendered Markdown of the exercise's own prompt (the same HTML as the player's).
  $('live-prompt').innerHTML = exercise.prompt_html;
  ensureMap();
  await view.show(exercise);
  if (draw) view.map.removeInteraction(draw);
  draw = null;
  const type = drawType(exercise);
  if (type) {
    draw = new ol.interaction.Draw({ source: drawn, type });
    draw.on('drawstart', () => drawn.clear());
    draw.on('drawend', () => { $('live-send').disabled = sent || state !== 'open'; });
    view.map.addInteraction(draw);
  }
  options(exercise);
}

async function onState(data) {
  state = data.state;
  if (data.round !== round) {
    round = data.round;
    sent = false;
    drawn.clear();
    key.clear();
    $('live-result').textContent = '';
    await showExercise(data.exercise_id);
  }
  $('live-send').disabled = true;
  if (state === 'open') status(sent ? t.answered : (drawType(exercise || {}) ? t.map_hint : ''));
  if (state === 'closed') status(t.closed);
  if (state === 'revealed') status(t.revealed);
  if (state === 'ended') status(t.ended);
  if (data.key) key.addFeatures(readFeatures(data.key));
  if (draw) draw.setActive(state === 'open' && !sent);
}

async function send() {
  const body = answer();
  if (!body) return;
  const headers = { 'content-type': 'application/json' };
  const response = await fetch(cfg.answers_url, { method: 'POST', headers, body: JSON.stringify(body) });
  const result = await response.json().catch(() => null);
  if (response.ok) {
    sent = true;
    $('live-send').disabled = true;
    if (draw) draw.setActive(false);
    status(t.answered);
    $('live-result').textContent = `${Math.round(result.score * 100)} %`;
  } else {
    $('live-result').textContent = result && result.error ? result.error.message : String(response.status);
  }
}

function follow() {
  $('live-play').hidden = false;
  const events = new EventSource(cfg.events_url);
  events.addEventListener('state', (e) => {
    const data = JSON.parse(e.data);
    onState(data);
    if (data.state === 'ended') events.close();
  });
  $('live-send').addEventListener('click', send);
}

const guest = $('live-guest');
if (guest) {
  guest.addEventListener('submit', async (event) => {
    event.preventDefault();
    const name = $('live-guest-name').value;
    const response = await fetch(cfg.guests_url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name }),
    });
    if (response.ok) {
      guest.hidden = true;
      follow();
    }
  });
} else if ($('live-play')) {
  follow();
}
