// The participant page before the player: a guest gives a name and joins (the server sets the
// session's guest cookie), and the page reloads to show the round's exercise in the player
// (static/js/player/, live mode). Everything after joining is the player's.

import { fill } from '../player/i18n.js';

const config = JSON.parse(document.getElementById('kartskola-live-config').textContent);
const t = config.strings;
const form = document.getElementById('live-guest');

if (form) {
  const error = document.getElementById('live-guest-error');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const name = document.getElementById('live-guest-name').value;
    let response = null;
    try {
      response = await fetch(config.guests_url, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name }),
      });
    } catch {
      response = null;
    }
    if (response && response.status === 201) {
      globalThis.location.reload();
      return;
    }
    const body = response ? await response.json().catch(() => null) : null;
    const message = (body && body.error && body.error.message) || (response ? String(response.status) : '—');
    error.textContent = fill(t.join_failed, { message });
    error.hidden = false;
  });
}
