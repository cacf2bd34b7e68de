// accessible.js: answering without seeing the map.
// Why: a map exercise must be possible for someone who cannot see the map or use a pointer
// (WCAG 1.1.1, 2.1.1). The same server grades these paths as the mouse path, because they edit
// the same draft: a coordinate table for points and for the corners of a line or polygon
// (WGS 84 or SWEREF 99 TM), a searchable list of the features to select, a GeoJSON upload for
// drawings, the map's question shape as text, and the author's alternative exercise if any.

import { h, uid } from './dom.js';
import { t, formatInput, formatLonLat, parseNumber, currentLang } from './i18n.js';
import { announce } from './announce.js';
import { fromLonLat, toLonLat } from './map.js';
import { draftFromGeometry, roundLonLat } from './answer.js';

export function createAccessible({ exercise, mode, draft, sketch, labels, host }) {
  const lockable = [];
  if (exercise.accessible_alternative) {
    const alt = exercise.accessible_alternative;
    host.append(
      h('p', { class: 'alternative-link' }, h('a', { href: `/exercises/${encodeURIComponent(alt.id)}` }, t('alternative_link', { title: alt.title }))),
    );
  }
  if (mode === 'point' || mode === 'points' || mode === 'line' || mode === 'polygon') {
    host.append(coordinateTable({ mode, draft, labels, lockable }));
  }
  if (mode === 'line' || mode === 'polygon') host.append(upload({ mode, draft, lockable }));
  if (mode === 'select') host.append(featureList({ draft, sketch, lockable }));
  if (exercise.question && exercise.question.geometry && typeof exercise.question.geometry === 'object') {
    host.append(questionAsText(exercise));
  }
  return {
    setEditable(on) {
      for (const el of lockable) el.disabled = !on;
    },
  };
}

// ---- the coordinate table --------------------------------------------------------------

const AXES = {
  wgs84: [
    { key: 'lat', label: 'col_lat' },
    { key: 'lon', label: 'col_lon' },
  ],
  sweref: [
    { key: 'n', label: 'col_n' },
    { key: 'e', label: 'col_e' },
  ],
};

/** Two input strings for a lon/lat in the chosen system. */
function toFields(crs, lonLat) {
  if (!lonLat) return ['', ''];
  if (crs === 'sweref') {
    const [e, n] = fromLonLat(lonLat);
    return [formatInput(n, 2), formatInput(e, 2)];
  }
  return [formatInput(lonLat[1], 6), formatInput(lonLat[0], 6)];
}

/** A lon/lat from two typed strings, or an error key. */
function fromFields(crs, a, b) {
  const x = parseNumber(a);
  const y = parseNumber(b);
  if (String(a).trim() === '' || String(b).trim() === '') return { error: 'coordinate_incomplete' };
  if (x === null || y === null) return { error: 'invalid_number' };
  if (crs === 'sweref') return { lonLat: roundLonLat(toLonLat([y, x])) };
  if (Math.abs(x) > 90 || Math.abs(y) > 180) return { error: Math.abs(x) > 1000 ? 'looks_like_sweref' : 'out_of_range' };
  return { lonLat: roundLonLat([y, x]) };
}

