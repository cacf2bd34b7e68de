// map.js: the OpenLayers map every exercise is answered on.
// Why: maps of northern Sweden are drawn in SWEREF 99 TM (EPSG:3006), the national grid, so
// distances and areas look as they are (Web Mercator stretches Kiruna 2.4 times). The basemap
// is the exercise's own layers from /api/layers/{name}, in the order the author listed them:
// no tiles and nothing from other origins unless the server is configured with a tile URL.
// The view, the layers and the lon/lat <-> map conversions live here; nothing else touches
// projections. `current` lets the browser tests ask where a place is drawn.

import { t } from './i18n.js';

const ol = globalThis.ol;
export const SWEREF = 'EPSG:3006';
const SWEREF_DEF = '+proj=utm +zone=33 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs';

// The full build exposes `ol.interaction.defaults` as a namespace holding `defaults`.
const interactionDefaults = (options) =>
  (typeof ol.interaction.defaults === 'function' ? ol.interaction.defaults : ol.interaction.defaults.defaults)(options);

/** The map now on the page (one per page); read by tests. */
export let current = null;

export function registerProjections() {
  if (!globalThis.proj4.defs(SWEREF)) globalThis.proj4.defs(SWEREF, SWEREF_DEF);
  ol.proj.proj4.register(globalThis.proj4);
}

export const toLonLat = (coordinate) => ol.proj.toLonLat(coordinate, SWEREF);
export const fromLonLat = (lonLat) => ol.proj.fromLonLat(lonLat, SWEREF);

// Neutral colours: land light, sea pale blue (the map element's background), borders dark
// enough (3:1 against the land) to be seen. The answer's colours are kept for the learner.
const STYLE = {
  sweden: { fill: '#f7f5ef', stroke: '#5f6b7a', width: 1.2 },
  neighbours: { fill: '#e4e2dc', stroke: '#7b8490', width: 1 },
  counties: { fill: 'rgba(247,245,239,0.85)', stroke: '#4a5360', width: 1.2 },
  default: { fill: 'rgba(255,255,255,0.35)', stroke: '#4a5360', width: 1.2 },
};
const POINT_COLOUR = '#1b1f24';
const LINE_COLOUR = '#5a4a8a';

function baseStyle(name) {
  const s = STYLE[name] || STYLE.default;
  const fill = new ol.style.Fill({ color: s.fill });
  const stroke = new ol.style.Stroke({ color: s.stroke, width: s.width });
  const polygon = new ol.style.Style({ fill, stroke });
  const line = new ol.style.Style({ stroke: new ol.style.Stroke({ color: LINE_COLOUR, width: 1.5 }) });
  const point = new ol.style.Style({
    image: new ol.style.Circle({
      radius: 4,
      // Always drawn: only labels give way when they would overlap.
      declutterMode: 'obstacle',
      fill: new ol.style.Fill({ color: POINT_COLOUR }),
      stroke: new ol.style.Stroke({ color: '#ffffff', width: 1.5 }),
    }),
  });
  return (feature) => {
    const type = feature.getGeometry().getType();
    if (type.endsWith('Polygon')) return polygon;
    const label = feature.get('name');
    if (type.endsWith('LineString')) {
      // Grid lines carry their value as a name ("N 7 090 000"): the learner reads it.
      if (!label) return line;
      return new ol.style.Style({
        stroke: line.getStroke(),
        text: new ol.style.Text({
          text: String(label),
          placement: 'line',
          repeat: 260,
          font: '12px system-ui, sans-serif',
          fill: new ol.style.Fill({ color: '#2f2557' }),
          stroke: new ol.style.Stroke({ color: '#ffffff', width: 3 }),
        }),
      });
    }
    if (!label) return point;
    return new ol.style.Style({
      image: point.getImage(),
      text: new ol.style.Text({
        text: String(label),
        offsetY: -12,
        font: '13px system-ui, sans-serif',
        fill: new ol.style.Fill({ color: POINT_COLOUR }),
        stroke: new ol.style.Stroke({ color: '#ffffff', width: 3 }),
      }),
    });
  };
}

/** The shape the question shows (the line to measure, the point to read): green, as prompts say. */
export function questionStyle() {
  return new ol.style.Style({
    fill: new ol.style.Fill({ color: 'rgba(30,123,52,0.22)' }),
    stroke: new ol.style.Stroke({ color: '#17692c', width: 3.5 }),
    image: new ol.style.RegularShape({
      points: 4,
      radius: 10,
      radius2: 0,
      angle: 0,
      stroke: new ol.style.Stroke({ color: '#17692c', width: 3 }),
    }),
  });
}

const geojson = () => new ol.format.GeoJSON({ dataProjection: 'EPSG:4326', featureProjection: SWEREF });

/** Features from GeoJSON in lon/lat, projected for the map. */
export function readFeatures(object) {
  return geojson().readFeatures(object);
}

