// styles.js: how answers, selections and graded results look on the map.
// Why: colour alone must never carry meaning (WCAG 1.4.1): the learner's answer is solid,
// the key dashed, what was missed hatched one way and what was extra hatched the other, and
// selected features change shape as well as colour. The same patterns are drawn in the legend
// (feedback.js), so this is their one definition. Colours keep 3:1 against the basemap.

const ol = globalThis.ol;

export const ROLE = {
  answer: { colour: '#0b5394', fill: 'rgba(11,83,148,0.16)', dash: null, hatch: null },
  key: { colour: '#17692c', fill: null, dash: [12, 7], hatch: null },
  missed: { colour: '#8a4b00', fill: null, dash: [3, 5], hatch: 'diagonal' },
  extra: { colour: '#a4161a', fill: null, dash: [14, 5, 3, 5], hatch: 'cross' },
};

const patternCache = new Map();

/** A repeating hatch (diagonal or crossed lines) as a canvas pattern for an OpenLayers fill. */
export function hatchPattern(kind, colour) {
  const cacheKey = `${kind}:${colour}`;
  if (patternCache.has(cacheKey)) return patternCache.get(cacheKey);
  const size = 10;
  const canvas = document.createElement('canvas');
  canvas.width = size;
  canvas.height = size;
  const ctx = canvas.getContext('2d');
  ctx.strokeStyle = colour;
  ctx.lineWidth = 2;
  ctx.beginPath();
  ctx.moveTo(0, size);
  ctx.lineTo(size, 0);
  if (kind === 'cross') {
    ctx.moveTo(0, 0);
    ctx.lineTo(size, size);
  }
  ctx.stroke();
  const pattern = ctx.createPattern(canvas, 'repeat');
  patternCache.set(cacheKey, pattern);
  return pattern;
}

const halo = (width) => new ol.style.Stroke({ color: 'rgba(255,255,255,0.9)', width: width + 3 });

/** Styles of the graded result's geometries, by `properties.role`. */
export function roleStyle(role) {
  const r = ROLE[role] || ROLE.answer;
  const fill = r.hatch
    ? new ol.style.Fill({ color: hatchPattern(r.hatch, r.colour) })
    : r.fill
      ? new ol.style.Fill({ color: r.fill })
      : null;
  // The answer is drawn wider than the key, so a key lying on top of it leaves it visible.
  const width = role === 'answer' ? 6 : 3;
  const stroke = new ol.style.Stroke({ color: r.colour, width, lineDash: r.dash || undefined });
  const image =
    role === 'key'
      ? new ol.style.RegularShape({
          points: 4,
          radius: 10,
          angle: Math.PI / 4,
          stroke: new ol.style.Stroke({ color: r.colour, width: 3 }),
          fill: new ol.style.Fill({ color: 'rgba(255,255,255,0.6)' }),
        })
      : role === 'answer'
        ? new ol.style.Circle({ radius: 7, fill: new ol.style.Fill({ color: r.colour }), stroke: new ol.style.Stroke({ color: '#fff', width: 2 }) })
        : new ol.style.RegularShape({
            points: 3,
            radius: 9,
            fill: new ol.style.Fill({ color: r.colour }),
            stroke: new ol.style.Stroke({ color: '#fff', width: 2 }),
          });
  return [
    new ol.style.Style({ stroke: halo(width) }),
    new ol.style.Style({ fill: fill || undefined, stroke, image }),
  ];
}

/** A point's label, dark on a white halo so it reads on land and sea alike. */
export function labelStyle(text) {
  return new ol.style.Style({
    text: new ol.style.Text({
      text,
      offsetY: -18,
      font: 'bold 14px system-ui, sans-serif',
      fill: new ol.style.Fill({ color: '#08294a' }),
      stroke: new ol.style.Stroke({ color: '#ffffff', width: 4 }),
    }),
  });
}

/** The answer being drawn: a haloed blue line or polygon, white vertex handles. */
export function sketchStyle(feature) {
  const kind = feature.get('sketch');
  const colour = ROLE.answer.colour;
  if (kind === 'shape') {
    return [
      new ol.style.Style({ stroke: halo(3) }),
      new ol.style.Style({
        fill: new ol.style.Fill({ color: ROLE.answer.fill }),
        stroke: new ol.style.Stroke({ color: colour, width: 3 }),
      }),
    ];
  }
  if (kind === 'vertex') {
    const first = feature.get('index') === 0;
    return new ol.style.Style({
      image: new ol.style.Circle({
        radius: first ? 7 : 5,
        fill: new ol.style.Fill({ color: '#ffffff' }),
        stroke: new ol.style.Stroke({ color: colour, width: first ? 3 : 2 }),
      }),
    });
  }
  // A placed point, labelled when the exercise asks for several.
  const label = feature.get('label');
  return new ol.style.Style({
    image: new ol.style.Circle({
      radius: 8,
      fill: new ol.style.Fill({ color: colour }),
      stroke: new ol.style.Stroke({ color: '#ffffff', width: 2.5 }),
    }),
    text: label ? labelStyle(label).getText() : undefined,
  });
}

/** A selected feature: hatched and outlined if an area, a larger square if a point. */
export function selectedStyle(feature) {
  const colour = ROLE.answer.colour;
  const type = feature.getGeometry().getType();
  if (type.endsWith('Polygon')) {
    return [
      new ol.style.Style({ fill: new ol.style.Fill({ color: 'rgba(255,255,255,0.55)' }) }),
      new ol.style.Style({
        fill: new ol.style.Fill({ color: hatchPattern('diagonal', colour) }),
        stroke: new ol.style.Stroke({ color: colour, width: 4 }),
      }),
    ];
  }
  if (type.endsWith('LineString')) {
    return [new ol.style.Style({ stroke: halo(5) }), new ol.style.Style({ stroke: new ol.style.Stroke({ color: colour, width: 5 }) })];
  }
  return new ol.style.Style({
    image: new ol.style.RegularShape({
      points: 4,
      radius: 10,
      angle: Math.PI / 4,
      fill: new ol.style.Fill({ color: colour }),
      stroke: new ol.style.Stroke({ color: '#ffffff', width: 2.5 }),
    }),
    text: feature.get('name')
      ? new ol.style.Text({
          text: String(feature.get('name')),
          offsetY: -18,
          font: 'bold 13px system-ui, sans-serif',
          fill: new ol.style.Fill({ color: '#08294a' }),
          stroke: new ol.style.Stroke({ color: '#ffffff', width: 4 }),
        })
      : undefined,
  });
}