function coordinateTable({ mode, draft, labels, lockable }) {
  const drawing = mode === 'line' || mode === 'polygon';
  let crs = 'wgs84';
  const selectId = uid('crs');
  const select = h(
    'select',
    { id: selectId },
    h('option', { value: 'wgs84' }, t('crs_wgs84')),
    h('option', { value: 'sweref' }, t('crs_sweref')),
  );
  select.addEventListener('change', () => {
    crs = select.value;
    build(true);
  });
  const head = h('tr');
  const body = h('tbody');
  const errorId = uid('table-error');
  const error = h('p', { class: 'field-error', id: errorId, role: 'alert', hidden: true });
  const caption = t(drawing ? 'table_caption_vertices' : 'table_caption_points');
  const table = h('table', { class: 'coordinate-table' }, h('caption', {}, caption), h('thead', {}, head), body);

  const showError = (key) => {
    error.hidden = !key;
    error.textContent = key ? t(key, { example: formatInput(65.584, 3) }) : '';
  };

  // Rows: one per point (or label), one per corner.
  const rows = () => {
    const d = draft.data;
    if (mode === 'point') return [{ name: t('row_point'), ref: t('row_point_ref'), lonLat: d.point }];
    if (mode === 'points') return labels.all.map((label) => ({ name: label, ref: label, label, lonLat: d.points[label] }));
    return d.vertices.map((lonLat, i) => ({
      name: t('row_vertex', { n: i + 1 }),
      ref: t('vertex_ref', { n: i + 1 }),
      index: i,
      lonLat,
    }));
  };

  function commit(row, inputs) {
    const result = fromFields(crs, inputs[0].value, inputs[1].value);
    if (result.error) {
      // An empty pair is simply not filled in yet; anything else is explained.
      const empty = !inputs[0].value.trim() && !inputs[1].value.trim();
      if (!empty) {
        for (const input of inputs) input.setAttribute('aria-invalid', 'true');
        showError(result.error);
      }
      return;
    }
    for (const input of inputs) input.removeAttribute('aria-invalid');
    showError(null);
    const lonLat = result.lonLat;
    if (mode === 'point') {
      if (draft.update((d) => (d.point = lonLat), 'table')) announce(t('a_point_placed', { pos: formatLonLat(lonLat) }));
    } else if (mode === 'points') {
      if (draft.update((d) => (d.points[row.label] = lonLat), 'table')) {
        announce(t('a_label_placed', { label: row.label, pos: formatLonLat(lonLat) }));
      }
    } else if (draft.update((d) => (d.vertices[row.index] = lonLat), 'table')) {
      announce(t('a_vertex_moved', { n: row.index + 1, pos: formatLonLat(lonLat) }));
    }
  }

  function removeRow(row) {
    if (mode === 'point') {
      if (draft.update((d) => (d.point = null), 'table')) announce(t('a_point_removed'));
    } else if (mode === 'points') {
      if (draft.update((d) => delete d.points[row.label], 'table')) announce(t('a_label_removed', { label: row.label }));
    } else if (
      draft.update((d) => {
        d.vertices.splice(row.index, 1);
        d.finished = false;
      }, 'table')
    ) {
      announce(t('a_vertex_removed', { n: row.index + 1 }));
    }
  }

  // A new corner halfway to the next one (or next to the last), ready to be edited.
  function insertAfter(row) {
    const v = draft.data.vertices;
    const a = v[row.index];
    const b = v[(row.index + 1) % v.length];
    const mid = b && b !== a ? [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2] : [a[0] + 0.01, a[1]];
    draft.update((d) => d.vertices.splice(row.index + 1, 0, roundLonLat(mid)), 'table');
    announce(t('a_vertex_inserted', { n: row.index + 2, count: draft.data.vertices.length }));
    focusCell(row.index + 1, 0);
  }

  function focusCell(rowIndex, col) {
    const input = body.querySelector(`[data-row="${rowIndex}"][data-col="${col}"]`);
    if (input) input.focus();
  }

  // Rebuilding while someone types would lose their focus: rebuild only when the rows
  // changed in number or system, otherwise just refresh the values not being edited.
  let shape = '';
  function build(force) {
    const list = rows();
    const nextShape = `${crs}:${list.length}:${list.map((r) => r.name).join('|')}`;
    if (!force && nextShape === shape) {
      list.forEach((row, r) => {
        const values = toFields(crs, row.lonLat);
        values.forEach((value, c) => {
          const input = body.querySelector(`[data-row="${r}"][data-col="${c}"]`);
          if (input && document.activeElement !== input && parseNumber(input.value) !== parseNumber(value)) input.value = value;
        });
      });
      return;
    }
    const focused = document.activeElement && body.contains(document.activeElement) ? document.activeElement : null;
    const refocus = focused && { row: focused.dataset.row, col: focused.dataset.col, action: focused.dataset.action };
    shape = nextShape;
    head.replaceChildren(
      h('th', { scope: 'col' }, t(drawing ? 'col_vertex' : 'col_point')),
      ...AXES[crs].map((a) => h('th', { scope: 'col' }, t(a.label))),
      h('th', { scope: 'col' }, t('col_actions')),
    );
    body.replaceChildren(
      ...list.map((row, r) => {
        const inputs = toFields(crs, row.lonLat).map((value, c) => {
          const input = h('input', {
            type: 'text',
            inputmode: 'decimal',
            autocomplete: 'off',
            class: 'number-input',
            value,
            'data-row': r,
            'data-col': c,
            'aria-label': t('cell_label', { axis: t(AXES[crs][c].label), row: row.name }),
            'aria-describedby': errorId,
          });
          lockable.push(input);
          return input;
        });
        for (const input of inputs) input.addEventListener('change', () => commit(row, inputs));
        const actions = [
          h('button', { type: 'button', class: 'tool small', 'data-row': r, 'data-action': 'remove', onclick: () => removeRow(row) }, t('remove_row', { row: row.ref })),
        ];
        if (drawing) {
          actions.unshift(
            h('button', { type: 'button', class: 'tool small', 'data-row': r, 'data-action': 'insert', onclick: () => insertAfter(row) }, t('insert_after', { row: row.ref })),
          );
        }
        lockable.push(...actions);
        return h('tr', {}, h('th', { scope: 'row' }, row.name), ...inputs.map((i) => h('td', {}, i)), h('td', {}, h('div', { class: 'row-actions' }, actions)));
      }),
    );
    if (refocus) {
      const selector = refocus.action
        ? `[data-row="${refocus.row}"][data-action="${refocus.action}"]`
        : `[data-row="${refocus.row}"][data-col="${refocus.col}"]`;
      const again = body.querySelector(selector) || addInputs[0];
      if (again) again.focus();
    }
  }

  // Drawing: a row of its own to add a corner at the end.
  const addInputs = [];
  let addRow = null;
  if (drawing) {
    const pair = [0, 1].map((c) => {
      const id = uid('add-coordinate');
      const input = h('input', { id, type: 'text', inputmode: 'decimal', autocomplete: 'off', class: 'number-input', 'aria-describedby': errorId });
      const label = h('label', { for: id });
      addInputs.push(input);
      lockable.push(input);
      return { input, label, c };
    });
    const addButton = h('button', { type: 'button', class: 'tool' }, t('add_vertex'));
    lockable.push(addButton);
    const add = () => {
      const result = fromFields(crs, addInputs[0].value, addInputs[1].value);
      if (result.error) return showError(result.error);
      showError(null);
      draft.update((d) => {
        d.vertices.push(result.lonLat);
        d.geometry = null;
      }, 'table');
      announce(t('a_vertex_added', { n: draft.data.vertices.length }));
      addInputs.forEach((i) => (i.value = ''));
      addInputs[0].focus();
    };
    addButton.addEventListener('click', add);
    for (const input of addInputs) {
      input.addEventListener('keydown', (event) => {
        if (event.key === 'Enter') {
          event.preventDefault();
          add();
        }
      });
    }
    const relabel = () => pair.forEach(({ label, c }) => (label.textContent = t(AXES[crs][c].label)));
    select.addEventListener('change', relabel);
    relabel();
    addRow = h(
      'fieldset',
      { class: 'add-vertex' },
      h('legend', {}, t('add_vertex_legend')),
      pair.map(({ input, label }) => h('span', { class: 'inline-field' }, label, input)),
      addButton,
    );
  }

  // Enter in a cell commits it (change fires) without submitting anything else.
  body.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && event.target.matches('input')) {
      event.preventDefault();
      event.target.dispatchEvent(new Event('change'));
    }
  });

  draft.subscribe(() => build(false));
  build(true);

  return h(
    'details',
    { class: 'access-block coordinate-block' },
    h('summary', {}, t(drawing ? 'table_summary_vertices' : 'table_summary_points')),
    h('p', { class: 'help' }, t('table_help')),
    h('p', {}, h('label', { for: selectId }, t('crs_label')), ' ', select),
    table,
    addRow,
    error,
  );
}