/** A GeoJSON geometry (lon/lat) of a map geometry. */
export function writeGeometry(geometry) {
  return geojson().writeGeometryObject(geometry, { decimals: 7 });
}

/**
 * Builds the map in `target` for `exercise`. Returns at once; `ready` resolves when every
 * layer has loaded (a layer that fails is reported and left out: the exercise still works).
 */
export function createMap(target, exercise, config, onLayerError) {
  const [lonMin, latMin, lonMax, latMax] = exercise.map.extent;
  const extent = ol.proj.transformExtent([lonMin, latMin, lonMax, latMax], 'EPSG:4326', SWEREF);
  // The learner may pan a little past the exercise's extent, not get lost far beyond it.
  const w = extent[2] - extent[0];
  const h = extent[3] - extent[1];
  const limits = [extent[0] - w / 2, extent[1] - h / 2, extent[2] + w / 2, extent[3] + h / 2];

  const view = new ol.View({
    projection: SWEREF,
    extent: limits,
    constrainOnlyCenter: true,
    showFullExtent: true,
    maxZoom: 18,
  });

  const layers = [];
  if (config.tile_url) {
    // Only when the operator configured one (and thereby allowed it in the CSP).
    layers.push(new ol.layer.Tile({ source: new ol.source.XYZ({ url: config.tile_url }) }));
  }
  const byName = new Map();
  const loads = (exercise.map.layers || []).map((name) => {
    const source = new ol.source.Vector();
    const layer = new ol.layer.Vector({ source, style: baseStyle(name), declutter: true });
    layer.set('name', name);
    layers.push(layer);
    byName.set(name, { layer, source });
    return loadLayer(name, source).catch((error) => onLayerError && onLayerError(name, error));
  });

  const questionSource = new ol.source.Vector();
  const questionLayer = new ol.layer.Vector({ source: questionSource, style: questionStyle() });
  layers.push(questionLayer);

  const map = new ol.Map({
    target,
    layers,
    view,
    // Keyboard panning and zooming are ours (keyboard.js): with a crosshair and announcements.
    interactions: interactionDefaults({ keyboard: false, altShiftDragRotate: false, pinchRotate: false }),
    controls: [
      new ol.control.Zoom({ zoomInTipLabel: t('zoom_in'), zoomOutTipLabel: t('zoom_out') }),
      // The plain scale line: the "bar" variant writes inline style attributes, which the CSP
      // (rightly) blocks; the line sets its width through the DOM, which is allowed.
      new ol.control.ScaleLine({ units: 'metric', minWidth: 120 }),
    ],
  });
  labelZoomButtons(target);

  // The container may get its final size only after the styles apply: fit again on a resize
  // as long as the view is still the fitted one (the learner has not moved it).
  let fitted = null;
  const fit = () => {
    view.fit(extent, { padding: [12, 12, 12, 12], size: map.getSize() || undefined });
    fitted = `${view.getCenter()}|${view.getResolution()}`;
  };
  fit();
  map.on('change:size', () => {
    if (fitted === `${view.getCenter()}|${view.getResolution()}`) fit();
  });

  const api = {
    map,
    view,
    extent,
    fit,
    questionSource,
    ready: Promise.all(loads),
    /** A layer's vector source, loading it on top when the exercise did not list it. */
    layerSource(name) {
      if (!byName.has(name)) {
        const source = new ol.source.Vector();
        const layer = new ol.layer.Vector({ source, style: baseStyle(name), declutter: true });
        layer.set('name', name);
        map.getLayers().insertAt(map.getLayers().getLength() - 1, layer);
        byName.set(name, { layer, source, loading: loadLayer(name, source) });
      }
      return byName.get(name);
    },
    pixelOfLonLat: (lonLat) => map.getPixelFromCoordinate(fromLonLat(lonLat)),
    lonLatOfPixel: (pixel) => toLonLat(map.getCoordinateFromPixel(pixel)),
    centerPixel() {
      const [width, height] = map.getSize();
      return [width / 2, height / 2];
    },
    centerLonLat: () => toLonLat(view.getCenter()),
  };
  current = api;
  return api;
}

async function loadLayer(name, source) {
  const response = await fetch(`/api/layers/${encodeURIComponent(name)}`, {
    credentials: 'same-origin',
    headers: { Accept: 'application/geo+json, application/json' },
  });
  if (!response.ok) throw new Error(`${response.status}`);
  const features = readFeatures(await response.json());
  for (const f of features) if (f.get('id') !== undefined) f.setId(String(f.get('id')));
  source.addFeatures(features);
  return features;
}

// OpenLayers names its zoom buttons "+" and "−"; a screen reader should say what they do.
function labelZoomButtons(target) {
  const zoomIn = target.querySelector('.ol-zoom-in');
  const zoomOut = target.querySelector('.ol-zoom-out');
  if (zoomIn) zoomIn.setAttribute('aria-label', t('zoom_in'));
  if (zoomOut) zoomOut.setAttribute('aria-label', t('zoom_out'));
}
