// tools.js: the controls of each kind of exercise.
// Why: each kind is answered differently: a point, several labelled points, a line or polygon
// to draw and edit, features to select, a number with its unit, a coordinate pair, options.
// This module builds the right controls for the kind next to the map (the map side itself is
// sketch.js), and keeps them in step with the draft whichever path changed it.

import { h, uid } from './dom.js';
import { t, formatLonLat } from './i18n.js';
import { announce } from './announce.js';

/** Which of several labels (place_points) the next point gets. */
export function createLabels(exercise, draft) {
  const all = (exercise.question && exercise.question.labels) || [];
  let active = all.find((l) => !draft.data.points[l]) || all[0] || null;
  const listeners = new Set();
  const set = (label, quiet) => {
    if (!all.includes(label) || label === active) return;
    active = label;
    for (const fn of listeners) fn(active);
    if (!quiet) announce(t('a_label_active', { label }));
  };
  return {
    all,
    active: () => active,
    set,
    /** After a point is placed: on to the next label without a point, if any. */
    advance() {
      const next = all.find((l) => !draft.data.points[l]);
      if (next) set(next);
    },
    onChange: (fn) => listeners.add(fn),
  };
}

const UNIT_KEYS = { m: 'unit_m', km: 'unit_km', m2: 'unit_m2', ha: 'unit_ha', km2: 'unit_km2' };

// Names of the SWEREF 99 projections a read_coordinates exercise may ask for: proper names,
// the same in every language, so they are data rather than UI strings.
const CRS_NAMES = {
  'EPSG:3006': 'SWEREF 99 TM',
  'EPSG:3007': 'SWEREF 99 12 00',
  'EPSG:3008': 'SWEREF 99 13 30',
  'EPSG:3009': 'SWEREF 99 15 00',
  'EPSG:3010': 'SWEREF 99 16 30',
  'EPSG:3011': 'SWEREF 99 18 00',
  'EPSG:3012': 'SWEREF 99 14 15',
  'EPSG:3013': 'SWEREF 99 15 45',
  'EPSG:3014': 'SWEREF 99 17 15',
  'EPSG:3015': 'SWEREF 99 18 45',
  'EPSG:3016': 'SWEREF 99 20 15',
  'EPSG:3017': 'SWEREF 99 21 45',
  'EPSG:3018': 'SWEREF 99 23 15',
};

/**
 * The toolbar over the map (undo, clear, finish) and, in `form`, the answer controls of the
 * kind. Returns `setEditable(on)` to lock everything while an answer is sent or graded.
 */
export function createTools({ exercise, mode, draft, sketch, labels, toolbar, form }) {
  const lockable = [];
  let undoButton = null;
  const spatial = ['point', 'points', 'line', 'polygon'].includes(mode);
  const drawing = mode === 'line' || mode === 'polygon';

  // Toolbar: always visible for the answer drawn on the map.
  if (spatial || mode === 'select') {
    const hint = {
      point: 'hint_point',
      points: 'hint_points',
      line: 'hint_line',
      polygon: 'hint_polygon',
      select: 'hint_select',
    }[mode];
    const undo = h('button', { type: 'button', class: 'tool', onclick: () => draft.undo() && announce(t('a_undone')) }, t('undo'));
    const clear = h(
      'button',
      {
        type: 'button',
        class: 'tool',
        onclick: () => {
          if (draft.update((d) => clearFor(mode, d), 'clear')) announce(t('a_cleared'));
        },
      },
      t('clear'),
    );
    const finish = drawing
      ? h('button', { type: 'button', class: 'tool tool-primary', onclick: () => (draft.data.finished ? sketch.reopen() : sketch.finish()) }, t('finish'))
      : null;
    const status = h('span', { class: 'tool-status' });
    toolbar.append(h('div', { class: 'tool-buttons' }, undo, clear, finish, status), h('p', { class: 'tool-hint' }, t(hint)));
    lockable.push(undo, clear, finish);
    const update = () => {
      undo.disabled = !draft.canUndo();
      if (finish) finish.textContent = draft.data.finished ? t('continue_drawing') : t('finish');
      status.textContent = statusText(mode, draft.data, labels);
    };
    draft.subscribe(update);
    update();
    undoButton = undo;
  }

  if (mode === 'points') form.append(labelPicker(labels, draft, lockable));
  if (mode === 'value') form.append(valueField(exercise, draft, lockable));
  if (mode === 'coordinates') form.append(coordinateFields(exercise, draft, lockable));
  if (mode === 'choice') form.append(choiceFields(exercise, draft, lockable));
  if (exercise.kind === 'site') form.prepend(siteRules(exercise));
  if (spatial) form.append(answerSummary(mode, draft, labels));

  return {
    setEditable(on) {
      for (const el of lockable) if (el) el.disabled = !on;
      if (on && undoButton) undoButton.disabled = !draft.canUndo();
    },
  };
}

function clearFor(mode, d) {
  if (mode === 'point') d.point = null;
  if (mode === 'points') d.points = {};
  if (mode === 'line' || mode === 'polygon') {
    d.vertices = [];
    d.geometry = null;
    d.finished = false;
  }
  if (mode === 'select') d.ids = [];
}

function statusText(mode, d, labels) {
  if (mode === 'line' || mode === 'polygon') return d.geometry ? t('uploaded_shape') : t('vertex_count', { n: d.vertices.length });
  if (mode === 'select') return t('selected_count', { n: d.ids.length });
  if (mode === 'points') return t('placed_count', { n: Object.keys(d.points).length, total: labels.all.length });
  return '';
}

