// feedback.js: what the learner sees after the server graded an answer.
// Why: a score alone teaches little. This shows the score, whether it passed, the author's
// targeted messages, the measurements the grade rests on, and the result's geometries on the
// map by role (your answer, the key, what you missed, what was extra) with a legend that tells
// them apart by line style and hatching as well as colour. A retry starts from this answer.

import { h } from './dom.js';
import { t, formatPercent, formatNumber, formatLength, formatArea } from './i18n.js';
import { announce } from './announce.js';
import { readFeatures } from './map.js';
import { ROLE, roleStyle, labelStyle } from './styles.js';

const ol = globalThis.ol;
const ROLE_ORDER = ['missed', 'extra', 'answer', 'key'];
const UNIT_KEYS = { m: 'unit_m', km: 'unit_km', m2: 'unit_m2', ha: 'unit_ha', km2: 'unit_km2' };

/** `once`: a live round's only answer, so no attempt count and no retry. */
export function createFeedback({ mapApi, exercise, host, nameOf, onRetry, once = false }) {
  const source = new ol.source.Vector();
  const styles = Object.fromEntries(ROLE_ORDER.map((r) => [r, roleStyle(r)]));
  const layer = new ol.layer.Vector({
    source,
    zIndex: 25,
    style: (feature) => {
      const style = styles[feature.get('role')] || styles.answer;
      // Labelled points (place_points) keep their label, so the learner sees which is which.
      const label = feature.get('role') === 'answer' && feature.get('label');
      return label ? [...style, labelStyle(String(label))] : style;
    },
    // Drawn missed/extra first, the key last, whatever order the server sent.
    renderOrder: (a, b) => ROLE_ORDER.indexOf(a.get('role')) - ROLE_ORDER.indexOf(b.get('role')),
  });
  layer.set('name', 'feedback');
  mapApi.map.addLayer(layer);

  const section = h('section', { class: 'player-result', hidden: true, 'aria-labelledby': 'player-result-heading' });
  host.append(section);

  function show(result) {
    source.clear();
    const roles = new Set();
    if (result.geometries && Array.isArray(result.geometries.features)) {
      for (const f of readFeatures(result.geometries)) {
        roles.add(f.get('role'));
        source.addFeature(f);
      }
    }
    layer.setVisible(true);

    const score = formatPercent(result.score);
    const verdict = t(result.passed ? 'passed' : 'failed');
    const attempts = result.attempts || exercise.attempts || {};
    const canRetry = !once && (attempts.left === null || attempts.left === undefined || attempts.left > 0);
    const heading = h('h2', { id: 'player-result-heading', tabindex: '-1' }, t('result_heading'));
    const parts = [
      heading,
      h(
        'p',
        { class: 'result-score' },
        h('span', { class: 'score-value' }, t('score', { score })),
        ' ',
        h('span', { class: `verdict ${result.passed ? 'is-passed' : 'is-failed'}` }, h('span', { 'aria-hidden': 'true' }, result.passed ? '✓ ' : '✗ '), verdict),
      ),
      messages(result.feedback),
      metrics(result, exercise, nameOf),
      legend(roles),
      once ? null : h('p', { class: 'attempts-left' }, attemptsText(attempts)),
      canRetry ? h('button', { type: 'button', class: 'retry', onclick: () => onRetry() }, t('retry')) : null,
    ];
    section.replaceChildren(...parts.flat().filter(Boolean));
    section.hidden = false;
    announce(t('a_submitted', { score, verdict }));
    heading.focus();
  }

  function hide() {
    section.hidden = true;
    layer.setVisible(false);
  }

  return { show, hide, layer };
}

export function attemptsText(attempts) {
  if (!attempts || attempts.limit === 0 || attempts.left === null || attempts.left === undefined) return t('attempts_unlimited');
  if (attempts.left === 0) return t('attempts_none');
  return t('attempts_left', { n: attempts.left });
}

function messages(feedback) {
  if (!Array.isArray(feedback) || !feedback.length) return null;
  return h('ul', { class: 'feedback-messages' }, feedback.map((f) => h('li', { 'data-code': f.code }, f.message)));
}

