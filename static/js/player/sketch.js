// sketch.js: the answer drawn on the map, and what clicking (or pressing Enter) there does.
// Why: the mouse and the keyboard must do exactly the same thing at the same spot, so both
// call `actAt(pixel)`. Placing a point, adding a corner or selecting a feature all go through
// the draft (draft.js); this module only turns pixels into draft changes and redraws the draft.
// Corners are moved by dragging, inserted by dragging the middle of an edge and deleted by
// Alt-click (OpenLayers' Modify), or edited in the coordinate table (accessible.js).

import { t, formatLonLat } from './i18n.js';
import { fromLonLat, toLonLat, readFeatures } from './map.js';
import { roundLonLat } from './answer.js';
import { sketchStyle, selectedStyle } from './styles.js';
import { announce } from './announce.js';

const ol = globalThis.ol;
const HIT_PX = 10;

/**
 * `labels` (place_points) says which label the next point gets; `isEditable` is false while
 * an answer is being sent or its result is shown; `isBusy` is true while a helper tool
 * (measuring) has the map's clicks.
 */
export function createSketch({ mapApi, exercise, mode, draft, labels, isEditable, isBusy }) {
  const { map, view } = mapApi;
  const source = new ol.source.Vector();
  const layer = new ol.layer.Vector({ source, style: sketchStyle, zIndex: 20 });
  layer.set('name', 'sketch');
  map.addLayer(layer);

  // Select mode: the layer to choose from, restyled to show the selection.
  let selectEntry = null;
  if (mode === 'select') {
    selectEntry = mapApi.layerSource(exercise.question.layer);
    const base = selectEntry.layer.getStyleFunction();
    selectEntry.layer.setZIndex(10);
    selectEntry.layer.setStyle((feature, resolution) =>
      draft.data.ids.includes(feature.getId()) ? selectedStyle(feature) : base(feature, resolution),
    );
  }

  const editable = new ol.Collection();
  const modify = new ol.interaction.Modify({ features: editable, pixelTolerance: HIT_PX });
  map.addInteraction(modify);
  // Which press of the mouse button a corner insert or drag began with: the click that ends
  // that press is Modify's, not a new corner.
  let pressedAt = 0;
  let modifiedPress = -1;
  map.on('pointerdown', (event) => {
    pressedAt = event.originalEvent.timeStamp;
  });
  modify.on('modifystart', () => {
    modifiedPress = pressedAt;
  });
  modify.on('modifyend', (event) => {
    const feature = event.features.item(0);
    if (feature) onShapeModified(feature.getGeometry());
  });

  if (['point', 'points', 'select', 'line', 'polygon'].includes(mode)) {
    // Clicks answer here: two quick ones (a double click finishes a drawing, or takes back a
    // selection) must not also zoom the map away under the pointer.
    map.getInteractions().forEach((i) => {
      if (i instanceof ol.interaction.DoubleClickZoom) i.setActive(false);
    });
  }

  // Drawing waits for OpenLayers' single click (a double click finishes the drawing); placing
  // and selecting answer the click at once.
  const clickType = mode === 'line' || mode === 'polygon' ? 'singleclick' : 'click';
  map.on(clickType, (event) => {
    if (!isEditable() || isBusy() || event.originalEvent.altKey) return;
    if (modifiedPress === pressedAt) return;
    if (mode === 'line' || mode === 'polygon') {
      const v = draft.data.vertices;
      const near = (i) => i >= 0 && i < v.length && pixelDistance(event.pixel, v[i]) <= HIT_PX;
      // Clicking the first corner closes a polygon; clicking the last one ends a line.
      if (mode === 'polygon' && v.length >= 3 && near(0)) return finish();
      if (mode === 'line' && v.length >= 2 && near(v.length - 1)) return finish();
      if (v.some((_, i) => near(i))) return;
    }
    actAt(event.pixel);
  });

  map.on('dblclick', (event) => {
    if (!isEditable() || isBusy() || (mode !== 'line' && mode !== 'polygon')) return;
    event.preventDefault();
    const v = draft.data.vertices;
    if (!draft.data.finished && (v.length === 0 || pixelDistance(event.pixel, v[v.length - 1]) > HIT_PX)) {
      actAt(event.pixel);
    }
    finish();
  });

  function pixelDistance(pixel, lonLat) {
    const p = map.getPixelFromCoordinate(fromLonLat(lonLat));
    return p ? Math.hypot(p[0] - pixel[0], p[1] - pixel[1]) : Infinity;
  }

  function onShapeModified(geometry) {
    let coords = geometry.getType() === 'Polygon' ? geometry.getCoordinates()[0].slice(0, -1) : geometry.getCoordinates();
    coords = coords.map((c) => roundLonLat(toLonLat(c)));
    const before = draft.data.vertices;
    draft.update((d) => {
      d.vertices = coords;
    }, 'modify');
    if (coords.length > before.length) {
      const index = coords.findIndex((c, i) => !before[i] || c[0] !== before[i][0] || c[1] !== before[i][1]);
      announce(t('a_vertex_inserted', { n: index + 1, count: coords.length }));
    } else if (coords.length < before.length) {
      const index = before.findIndex((c, i) => !coords[i] || c[0] !== coords[i][0] || c[1] !== coords[i][1]);
      announce(t('a_vertex_removed', { n: index + 1 }));
    } else {
      const index = coords.findIndex((c, i) => c[0] !== before[i][0] || c[1] !== before[i][1]);
      if (index >= 0) announce(t('a_vertex_moved', { n: index + 1, pos: formatLonLat(coords[index]) }));
    }
  }

  /** What a click or Enter does at `pixel`, by mode. */
  function actAt(pixel) {
    if (!isEditable()) return;
    const lonLat = roundLonLat(mapApi.lonLatOfPixel(pixel));
    switch (mode) {
      case 'point':
        draft.update((d) => {
          d.point = lonLat;
        }, 'place');
        announce(t('a_point_placed', { pos: formatLonLat(lonLat) }));
        break;
      case 'points': {
        const label = labels.active();
        if (!label) return;
        draft.update((d) => {
          d.points[label] = lonLat;
        }, 'place');
        announce(t('a_label_placed', { label, pos: formatLonLat(lonLat) }));
        labels.advance();
        break;
      }
      case 'line':
      case 'polygon':
        if (draft.data.geometry) return announce(t('a_clear_upload_first'));
        if (draft.data.finished) return announce(t('a_drawing_finished_hint'));
        draft.update((d) => {
          d.vertices.push(lonLat);
        }, 'vertex');
        announce(t('a_vertex_added', { n: draft.data.vertices.length }));
        break;
      case 'select': {
        const feature = featureAt(pixel);
        if (!feature) return announce(t('a_nothing_here'));
        toggle(feature.getId());
        break;
      }
      default:
        break;
    }
  }

  /** The select layer's feature under `pixel`: points and lines within 10 px win over areas. */
  function featureAt(pixel) {
    const coordinate = map.getCoordinateFromPixel(pixel);
    const resolution = view.getResolution();
    let best = null;
    let bestDistance = Infinity;
    for (const feature of selectEntry.source.getFeatures()) {
      const geometry = feature.getGeometry();
      if (!geometry) continue;
      let distance;
      if (geometry.getType().endsWith('Polygon')) {
        distance = geometry.intersectsCoordinate(coordinate) ? HIT_PX + 1 : Infinity;
      } else {
        const closest = geometry.getClosestPoint(coordinate);
        distance = Math.hypot(closest[0] - coordinate[0], closest[1] - coordinate[1]) / resolution;
        if (distance > HIT_PX) distance = Infinity;
      }
      if (distance < bestDistance) {
        best = feature;
        bestDistance = distance;
      }
    }
    return best;
  }

  function nameOf(id) {
    const feature = selectEntry && selectEntry.source.getFeatureById(id);
    return (feature && feature.get('name')) || id;
  }

  function toggle(id, on) {
    const selected = draft.data.ids.includes(id);
    const next = on === undefined ? !selected : on;
    if (next === selected) return;
    draft.update((d) => {
      d.ids = next ? [...d.ids, id] : d.ids.filter((x) => x !== id);
    }, 'select');
    const count = draft.data.ids.length;
    announce(t(next ? 'a_selected' : 'a_deselected', { name: nameOf(id), count }));
  }

  function removeLast() {
    if (!isEditable()) return;
    if (mode === 'point' && draft.data.point) {
      draft.update((d) => {
        d.point = null;
      }, 'remove');
      announce(t('a_point_removed'));
    } else if (mode === 'points') {
      const label = labels.active();
      if (label && draft.data.points[label]) {
        draft.update((d) => {
          delete d.points[label];
        }, 'remove');
        announce(t('a_label_removed', { label }));
      }
    } else if ((mode === 'line' || mode === 'polygon') && draft.data.vertices.length) {
      const n = draft.data.vertices.length;
      draft.update((d) => {
        d.vertices.pop();
        d.finished = false;
      }, 'remove');
      announce(t('a_vertex_removed', { n }));
    }
  }

  function finish() {
    if (!isEditable() || (mode !== 'line' && mode !== 'polygon')) return;
    const n = draft.data.vertices.length;
    if (draft.data.geometry) return;
    if (n < (mode === 'line' ? 2 : 3)) return announce(t(mode === 'line' ? 'need_line' : 'need_polygon'));
    draft.update((d) => {
      d.finished = true;
    }, 'finish');
    announce(t(mode === 'line' ? 'a_finished_line' : 'a_finished_polygon', { n }));
  }

  function reopen() {
    draft.update((d) => {
      d.finished = false;
    }, 'reopen');
    announce(t('a_drawing_reopened'));
  }

  /** Redraw the draft; called on every change. */
  function render() {
    source.clear();
    editable.clear();
    const d = draft.data;
    const point = (lonLat, label) => {
      const f = new ol.Feature(new ol.geom.Point(fromLonLat(lonLat)));
      f.set('sketch', 'point');
      if (label) f.set('label', label);
      source.addFeature(f);
    };
    if (mode === 'point' && d.point) point(d.point);
    if (mode === 'points') for (const [label, lonLat] of Object.entries(d.points)) point(lonLat, label);
    if (mode === 'line' || mode === 'polygon') {
      if (d.geometry) {
        for (const f of readFeatures({ type: 'Feature', properties: {}, geometry: d.geometry })) {
          f.set('sketch', 'shape');
          source.addFeature(f);
        }
      } else if (d.vertices.length) {
        const coords = d.vertices.map(fromLonLat);
        const shape =
          mode === 'polygon' && coords.length >= 3
            ? new ol.Feature(new ol.geom.Polygon([[...coords, coords[0]]]))
            : new ol.Feature(new ol.geom.LineString(coords.length > 1 ? coords : [coords[0], coords[0]]));
        shape.set('sketch', 'shape');
        source.addFeature(shape);
        if (coords.length > 1) editable.push(shape);
        coords.forEach((c, index) => {
          const v = new ol.Feature(new ol.geom.Point(c));
          v.set('sketch', 'vertex');
          v.set('index', index);
          source.addFeature(v);
        });
      }
    }
    if (selectEntry) selectEntry.layer.changed();
  }

  function setEditable(on) {
    modify.setActive(on);
  }

  // While a graded result is shown, its own copy of the answer is drawn instead.
  function setShown(on) {
    layer.setVisible(on);
  }

  draft.subscribe(render);
  render();

  return {
    actAt,
    removeLast,
    finish,
    reopen,
    toggle,
    nameOf,
    render,
    setEditable,
    setShown,
    selectSource: selectEntry && selectEntry.source,
    selectLoading: selectEntry && (selectEntry.loading || mapApi.ready),
    modify,
  };
}
