// main.js: the exercise page's entry point.
// Why: the server renders the page with a JSON config (no inline script: the CSP forbids it);
// this reads it, fetches the exercise, and wires the modules together: map, draft, tools for
// the kind, keyboard, accessible paths, submit and feedback. Nothing here knows a kind's details.
// With `config.live` the same player answers a live session's round (live.js): one answer, sent
// to the session, while the trainer keeps answering open.

import { initStrings, t, parseNumber, formatInput } from './i18n.js';
import { initAnnouncer, announce } from './announce.js';
import { registerProjections, createMap, readFeatures } from './map.js';
import { createDraft } from './draft.js';
import { answerMode, buildAnswer, draftFromAnswer, isSpatial } from './answer.js';
import { createSketch } from './sketch.js';
import { createLabels, createTools } from './tools.js';
import { createHelpers } from './helpers.js';
import { initKeyboard } from './keyboard.js';
import { createAccessible } from './accessible.js';
import { createSubmitter } from './submit.js';
import { createFeedback, attemptsText } from './feedback.js';
import { h } from './dom.js';
import { followLive } from './live.js';

const root = document.getElementById('player');
const configElement = document.getElementById('kartskola-player-config');

if (root && configElement) {
  let config = null;
  try {
    config = JSON.parse(configElement.textContent);
  } catch {
    config = null;
  }
  boot(config).catch((error) => {
    console.error(error);
    root.dataset.state = 'failed';
    // Without a config there are no strings to say it in; the server always sends one.
    if (!config) return;
    const panel = root.querySelector('#player-panel') || root;
    panel.replaceChildren(h('p', { class: 'player-error', role: 'alert' }, t('load_failed')));
  });
}

/** The elements the template provides; any it lacks are made here so the player still works. */
function skeleton() {
  const find = (id, make) => document.getElementById(id) || make();
  const mapEl = find('player-map', () => root.appendChild(h('div', { id: 'player-map', class: 'player-map', tabindex: '0' })));
  const area = mapEl.parentElement;
  const toolbar = find('player-toolbar', () => {
    const el = h('div', { id: 'player-toolbar', class: 'player-toolbar', role: 'group' });
    area.insertBefore(el, mapEl);
    return el;
  });
  const crosshairStatus = find('player-crosshair-status', () => {
    const el = h('p', { id: 'player-crosshair-status', class: 'crosshair-status' });
    mapEl.after(el);
    return el;
  });
  const helpers = find('player-helpers', () => {
    const el = h('div', { id: 'player-helpers', class: 'player-helpers' });
    crosshairStatus.after(el);
    return el;
  });
  const panel = find('player-panel', () => root.appendChild(h('div', { id: 'player-panel', class: 'player-panel' })));
  const announcer = find('player-announcer', () => root.appendChild(h('div', { id: 'player-announcer', class: 'visually-hidden' })));
  const description = find('player-map-description', () => {
    const el = h('p', { id: 'player-map-description', class: 'map-description' });
    mapEl.after(el);
    return el;
  });
  if (!mapEl.querySelector('.player-crosshair')) mapEl.append(h('div', { class: 'player-crosshair', 'aria-hidden': 'true' }));
  return { mapEl, toolbar, crosshairStatus, helpers, panel, announcer, description };
}

