// The live views' map: the exercise's own layers (from /api/layers) under the answers, in
// SWEREF 99 TM like the exercise player's (the projection is the player's, registered once).
// Shared by the trainer's big screen and a cohort's class map (the participant page answers
// in the exercise player itself).

import { registerProjections, SWEREF } from '../player/map.js';

const ol = globalThis.ol;

export const readFeatures = (geojson) =>
  new ol.format.GeoJSON().readFeatures(geojson, { featureProjection: SWEREF });

/** A map in `target` with a layer per source in `overlays` (top last). */
export function createMap(target, config, overlays) {
  registerProjections();
  const layers = [];
  if (config.tile_url) {
    layers.push(new ol.layer.Tile({ source: new ol.source.XYZ({ url: config.tile_url }) }));
  }
  const base = new ol.layer.Group({ layers: [] });
  layers.push(base, ...overlays);
  const map = new ol.Map({
    target,
    layers,
    // Until the exercise's extent is fitted: the north of Sweden, ~2 km a pixel.
    view: new ol.View({ projection: SWEREF, center: ol.proj.fromLonLat([20, 65], SWEREF), resolution: 2000, maxZoom: 18 }),
  });
  // The view's own projection, for the browser tests (these maps were once in Web Mercator).
  map.getTargetElement().dataset.projection = map.getView().getProjection().getCode();
  return {
    map,
    /** Shows `exercise`'s layers and extent (the answer of GET /api/exercises/{id}). */
    async show(exercise) {
      base.getLayers().clear();
      const m = exercise.map;
      if (!m) return;
      const extent = ol.proj.transformExtent(m.extent, 'EPSG:4326', SWEREF);
      map.getView().fit(extent, { padding: [16, 16, 16, 16] });
      for (const name of m.layers || []) {
        const response = await fetch(`/api/layers/${encodeURIComponent(name)}`);
        if (!response.ok) continue;
        const source = new ol.source.Vector({ features: readFeatures(await response.json()) });
        base.getLayers().push(new ol.layer.Vector({ source, style: baseStyle }));
      }
    },
  };
}

const baseStyle = new ol.style.Style({
  stroke: new ol.style.Stroke({ color: 'rgba(60, 60, 60, 0.7)', width: 1 }),
  fill: new ol.style.Fill({ color: 'rgba(200, 200, 200, 0.15)' }),
  image: new ol.style.Circle({ radius: 3, fill: new ol.style.Fill({ color: '#555' }) }),
});

/** A colour from red (0) over yellow to green (1): score is also written in the list view. */
export function scoreColour(score, alpha = 1) {
  const s = Math.max(0, Math.min(1, Number(score) || 0));
  const r = Math.round(s < 0.5 ? 200 : 200 * (1 - s) * 2);
  const g = Math.round(s < 0.5 ? 160 * s * 2 : 160);
  return `rgba(${r}, ${g}, 40, ${alpha})`;
}

export const keyStyle = new ol.style.Style({
  stroke: new ol.style.Stroke({ color: '#1d3fbb', width: 4, lineDash: [8, 6] }),
  fill: new ol.style.Fill({ color: 'rgba(29, 63, 187, 0.12)' }),
  image: new ol.style.RegularShape({
    points: 4, radius: 10, angle: Math.PI / 4,
    stroke: new ol.style.Stroke({ color: '#1d3fbb', width: 3 }),
  }),
});

export function config() {
  const element = document.getElementById('kartskola-live-config');
  return JSON.parse(element ? element.textContent : '{}');
}