// ---- the feature list ------------------------------------------------------------------

const fold = (s) =>
  String(s)
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();

function featureList({ draft, sketch, lockable }) {
  const searchId = uid('feature-search');
  const search = h('input', { id: searchId, type: 'search', autocomplete: 'off' });
  const count = h('p', { class: 'list-count', role: 'status' });
  const list = h('ul', { class: 'feature-list' });
  const fieldset = h('fieldset', {}, h('legend', {}, t('list_legend')), list);
  const block = h(
    'details',
    { class: 'access-block list-block' },
    h('summary', {}, t('list_summary')),
    h('p', {}, h('label', { for: searchId }, t('list_search')), ' ', search),
    count,
    fieldset,
  );
  lockable.push(search);
  let items = [];

  const filter = () => {
    const q = fold(search.value.trim());
    let shown = 0;
    for (const item of items) {
      const visible = !q || item.folded.includes(q);
      item.li.hidden = !visible;
      if (visible) shown += 1;
    }
    count.textContent = t('list_count', { shown, total: items.length });
  };
  search.addEventListener('input', filter);

  Promise.resolve(sketch.selectLoading).then(() => {
    const collator = new Intl.Collator(currentLang() === 'en' ? 'en' : 'sv');
    const features = sketch.selectSource
      .getFeatures()
      .map((f) => ({ id: f.getId(), name: String(f.get('name') || f.getId()) }))
      .sort((a, b) => collator.compare(a.name, b.name));
    items = features.map(({ id, name }) => {
      const input = h('input', { type: 'checkbox', id: uid('feature'), value: id });
      input.addEventListener('change', () => sketch.toggle(id, input.checked));
      lockable.push(input);
      const li = h('li', {}, input, h('label', { for: input.id }, name));
      return { id, input, li, folded: fold(name) };
    });
    list.replaceChildren(...items.map((i) => i.li));
    sync();
    filter();
  });

  const sync = () => {
    for (const item of items) item.input.checked = draft.data.ids.includes(item.id);
  };
  draft.subscribe(sync);
  return block;
}

