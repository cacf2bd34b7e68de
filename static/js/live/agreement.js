// The agreement overlay of the trainer's big screen: where do the class's polygon answers
// agree? The polygons' common extent is cut into a grid; each cell counts the answers that
// cover its centre, and is shaded by that share in five classes (the legend writes them as
// percentages, so the colour is never the only cue). Drawn in the browser from the answers
// the page already has: the server sends nothing extra, and a grid of 48 × 48 cells over 30
// polygons is some 70 000 point-in-polygon tests, a few milliseconds.

const ol = globalThis.ol;

/** The five share classes, lowest first: [from, to] in per cent, and the fill. */
export const CLASSES = [
  [1, 20, 'rgba(8, 81, 156, 0.12)'],
  [21, 40, 'rgba(8, 81, 156, 0.27)'],
  [41, 60, 'rgba(8, 81, 156, 0.42)'],
  [61, 80, 'rgba(8, 81, 156, 0.57)'],
  [81, 100, 'rgba(8, 81, 156, 0.72)'],
];

/** The class of a share 0–1 (`null` for nobody). */
export function classOf(share) {
  const percent = Math.round(share * 100);
  if (percent < 1) return null;
  return CLASSES.findIndex(([from, to]) => percent >= from && percent <= to);
}

/**
 * Counts, per cell of a `size` × `size` grid over the polygons' extent, how many polygons
 * cover the cell's centre. `polygons` are OpenLayers geometries (Polygon or MultiPolygon).
 */
export function agreementGrid(polygons, size = 48) {
  if (polygons.length === 0) return null;
  const extent = ol.extent.createEmpty();
  for (const p of polygons) ol.extent.extend(extent, p.getExtent());
  const [minX, minY, maxX, maxY] = extent;
  const width = (maxX - minX) / size || 1;
  const height = (maxY - minY) / size || 1;
  const counts = new Uint16Array(size * size);
  for (const polygon of polygons) {
    const [pMinX, pMinY, pMaxX, pMaxY] = polygon.getExtent();
    const c0 = Math.max(0, Math.floor((pMinX - minX) / width));
    const c1 = Math.min(size - 1, Math.floor((pMaxX - minX) / width));
    const r0 = Math.max(0, Math.floor((pMinY - minY) / height));
    const r1 = Math.min(size - 1, Math.floor((pMaxY - minY) / height));
    for (let r = r0; r <= r1; r += 1) {
      for (let c = c0; c <= c1; c += 1) {
        const centre = [minX + (c + 0.5) * width, minY + (r + 0.5) * height];
        if (polygon.intersectsCoordinate(centre)) counts[r * size + c] += 1;
      }
    }
  }
  return { extent, size, width, height, counts, total: polygons.length };
}

/** The grid as square features with their share and class, empty cells left out. */
export function gridFeatures(grid) {
  if (!grid) return [];
  const features = [];
  const [minX, minY] = grid.extent;
  for (let r = 0; r < grid.size; r += 1) {
    for (let c = 0; c < grid.size; c += 1) {
      const n = grid.counts[r * grid.size + c];
      if (n === 0) continue;
      const x = minX + c * grid.width;
      const y = minY + r * grid.height;
      const feature = new ol.Feature(ol.geom.Polygon.fromExtent([x, y, x + grid.width, y + grid.height]));
      const share = n / grid.total;
      feature.set('share', share);
      feature.set('class', classOf(share));
      features.push(feature);
    }
  }
  return features;
}

// A hairline of the fill's own colour closes the anti-aliasing seams between neighbouring cells.
const styles = CLASSES.map(([, , fill]) => new ol.style.Style({
  fill: new ol.style.Fill({ color: fill }),
  stroke: new ol.style.Stroke({ color: fill, width: 0.5 }),
}));

/** The overlay's layer: cells filled by class. */
export function agreementLayer(source) {
  return new ol.layer.Vector({
    source,
    style: (feature) => styles[feature.get('class')] || null,
  });
}

/**
 * The legend: one item per class with its swatch and "{from}–{to} %" text (from `template`,
 * e.g. "{from}–{to} % of the answers cover the place"), plus how many answers it is made of.
 */
export function renderLegend(list, template, totalText) {
  list.replaceChildren(...CLASSES.map(([from, to, fill]) => {
    const li = document.createElement('li');
    const swatch = document.createElement('span');
    swatch.className = 'live-swatch';
    swatch.style.background = fill;
    swatch.setAttribute('aria-hidden', 'true');
    li.append(swatch, template.replace('{from}', String(from)).replace('{to}', String(to)));
    return li;
  }));
  if (totalText) {
    const li = document.createElement('li');
    li.textContent = totalText;
    list.append(li);
  }
}