// The measurements worth showing a person, in words and units; anything else is left out.
function metrics(result, exercise, nameOf) {
  const m = result.metrics || {};
  const unit = exercise.question && exercise.question.unit;
  const rows = [];
  const add = (key, value) => rows.push(h('dt', {}, t(key)), h('dd', {}, value));
  const has = (k) => m[k] !== undefined && m[k] !== null;
  if (has('distance_m')) add('m_distance', formatLength(m.distance_m));
  if (has('iou')) add('m_iou', formatNumber(m.iou, 2));
  if (has('hausdorff_m')) add('m_hausdorff', formatLength(m.hausdorff_m));
  if (has('answer_length_m')) add('m_answer_length', formatLength(m.answer_length_m));
  if (has('key_length_m')) add('m_key_length', formatLength(m.key_length_m));
  if (has('answer_area_m2')) add('m_answer_area', formatArea(m.answer_area_m2));
  if (has('key_area_m2')) add('m_key_area', formatArea(m.key_area_m2));
  if (has('missed_area_m2')) add('m_missed_area', formatArea(m.missed_area_m2));
  if (has('extra_area_m2')) add('m_extra_area', formatArea(m.extra_area_m2));
  if (has('precision')) add('m_precision', formatPercent(m.precision));
  if (has('recall')) add('m_recall', formatPercent(m.recall));
  const names = (ids) => ids.map((id) => nameOf(id)).join(', ') || '–';
  if (Array.isArray(m.missing)) add('m_missing', names(m.missing));
  if (Array.isArray(m.extra)) add('m_extra', names(m.extra));
  const withUnit = (v) => `${formatNumber(v, 2)} ${t(UNIT_KEYS[unit] || 'unit_m')}`;
  if (has('answer_value')) add('m_answer_value', withUnit(m.answer_value));
  if (has('key_value')) add('m_key_value', withUnit(m.key_value));
  if (has('relative_error')) add('m_relative_error', formatPercent(m.relative_error));
  if (has('key_n') && has('key_e')) add('m_key_ne', t('pos_sweref', { n: formatNumber(m.key_n, 0), e: formatNumber(m.key_e, 0) }));
  if (m.axes_swapped === true) add('m_axes_swapped', t('yes'));
  if (typeof m.right === 'number') add('m_right', formatNumber(m.right, 0));
  if (typeof m.wrong === 'number') add('m_wrong', formatNumber(m.wrong, 0));
  if (typeof m.missed === 'number') add('m_missed', formatNumber(m.missed, 0));
  if (m.per_label && typeof m.per_label === 'object') {
    for (const [label, v] of Object.entries(m.per_label)) {
      add('m_per_label', `${label}: ${formatLength(v.distance_m)} (${formatPercent(v.score)})`);
    }
  }
  const list = rows.length ? h('dl', { class: 'metrics' }, rows) : null;
  const rules = Array.isArray(m.rules) ? ruleList(m.rules, exercise) : null;
  return [list, rules];
}

// Each rule met or not, named by its description when the server sends one (`text`). Without
// descriptions only the count is shown: the messages of the rules not met are in the feedback.
function ruleList(results, exercise) {
  const rules = (exercise.question && exercise.question.rules) || [];
  const texts = Object.fromEntries(rules.filter((r) => r.text).map((r) => [r.id, r.text]));
  const met = results.filter((r) => r.passed).length;
  if (results.some((r) => !texts[r.id])) {
    return h('div', { class: 'rule-results' }, h('h3', {}, t('rules_heading')), h('p', {}, t('rules_met_count', { met, total: results.length })));
  }
  return h(
    'div',
    { class: 'rule-results' },
    h('h3', {}, t('rules_heading')),
    h(
      'ul',
      {},
      results.map((r) =>
        h(
          'li',
          { class: r.passed ? 'is-passed' : 'is-failed' },
          h('span', { 'aria-hidden': 'true' }, r.passed ? '✓ ' : '✗ '),
          `${texts[r.id] || r.id}: `,
          h('strong', {}, t(r.passed ? 'rule_met' : 'rule_not_met')),
        ),
      ),
    ),
  );
}

// The legend draws each role with the same dash and hatch as the map (styles.js).
function legend(roles) {
  const present = ROLE_ORDER.filter((r) => roles.has(r));
  if (!present.length) return null;
  return h(
    'div',
    { class: 'legend' },
    h('h3', {}, t('legend_heading')),
    h('ul', {}, present.map((role) => h('li', { 'data-role': role }, swatch(role), t(`role_${role}`)))),
  );
}

const SVG = 'http://www.w3.org/2000/svg';
function svg(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  el.append(...children);
  return el;
}

function swatch(role) {
  const r = ROLE[role];
  const patternId = `legend-hatch-${role}`;
  const defs = [];
  let fill = r.fill || 'none';
  if (r.hatch) {
    const lines = [svg('path', { d: 'M0,10 L10,0', stroke: r.colour, 'stroke-width': 2 })];
    if (r.hatch === 'cross') lines.push(svg('path', { d: 'M0,0 L10,10', stroke: r.colour, 'stroke-width': 2 }));
    defs.push(svg('defs', {}, svg('pattern', { id: patternId, width: 10, height: 10, patternUnits: 'userSpaceOnUse' }, ...lines)));
    fill = `url(#${patternId})`;
  }
  const rect = svg('rect', {
    x: 3,
    y: 3,
    width: 34,
    height: 18,
    fill,
    stroke: r.colour,
    'stroke-width': 3,
    ...(r.dash ? { 'stroke-dasharray': r.dash.map((d) => d * 0.6).join(' ') } : {}),
  });
  return svg('svg', { class: 'swatch', width: 40, height: 24, viewBox: '0 0 40 24', 'aria-hidden': 'true', focusable: 'false' }, ...defs, rect);
}