// ---- GeoJSON upload --------------------------------------------------------------------

function upload({ mode, draft, lockable }) {
  const id = uid('upload');
  const input = h('input', { id, type: 'file', accept: '.geojson,.json,application/geo+json,application/json' });
  const message = h('p', { class: 'upload-message', role: 'status' });
  lockable.push(input);
  input.addEventListener('change', async () => {
    const file = input.files && input.files[0];
    if (!file) return;
    let object;
    try {
      object = JSON.parse(await file.text());
    } catch {
      message.textContent = t('upload_bad_json');
      message.classList.add('is-error');
      return;
    }
    const result = draftFromGeometry(mode, object);
    if (result.error) {
      message.textContent = t(result.error, { ...(result.vars || {}), expected: t(mode === 'line' ? 'geom_line' : 'geom_polygon') });
      message.classList.add('is-error');
      return;
    }
    draft.update((d) => Object.assign(d, result.data), 'upload');
    const what = result.data.geometry
      ? t('uploaded_shape')
      : t(mode === 'line' ? 'shape_line' : 'shape_polygon', { n: result.data.vertices.length });
    message.classList.remove('is-error');
    message.textContent = t('upload_ok', { what });
    announce(message.textContent);
    input.value = '';
  });
  return h(
    'details',
    { class: 'access-block upload-block' },
    h('summary', {}, t('upload_summary')),
    h('p', { class: 'help' }, t('upload_help', { type: t(mode === 'line' ? 'geom_line' : 'geom_polygon') })),
    h('p', {}, h('label', { for: id }, t('upload_label')), ' ', input),
    message,
  );
}

// ---- the question's shape as text ------------------------------------------------------

// The line to measure or the point to read, in words: the text alternative of what the map
// shows (WCAG 1.1.1). Long rings are listed in full; the list sits in a closed disclosure.
function questionAsText(exercise) {
  const geometry = exercise.question.geometry;
  const positions = [];
  const walk = (c) => (typeof c[0] === 'number' ? positions.push(c) : c.forEach(walk));
  walk(geometry.coordinates || []);
  const key =
    geometry.type === 'Point' ? 'map_text_point' : geometry.type.endsWith('Polygon') ? 'map_text_polygon' : 'map_text_line';
  // A long list scrolls in its own box, which must then be reachable with the keyboard.
  const introId = uid('map-text');
  return h(
    'details',
    { class: 'access-block map-text-block' },
    h('summary', {}, t('map_text_summary')),
    h('p', { id: introId }, t(key, { n: positions.length })),
    h(
      'div',
      { class: 'position-scroll', tabindex: '0', role: 'region', 'aria-labelledby': introId },
      h('ol', { class: 'position-list' }, positions.map((p) => h('li', {}, formatLonLat(p)))),
    ),
  );
}