// Which label the next click places, as radio buttons that also show what is placed.
function labelPicker(labels, draft, lockable) {
  const name = uid('label');
  const items = labels.all.map((label) => {
    const input = h('input', {
      type: 'radio',
      name,
      value: label,
      id: uid('label-option'),
      onchange: () => labels.set(label),
    });
    lockable.push(input);
    const state = h('span', { class: 'label-state' });
    return { label, input, state, li: h('li', {}, input, h('label', { for: input.id }, label, ' ', state)) };
  });
  const update = () => {
    for (const item of items) {
      item.input.checked = item.label === labels.active();
      const placed = draft.data.points[item.label];
      item.state.textContent = placed ? `(${t('placed')})` : `(${t('not_placed')})`;
      item.li.classList.toggle('is-placed', Boolean(placed));
    }
  };
  labels.onChange(update);
  draft.subscribe(update);
  update();
  return h('fieldset', { class: 'label-picker' }, h('legend', {}, t('label_picker_legend')), h('ul', {}, items.map((i) => i.li)));
}

function valueField(exercise, draft, lockable) {
  const unit = exercise.question && exercise.question.unit;
  const id = uid('value');
  const input = h('input', {
    id,
    type: 'text',
    inputmode: 'decimal',
    autocomplete: 'off',
    class: 'number-input',
    value: draft.data.value,
    oninput: () => draft.update((d) => (d.value = input.value), 'typing'),
  });
  lockable.push(input);
  draft.subscribe((d) => {
    if (input.value !== d.value) input.value = d.value;
  });
  return h(
    'p',
    { class: 'value-field' },
    h('label', { for: id }, t('value_label')),
    h('span', { class: 'input-with-unit' }, input, h('span', { class: 'unit' }, t(UNIT_KEYS[unit] || 'unit_m'))),
  );
}

function coordinateFields(exercise, draft, lockable) {
  const crs = (exercise.question && exercise.question.crs) || 'EPSG:3006';
  const field = (axis, labelKey) => {
    const id = uid(`read-${axis}`);
    const input = h('input', {
      id,
      type: 'text',
      inputmode: 'decimal',
      autocomplete: 'off',
      class: 'number-input',
      value: draft.data[axis],
      oninput: () => draft.update((d) => (d[axis] = input.value), 'typing'),
    });
    lockable.push(input);
    draft.subscribe((d) => {
      if (input.value !== d[axis]) input.value = d[axis];
    });
    return h('p', {}, h('label', { for: id }, t(labelKey)), input);
  };
  return h(
    'fieldset',
    { class: 'coordinate-fields' },
    h('legend', {}, t('read_legend', { crs: CRS_NAMES[crs] || crs })),
    field('n', 'read_n'),
    field('e', 'read_e'),
  );
}

function choiceFields(exercise, draft, lockable) {
  const multiple = Boolean(exercise.question && exercise.question.multiple);
  const name = uid('choice');
  const inputs = [];
  const items = ((exercise.question && exercise.question.options) || []).map((option) => {
    const input = h('input', {
      type: multiple ? 'checkbox' : 'radio',
      name,
      value: option.id,
      id: uid('option'),
      onchange: () =>
        draft.update((d) => {
          const chosen = inputs.filter((i) => i.checked).map((i) => i.value);
          d.choices = chosen;
        }, 'choice'),
    });
    inputs.push(input);
    lockable.push(input);
    return h('li', {}, input, h('label', { for: input.id }, option.text));
  });
  const update = (d) => {
    for (const input of inputs) input.checked = d.choices.includes(input.value);
  };
  draft.subscribe(update);
  update(draft.data);
  return h(
    'fieldset',
    { class: 'choice-fields' },
    h('legend', {}, t(multiple ? 'choice_legend_multiple' : 'choice_legend_single')),
    h('ul', {}, items),
  );
}

// The rules as the author described them, when the server sends a description (`text`);
// otherwise the prompt already lists them and a second list would only repeat it.
function siteRules(exercise) {
  const rules = ((exercise.question && exercise.question.rules) || []).filter((r) => r.text);
  if (!rules.length) return null;
  return h(
    'div',
    { class: 'site-rules' },
    h('h2', {}, t('site_rules_heading')),
    h('ol', {}, rules.map((r) => h('li', {}, r.text))),
  );
}

// A short text of the answer so far, for everyone: what is placed, where.
function answerSummary(mode, draft, labels) {
  const p = h('p', { class: 'answer-summary' });
  const update = (d) => {
    if (mode === 'point') p.textContent = d.point ? t('summary_point', { pos: formatLonLat(d.point) }) : t('summary_none');
    else if (mode === 'points') {
      const placed = labels.all.filter((l) => d.points[l]);
      p.textContent = placed.length ? placed.map((l) => `${l}: ${formatLonLat(d.points[l])}`).join('; ') : t('summary_none');
    } else if (d.geometry) p.textContent = t('uploaded_shape');
    else p.textContent = d.vertices.length ? t(mode === 'line' ? 'summary_line' : 'summary_polygon', { n: d.vertices.length }) : t('summary_none');
  };
  draft.subscribe(update);
  update(draft.data);
  return h('div', { class: 'answer-summary-box' }, h('h2', { class: 'answer-heading' }, t('answer_heading')), p);
}
