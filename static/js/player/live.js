// live.js: the player inside a live session (the participant page, /live/{code}).
// Why: a live round is the same exercise answered in the same ways (map, keyboard, coordinate
// tables, feature list, forms), so the participant page runs the player rather than a second,
// poorer answer form. What differs lives here: the trainer's event stream decides when
// answering is open; a new round reloads the page, which the server renders with the next
// exercise; a reveal draws the key for everyone at once and says it in words beside the map.

import { readFeatures, toLonLat } from './map.js';
import { roleStyle } from './styles.js';
import { fill, formatArea, formatLength, formatLonLat } from './i18n.js';

const ol = globalThis.ol;

/**
 * Follows the session's event stream. `onState(state)` gets 'open', 'closed', 'revealed' or
 * 'ended'; the status line says where the session stands. Returns `answered()`, called once the
 * round's answer is stored.
 */
export function followLive({ live, mapApi, nameOf = (id) => id, onState }) {
  const s = live.strings;
  const statusEl = document.getElementById('live-status');
  const keyBox = document.getElementById('live-key');
  const keySource = new ol.source.Vector();
  mapApi.map.addLayer(new ol.layer.Vector({ source: keySource, zIndex: 30, style: roleStyle('key') }));
  let answered = false;
  let state = null;

  function say() {
    const text = { open: answered ? s.answered : s.open, closed: s.closed, revealed: s.revealed, ended: s.ended }[state];
    if (statusEl && text && statusEl.textContent !== text) statusEl.textContent = text;
  }

  // The server measures each line and area of the key (`summary`): length and ends, or size
  // and centre, so the key can be followed without seeing the map.
  function inWords(f) {
    const g = f.getGeometry();
    if (g.getType() === 'Point') {
      return fill(s.key_point, { pos: formatLonLat(toLonLat(g.getCoordinates())) });
    }
    const sum = f.get('summary') || {};
    if (sum.length_m !== undefined) {
      return fill(s.key_line, { length: formatLength(sum.length_m), from: formatLonLat(sum.from), to: formatLonLat(sum.to) });
    }
    if (sum.area_m2 !== undefined) {
      return fill(s.key_area, { area: formatArea(sum.area_m2), pos: formatLonLat(sum.centre) });
    }
    return s.key_shown;
  }

  function showKey(collection) {
    if (keySource.getFeatures().length > 0) return;
    const features = readFeatures(collection);
    keySource.addFeatures(features);
    mapApi.map.getTargetElement().dataset.keyFeatures = String(features.length);
    if (!keyBox || features.length === 0) return;
    const items = features.map((f) => {
      const what = inWords(f);
      const id = f.get('id');
      const name = id === undefined ? null : nameOf(id);
      return name && name !== id ? fill(s.key_named, { name, what }) : what;
    });
    const heading = document.createElement('h3');
    heading.textContent = s.key_heading;
    const list = document.createElement('ul');
    for (const text of items) {
      const li = document.createElement('li');
      li.textContent = text;
      list.append(li);
    }
    keyBox.replaceChildren(heading, list);
    keyBox.hidden = false;
  }

  const events = new EventSource(live.events_url);
  events.addEventListener('state', (event) => {
    let data;
    try {
      data = JSON.parse(event.data);
    } catch {
      return;
    }
    // A new stream replays the session from its start: earlier rounds are history.
    if (data.round < live.round) return;
    if (data.round > live.round) {
      // The trainer moved on: the server renders the page with the next exercise.
      events.close();
      globalThis.location.reload();
      return;
    }
    state = data.state;
    if (data.key) showKey(data.key);
    onState(state);
    say();
    if (state === 'ended') events.close();
  });

  return {
    answered() {
      answered = true;
      say();
    },
  };
}
