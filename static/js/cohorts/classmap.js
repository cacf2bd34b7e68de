// The class map of a cohort's exercise: every member's latest answer on one map (points, lines
// and polygons overlaid, coloured by score like the live view), over the exercise's own layers.
// The page's table already lists every answer in words (server-rendered, for keyboard and
// screen-reader users and without JavaScript); this script only draws. It counts what it drew
// in the map element's `data-features`, so a test can see that the map shows every answer.

import { config, createMap, readFeatures, scoreColour } from '../live/map.js';

const ol = globalThis.ol;
const cfg = config();

const source = new ol.source.Vector();
const layer = new ol.layer.Vector({
  source,
  style: (feature) => {
    const colour = scoreColour(feature.get('score'));
    return new ol.style.Style({
      stroke: new ol.style.Stroke({ color: scoreColour(feature.get('score'), 0.9), width: 2 }),
      // Faint fills add up where polygons overlap: the darker, the more answers agree.
      fill: new ol.style.Fill({ color: scoreColour(feature.get('score'), 0.15) }),
      image: new ol.style.Circle({
        radius: 6,
        fill: new ol.style.Fill({ color: colour }),
        stroke: new ol.style.Stroke({ color: '#fff', width: 1.5 }),
      }),
    });
  },
});

const element = document.getElementById('class-map');
const view = createMap('class-map', cfg, [layer]);

async function load() {
  const [exercise, answers] = await Promise.all([
    fetch(cfg.exercise_url).then((r) => (r.ok ? r.json() : null)),
    fetch(cfg.answers_url).then((r) => (r.ok ? r.json() : null)),
  ]);
  if (exercise) await view.show(exercise);
  if (!answers) return;
  for (const answer of answers.answers) {
    const features = readFeatures(answer.features);
    for (const feature of features) feature.set('score', answer.score);
    source.addFeatures(features);
  }
  element.dataset.features = String(source.getFeatures().length);
  if (source.getFeatures().length > 0 && !(exercise && exercise.map)) {
    view.map.getView().fit(source.getExtent(), { padding: [24, 24, 24, 24], maxZoom: 12 });
  }
  element.dataset.ready = 'true';
}

load();
