// submit.js: sending the answer to be graded.
// Why: grading happens on the server, so the one thing that must never go wrong here is
// losing an answer. The POST carries an Idempotency-Key that is kept with the draft until the
// server answers: a retry after a dropped connection or a 5xx reuses it, so the attempt is not
// counted twice. A refused answer (4xx) shows the server's message next to the button and
// keeps the answer; a lapsed session shows a login link that comes back here.

import { h } from './dom.js';
import { t } from './i18n.js';
import { announce } from './announce.js';

// crypto.randomUUID needs a secure context; an intranet server on plain http still gets a
// random v4 UUID from getRandomValues.
function newKey() {
  if (globalThis.crypto && typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Wires `form` to POST the answer `getAnswer()` returns ({ answer } or { error, vars }).
 * `onResult(json)` gets a 201's body; `onBusy(bool)` locks the player while sending.
 */
export function createSubmitter({ form, button, errorBox, config, draft, getAnswer, onResult, onBusy }) {
  let sending = false;

  function showError(message, { detail = null, login = false } = {}) {
    const parts = [
      h('p', {}, message),
      detail ? h('p', { class: 'error-detail' }, t('error_detail', { detail })) : null,
      login ? h('p', {}, h('a', { href: config.login_url }, t('login_link'))) : null,
    ];
    errorBox.replaceChildren(...parts.filter(Boolean));
    errorBox.hidden = false;
    button.setAttribute('aria-describedby', errorBox.id);
  }

  function clearError() {
    errorBox.hidden = true;
    errorBox.replaceChildren();
    button.removeAttribute('aria-describedby');
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (sending) return;
    const built = getAnswer();
    if (built.error) {
      showError(t(built.error, built.vars || {}));
      return;
    }
    clearError();
    const body = JSON.stringify(built.answer);
    // Same body as an unanswered earlier POST: same key, so the server can tell it is a retry.
    const pending = draft.pending;
    const key = pending && pending.body === body ? pending.key : newKey();
    draft.setPending({ key, body });

    sending = true;
    onBusy(true);
    button.textContent = t('sending');
    announce(t('sending'));
    let response;
    try {
      response = await fetch(config.attempts_api, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'Idempotency-Key': key },
        body,
      });
    } catch {
      response = null;
    }
    sending = false;
    button.textContent = t('submit');

    if (!response) {
      onBusy(false);
      showError(t('network_error'));
      announce(t('network_error'));
      return;
    }
    const json = await response.json().catch(() => null);
    const retryable = response.status >= 500 || response.status === 429;
    if (!retryable) draft.setPending(null);

    if (response.status === 201 || (response.ok && json && json.attempt_id !== undefined)) {
      onResult(json);
      return;
    }
    onBusy(false);
    const error = (json && json.error) || {};
    if (response.status === 401) {
      showError(t('login_to_submit'), { login: true });
    } else if (retryable) {
      showError(t('server_error'), { detail: error.message });
    } else {
      showError(error.message || t('server_error'), { detail: error.detail });
      // Used up, or this live round already has the person's answer: sending again cannot help.
      if (error.code === 'attempts_exhausted' || error.code === 'already_answered') button.disabled = true;
    }
    announce(errorBox.textContent);
  });

  return { showError, clearError };
}