async function boot(config) {
  if (!config) throw new Error('no player config');
  initStrings(config.strings, config.lang);
  const els = skeleton();
  initAnnouncer(els.announcer);

  const response = await fetch(config.exercise_api, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  if (!response.ok) throw new Error(`exercise: HTTP ${response.status}`);
  const exercise = await response.json();
  const mode = answerMode(exercise);
  if (!mode) throw new Error(`unknown kind ${exercise.kind}`);
  root.dataset.kind = exercise.kind;
  root.dataset.mode = mode;
  if (!exercise.map) {
    // A question without a map (the content format allows it for choice and number kinds):
    // the player still runs on an empty, hidden map so every module keeps one shape.
    exercise.map = { extent: [10.5, 55.0, 24.5, 69.2], layers: [], tools: [], description: '' };
    els.mapEl.parentElement.hidden = true;
  }
  if (!els.description.textContent.trim() && exercise.map.description) els.description.textContent = exercise.map.description;
  els.toolbar.setAttribute('aria-label', t('tools_label'));

  registerProjections();
  const notices = h('div', { class: 'player-notices' });
  const mapApi = createMap(els.mapEl, exercise, config, (name) =>
    notices.append(h('p', { class: 'notice' }, t('layer_failed', { name }))),
  );
  if (exercise.question && exercise.question.geometry && typeof exercise.question.geometry === 'object') {
    mapApi.questionSource.addFeatures(readFeatures({ type: 'Feature', properties: {}, geometry: exercise.question.geometry }));
  }

  const live = config.live || null;
  if (live) {
    // One answer per round, not an attempt: no attempt count, nothing from self-paced work.
    exercise.attempts = null;
    exercise.last_answer = null;
  }
  const draft = createDraft(live ? `live:${live.code}:${live.round}:${exercise.id}` : exercise.id, exercise.kind);
  if (draft.restored) {
    announce(t('a_restored'));
  } else if (exercise.last_answer) {
    const previous = draftFromAnswer(exercise, exercise.last_answer, (v) => formatInput(v, 6));
    if (previous) {
      draft.replace(previous);
      announce(t('a_from_last'));
    }
  }

  let state = 'edit';
  const isEditable = () => state === 'edit';
  const labels = createLabels(exercise, draft);
  const helpers = createHelpers({ mapApi, exercise, host: els.helpers });
  const sketch = createSketch({ mapApi, exercise, mode, draft, labels, isEditable, isBusy: () => helpers.measuring() });

  const form = h('form', { class: 'answer-form', novalidate: true });
  const tools = createTools({ exercise, mode, draft, sketch, labels, toolbar: els.toolbar, form });
  const accessHost = h('div', { class: 'player-access' });
  const accessible = createAccessible({ exercise, mode, draft, sketch, labels, host: accessHost });
  const submitButton = h('button', { type: 'submit', class: 'submit-answer' }, t('submit'));
  const errorBox = h('div', { id: 'player-error', class: 'player-error', role: 'alert', hidden: true });
  const attemptsInfo = h('p', { class: 'attempts-info' }, live ? '' : attemptsText(exercise.attempts));
  form.append(h('div', { class: 'submit-row' }, submitButton, attemptsInfo), errorBox);
  const resultHost = h('div', { class: 'player-result-host' });
  const loginNotice = config.logged_in
    ? null
    : h('p', { class: 'notice login-notice' }, t('login_needed'), ' ', h('a', { href: config.login_url }, t('login_link')));
  els.panel.replaceChildren(notices, loginNotice || '', accessHost, form, resultHost);

  const nameOf = (id) => (sketch.nameOf ? sketch.nameOf(id) : id);
  const feedback = createFeedback({
    mapApi,
    exercise,
    host: resultHost,
    nameOf,
    onRetry: retry,
    once: Boolean(live),
  });

  function setState(next) {
    state = next;
    const editable = next === 'edit';
    tools.setEditable(editable);
    accessible.setEditable(editable);
    sketch.setEditable(editable);
    submitButton.disabled = next !== 'edit';
    root.dataset.state = next;
  }

  // Live: answering follows the trainer (open, closed, revealed, ended).
  let liveOpen = !live || live.state === 'open';
  const session = live
    ? followLive({
        live,
        mapApi,
        nameOf,
        onState(next) {
          liveOpen = next === 'open';
          if (state === 'edit' && !liveOpen) setState('closed');
          else if (state === 'closed' && liveOpen) setState('edit');
        },
      })
    : null;

  createSubmitter({
    form,
    button: submitButton,
    errorBox,
    config,
    draft,
    getAnswer: () => buildAnswer(exercise, draft.data, parseNumber),
    onBusy: (busy) => setState(busy ? 'sending' : liveOpen ? 'edit' : 'closed'),
    onResult(result) {
      setState('result');
      sketch.setShown(false);
      feedback.show(result);
      if (session) {
        submitButton.hidden = true;
        session.answered();
        return;
      }
      attemptsInfo.textContent = attemptsText(result.attempts);
      if (result.attempts && result.attempts.left === 0) submitButton.hidden = true;
    },
  });

  // A retry starts from the answer just graded: the draft is still there.
  function retry() {
    feedback.hide();
    sketch.setShown(true);
    setState('edit');
    announce(t('a_retry'));
    const first = isSpatial(mode) || mode === 'select' ? els.mapEl : form.querySelector('input, select, textarea');
    (first || els.mapEl).focus();
  }

  initKeyboard({ mapEl: els.mapEl, mapApi, sketch, helpers, isEditable, crosshairStatus: els.crosshairStatus });

  if ((exercise.attempts && exercise.attempts.left === 0) || !liveOpen) {
    setState('closed');
  } else {
    setState('edit');
  }
  await mapApi.ready;
  if (sketch.selectLoading) await sketch.selectLoading;
  root.dataset.ready = 'true';
}
