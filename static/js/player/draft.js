// draft.js: the answer in progress, its undo history and its place in localStorage.
// Why: a learner who has drawn twenty corners must not lose them to a reload, an expired
// session or a dropped connection. Every path (mouse, keyboard, table, list, upload) changes
// the answer through this one store, and every view redraws from it, so they cannot disagree.
// It also keeps the Idempotency-Key of a POST that got no answer, so a retry reuses it.

const VERSION = 1;
const MAX_UNDO = 100;

/** Every field any kind uses; a kind simply ignores the others. */
export function emptyData() {
  return {
    point: null, // [lon, lat]: place_point, site with geometry = "point"
    points: {}, // label -> [lon, lat]: place_points
    vertices: [], // [[lon, lat], …]: draw_line, draw_polygon, site line/polygon
    finished: false, // the learner said the line or polygon is done
    geometry: null, // an uploaded geometry that is not a simple line or polygon (kept as is)
    ids: [], // select_features
    value: '', // measure_length, measure_area: the text as typed
    n: '', // read_coordinates, as typed
    e: '',
    choices: [], // choice
  };
}

const clone = (value) => JSON.parse(JSON.stringify(value));

export function createDraft(exerciseId, kind, storage = safeStorage()) {
  const storageKey = `kartskola:draft:${exerciseId}`;
  const listeners = new Set();
  let history = [];
  let data = emptyData();
  let pending = null;
  let restored = false;

  const saved = read(storage, storageKey);
  if (saved && saved.v === VERSION && saved.kind === kind && saved.data) {
    data = { ...emptyData(), ...saved.data };
    pending = saved.pending || null;
    restored = !isEmpty(data);
  }

  function save() {
    write(storage, storageKey, { v: VERSION, kind, data, pending, saved_at: Date.now() });
  }

  function emit(reason) {
    for (const listener of listeners) listener(data, reason);
  }

  return {
    get data() {
      return data;
    },
    /** True when the page started from a draft saved earlier in this browser. */
    restored,
    isEmpty: () => isEmpty(data),
    /**
     * Change the answer: `mutate` edits a copy. Returns false (and records nothing) when the
     * copy is unchanged, so a click that changes nothing does not fill the undo history.
     */
    update(mutate, reason = 'edit') {
      const next = clone(data);
      mutate(next);
      if (JSON.stringify(next) === JSON.stringify(data)) return false;
      history.push(data);
      if (history.length > MAX_UNDO) history = history.slice(-MAX_UNDO);
      data = next;
      save();
      emit(reason);
      return true;
    },
    /** Start over from `next` (a restored previous answer): not undoable. */
    replace(next, reason = 'replace') {
      data = { ...emptyData(), ...clone(next) };
      history = [];
      save();
      emit(reason);
    },
    canUndo: () => history.length > 0,
    undo() {
      if (!history.length) return false;
      data = history.pop();
      save();
      emit('undo');
      return true;
    },
    /** The Idempotency-Key and body of a POST that has not been answered yet. */
    get pending() {
      return pending;
    },
    setPending(value) {
      pending = value;
      save();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

function isEmpty(data) {
  return JSON.stringify({ ...data, finished: false }) === JSON.stringify({ ...emptyData() });
}

// localStorage can be missing or full (private windows, strict settings): the player must
// still work, only without surviving a reload.
function safeStorage() {
  try {
    const s = globalThis.localStorage;
    const probe = '__kartskola_probe__';
    s.setItem(probe, '1');
    s.removeItem(probe);
    return s;
  } catch {
    return null;
  }
}

function read(storage, key) {
  if (!storage) return null;
  try {
    return JSON.parse(storage.getItem(key) || 'null');
  } catch {
    return null;
  }
}

function write(storage, key, value) {
  if (!storage) return;
  try {
    storage.setItem(key, JSON.stringify(value));
  } catch {
    // Full storage: keep working in memory.
  }
}
