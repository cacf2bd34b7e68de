// helpers.js: the optional helper tools an exercise may offer in `map.tools`.
// Why: some exercises let the learner measure before answering (`measure`) or read SWEREF 99
// TM coordinates off the map (`coordinates`); others must not (a measuring exercise would be
// pointless with a ruler), so each helper exists only when the exercise lists it. Measuring is
// geodesic (ol/sphere on WGS 84 lon/lat) because the grader's distances are too.

import { h, uid } from './dom.js';
import { t, formatLength, formatArea, formatNE } from './i18n.js';
import { announce } from './announce.js';
import { fromLonLat } from './map.js';

const ol = globalThis.ol;

export function createHelpers({ mapApi, exercise, host }) {
  const tools = exercise.map.tools || [];
  const result = { measuring: () => false, addAt: () => {}, removeLast: () => {}, crosshairText: null };
  if (tools.includes('measure')) Object.assign(result, measureTool(mapApi, host));
  if (tools.includes('coordinates')) Object.assign(result, coordinatesTool(mapApi, host));
  return result;
}

function measureTool(mapApi, host) {
  const { map } = mapApi;
  let active = false;
  let shape = 'line';
  let points = []; // [lon, lat]
  const source = new ol.source.Vector();
  map.addLayer(
    new ol.layer.Vector({
      source,
      zIndex: 30,
      style: [
        new ol.style.Style({ stroke: new ol.style.Stroke({ color: '#ffffff', width: 5 }) }),
        new ol.style.Style({
          stroke: new ol.style.Stroke({ color: '#1b1f24', width: 2, lineDash: [8, 6] }),
          fill: new ol.style.Fill({ color: 'rgba(27,31,36,0.08)' }),
          image: new ol.style.Circle({
            radius: 4,
            fill: new ol.style.Fill({ color: '#1b1f24' }),
            stroke: new ol.style.Stroke({ color: '#ffffff', width: 1.5 }),
          }),
        }),
      ],
    }),
  );

  const toggle = h('button', { type: 'button', class: 'tool', 'aria-pressed': 'false' }, t('measure_tool'));
  const shapeName = uid('measure-shape');
  const radio = (value, key) => {
    const input = h('input', { type: 'radio', name: shapeName, value, id: uid('measure'), checked: value === shape });
    input.addEventListener('change', () => {
      shape = value;
      draw();
    });
    return h('span', { class: 'inline-choice' }, input, h('label', { for: input.id }, t(key)));
  };
  const output = h('output', { class: 'measure-output' }, t('measure_empty'));
  const clear = h('button', { type: 'button', class: 'tool' }, t('measure_clear'));
  const panel = h(
    'div',
    { class: 'helper measure-helper' },
    toggle,
    h('fieldset', { class: 'measure-shape' }, h('legend', {}, t('measure_shape_legend')), radio('line', 'measure_line'), radio('area', 'measure_area')),
    output,
    clear,
    h('p', { class: 'tool-hint' }, t('measure_hint')),
  );
  host.append(panel);

  toggle.addEventListener('click', () => {
    active = !active;
    toggle.setAttribute('aria-pressed', String(active));
    panel.classList.toggle('is-active', active);
    announce(t(active ? 'a_measure_on' : 'a_measure_off'));
  });
  clear.addEventListener('click', () => {
    points = [];
    draw();
    announce(t('a_measure_cleared'));
  });

  function value() {
    if (shape === 'area' && points.length >= 3) {
      const ring = [...points, points[0]];
      return formatArea(ol.sphere.getArea(new ol.geom.Polygon([ring]), { projection: 'EPSG:4326' }));
    }
    if (points.length >= 2) return formatLength(ol.sphere.getLength(new ol.geom.LineString(points), { projection: 'EPSG:4326' }));
    return null;
  }

  function draw() {
    source.clear();
    const coords = points.map(fromLonLat);
    if (coords.length >= 3 && shape === 'area') source.addFeature(new ol.Feature(new ol.geom.Polygon([[...coords, coords[0]]])));
    else if (coords.length >= 2) source.addFeature(new ol.Feature(new ol.geom.LineString(coords)));
    for (const c of coords) source.addFeature(new ol.Feature(new ol.geom.Point(c)));
    const v = value();
    output.textContent = v ? t(shape === 'area' ? 'measure_result_area' : 'measure_result_length', { value: v }) : t('measure_empty');
    return v;
  }

  function addAt(pixel) {
    points.push(mapApi.lonLatOfPixel(pixel));
    const v = draw();
    announce(v ? output.textContent : t('a_measure_point'));
  }

  map.on('click', (event) => {
    if (active) addAt(event.pixel);
  });

  return {
    measuring: () => active,
    addAt,
    removeLast() {
      points.pop();
      draw();
      announce(output.textContent);
    },
  };
}

function coordinatesTool(mapApi, host) {
  const output = h('output', { class: 'coordinates-output', id: uid('pointer-coordinates') }, '–');
  host.append(h('p', { class: 'helper coordinates-helper' }, h('span', {}, `${t('coordinates_tool')}: `), output));
  mapApi.map.on('pointermove', (event) => {
    if (!event.dragging) output.textContent = formatNE(event.coordinate);
  });
  // The keyboard crosshair shows the same numbers for the map centre (keyboard.js).
  return { crosshairText: () => formatNE(mapApi.view.getCenter()) };
}
