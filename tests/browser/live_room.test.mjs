// live_room.test.mjs: a live class session with a full room, and a trainer's cohort pages.
// Why: the trainer's big screen is only proven when a real Chromium follows the event stream
// while many people answer at once: here one trainer page and 24 simulated participants (guests
// using the API as the participant page does: join, follow their own event stream, answer)
// draw polygons; the trainer's page must count every answer, draw every one on the map with
// the agreement overlay and its legend, and the reveal must reach every participant's stream
// with the key. A participant page in the browser answers two rounds in the player, by keyboard
// and from the feature list, and shows the revealed key in words. Then the cohort page and a class map are checked as a trainer sees them
// (list view, map features, the override form) and scanned with axe-core.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  ROOT, BIN, PASSWORD, startServer, launchBrowser, newContext, login, rightAnswerOf, exercisesOfKind, screenshotPath, axeScan,
  tabTo, steerTo, announced, keyOf,
} from './server.mjs';

const PARTICIPANTS = 24;
const POLYGON_EXERCISE = 'm1-draw-jamtland';
const POINT_EXERCISE = 'm1-place-lulea';

let server;
let browser;

function addTrainer(email) {
  const result = spawnSync(
    BIN,
    ['user', 'add', '--email', email, '--name', 'Tina Tränare', '--region', 'norrbotten', '--capability', 'trainer',
      '--password-stdin', '--database-url', server.databaseUrl, '--content-dir', ROOT],
    { input: `${PASSWORD}\n`, encoding: 'utf8', env: { ...process.env, RUST_LOG: 'warn' } },
  );
  if (result.status !== 0) throw new Error(`user add ${email} failed: ${result.stderr || result.stdout}`);
  return { email, password: PASSWORD };
}

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

/** Serious and critical axe violations on the page, every disclosure opened first. */
async function scan(page) {
  return axeScan(page, { openDetails: true });
}

/**
 * A participant's event stream (fetch, as an API client reads it): every event parsed into
 * `events`; `waitFor(predicate)` resolves with the first event that matches.
 */
function follow(url, headers) {
  const controller = new AbortController();
  const events = [];
  const waiters = [];
  const done = (async () => {
    const response = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: controller.signal });
    assert.equal(response.status, 200, `stream ${url}`);
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of response.body) {
      buffer += decoder.decode(chunk, { stream: true });
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = { kind: null, data: '' };
        for (const line of block.split('\n')) {
          if (line.startsWith('event:')) event.kind = line.slice(6).trim();
          else if (line.startsWith('data:')) event.data += line.slice(5).trim();
        }
        if (!event.kind) continue;
        try { event.data = JSON.parse(event.data); } catch { /* keep the text */ }
        events.push(event);
        for (const w of [...waiters]) {
          if (w.predicate(event)) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve(event);
          }
        }
      }
    }
  })().catch((e) => {
    // A stream cut by close() or by the server stopping after a failed test is no new failure:
    // what the test waits for then times out with its own message.
    if (e.name !== 'AbortError') stream.error = e;
  });
  const stream = {
    error: null,
    events,
    waitFor(predicate, ms = 20_000) {
      const found = events.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching event within ${ms} ms: ${JSON.stringify(events.map((e) => e.kind))}`)), ms);
        waiters.push({ predicate, resolve: (event) => { clearTimeout(timer); resolve(event); } });
      });
    },
    close() { controller.abort(); return done; },
  };
  return stream;
}

/** A rough square (lon/lat) around a point in Jämtland, a little different per participant. */
function polygonAround(i) {
  const lon = 14.2 + (i % 5) * 0.15;
  const lat = 63.0 + Math.floor(i / 5) * 0.12;
  const d = 1.2;
  return {
    geometry: {
      type: 'Polygon',
      coordinates: [[[lon - d, lat - d / 2], [lon + d, lat - d / 2], [lon + d, lat + d / 2], [lon - d, lat + d / 2], [lon - d, lat - d / 2]]],
    },
  };
}

test(`a live room: ${PARTICIPANTS} participants answer, the trainer sees every answer, the reveal reaches everyone`, async () => {
  const trainer = addTrainer('tina@example.se');
  const context = await newContext(browser, server);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await login(page, server, trainer, '/cohorts/live');
  await page.selectOption('#live-exercise', POLYGON_EXERCISE);
  await page.check('#live-guests');
  await Promise.all([page.waitForURL(/\/cohorts\/live\/[0-9A-Z]{6}$/), page.click('form.live-start button[type="submit"]')]);
  const code = (await page.textContent('#live-code')).trim();
  await page.waitForFunction(() => document.getElementById('live-state').textContent !== '…');

  // Everyone joins as a guest and follows their own stream.
  const participants = await Promise.all(Array.from({ length: PARTICIPANTS }, async (_, i) => {
    const joined = await fetch(`${server.url}/api/live/${code}/guests`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: `Deltagare ${i + 1}` }),
    });
    assert.equal(joined.status, 201, await joined.clone().text());
    const { token } = await joined.json();
    const headers = { 'x-live-guest': token };
    const stream = follow(`${server.url}/api/live/${code}/events`, headers);
    await stream.waitFor((e) => e.kind === 'state' && e.data.state === 'open');
    return { headers, stream, i };
  }));

  // All answer at once.
  const results = await Promise.all(participants.map(async ({ headers, i }) => {
    const response = await fetch(`${server.url}/api/live/${code}/answers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(polygonAround(i)),
    });
    return response.status;
  }));
  assert.deepEqual(results, new Array(PARTICIPANTS).fill(201));

  // The trainer's page: the count, one map feature per answer, the list, the agreement overlay.
  await page.waitForFunction((n) => document.getElementById('live-count').textContent === String(n), PARTICIPANTS, { timeout: 20_000 });
  await page.waitForFunction((n) => document.getElementById('live-map').dataset.features === String(n), PARTICIPANTS, { timeout: 10_000 });
  assert.equal(await page.getAttribute('#live-map', 'data-projection'), 'EPSG:3006', 'the trainer\'s map is in SWEREF 99 TM');
  const listed = await page.locator('#live-list tr').allTextContents();
  assert.equal(listed.length, PARTICIPANTS);
  assert.ok(listed.every((row) => /Yta med 4 hörn$/.test(row)), listed.join(' | '));
  // The overlay is recomputed at most every 250 ms: wait until it is made of every answer.
  await page.waitForFunction(
    (n) => document.querySelector('#live-agreement li:last-child')?.textContent === `Byggd av ${n} ytsvar.`,
    PARTICIPANTS,
    { timeout: 10_000 },
  );
  assert.equal(await page.isVisible('#live-agreement-box'), true);
  const legend = await page.locator('#live-agreement li').allTextContents();
  assert.equal(legend.length, 6, legend.join(' | '));
  assert.match(legend[0], /^1–20 % av svaren täcker platsen$/);
  assert.match(legend[4], /^81–100 % av svaren täcker platsen$/);
  assert.equal(legend[5], `Byggd av ${PARTICIPANTS} ytsvar.`);
  // Overlapping squares: some place is covered by more than a fifth of the answers.
  const classes = await page.evaluate(async () => {
    const map = document.getElementById('live-map');
    return Number(map.dataset.agreementCells);
  });
  assert.ok(classes > 10, `agreement cells: ${classes}`);
  await page.locator('.live-board').screenshot({ path: screenshotPath('live_agreement') });
  assert.deepEqual(await scan(page), [], 'the trainer page with the agreement legend');

  // The reveal reaches every participant, with the key.
  await page.click('button[data-action="reveal"]');
  await page.waitForFunction(() => document.getElementById('live-state').textContent === 'Facit visas');
  const revealed = await Promise.all(participants.map(({ stream }) => stream.waitFor((e) => e.kind === 'state' && e.data.state === 'revealed')));
  assert.equal(revealed.length, PARTICIPANTS);
  for (const event of revealed) {
    assert.ok(event.data.key && Array.isArray(event.data.key.features) && event.data.key.features.length > 0, JSON.stringify(event.data));
  }
  await Promise.all(participants.map(({ stream }) => stream.close()));
  assert.deepEqual(errors, []);
  assert.deepEqual(context.offOrigin, []);
  await context.close();
});

/** The trainer's live API from the trainer's logged-in page (same origin, session cookie). */
async function trainerApi(page, url, body) {
  return page.evaluate(async ([u, b]) => {
    const response = await fetch(u, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(b) });
    return { status: response.status, body: await response.json().catch(() => null) };
  }, [url, body]);
}

/** Sends the player's answer with the keyboard and returns the live answer's response. */
async function sendByKeyboard(page) {
  const answered = page.waitForResponse((r) => r.url().endsWith('/answers') && r.request().method() === 'POST');
  await tabTo(page, '.submit-answer');
  await page.keyboard.press('Enter');
  const response = await answered;
  return { status: response.status(), body: await response.json() };
}

test('a participant page: the player answers live rounds by keyboard and from the list; the reveal shows the key in words', async () => {
  addTrainer('tove@example.se');
  const trainerContext = await newContext(browser, server);
  const trainer = await trainerContext.newPage();
  await login(trainer, server, { email: 'tove@example.se', password: PASSWORD }, '/');
  const started = await trainerApi(trainer, '/api/live', { exercise_id: POINT_EXERCISE, allow_guests: true });
  assert.equal(started.status, 201, JSON.stringify(started.body));
  const { code } = started.body;
  const control = async (body) => {
    const response = await trainerApi(trainer, `/api/live/${code}/control`, body);
    assert.equal(response.status, 200, JSON.stringify(response.body));
  };

  const context = await newContext(browser, server);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${server.url}/live/${code}`);
  // A name of blanks passes the browser's `required` but not the server: the refusal is shown.
  await page.fill('#live-guest-name', '   ');
  await page.press('#live-guest-name', 'Enter');
  await page.waitForSelector('#live-guest-error:not([hidden])');
  assert.match(await page.textContent('#live-guest-error'), /^Det gick inte att gå med: \S/);
  await page.fill('#live-guest-name', 'Greta');
  await Promise.all([page.waitForEvent('load'), page.press('#live-guest-name', 'Enter')]);
  await page.waitForSelector('#player[data-ready="true"]', { timeout: 15_000 });
  assert.equal(await page.isVisible('#live-guest'), false, 'joined: the name form is gone');
  assert.equal((await page.textContent('#live-status')).trim(), 'Svaren är öppna: svara och skicka.');

  // Round 1, place_point, keyboard only: Tab to the map, steer, Enter, Tab to the button, Enter.
  const lulea = keyOf(POINT_EXERCISE).coordinates;
  await tabTo(page, '#player-map');
  await steerTo(page, lulea, { zoomIns: 2 });
  await page.keyboard.press('Enter');
  assert.match(await announced(page), /Punkt placerad vid/);
  const first = await sendByKeyboard(page);
  assert.equal(first.status, 201, JSON.stringify(first.body));
  assert.equal(first.body.round, 1);
  assert.equal(first.body.score, 1);
  await page.waitForSelector('.player-result:not([hidden])');
  assert.equal(await page.locator('.player-result .retry').count(), 0, 'one answer per round: no retry');
  assert.equal(await page.isVisible('.submit-answer'), false);
  await page.waitForFunction(() => document.getElementById('live-status').textContent === 'Ditt svar är skickat.');
  assert.deepEqual(await scan(page), [], 'the participant page with a result');

  // The reveal: the key on the map and in words.
  await control({ action: 'reveal' });
  await page.waitForSelector('#live-key:not([hidden])');
  assert.match(await page.textContent('#live-key li'), /^En punkt vid 65,\d+° N, 22,\d+° Ö$/);
  assert.equal(await page.getAttribute('#player-map', 'data-key-features'), '1');
  assert.equal((await page.textContent('#live-status')).trim(), 'Facit visas på kartan.');

  // Round 2, select_features: the page follows the trainer to the next exercise by itself.
  const select = exercisesOfKind('select_features')[0];
  const { ids } = rightAnswerOf(select);
  const reloaded = page.waitForEvent('load');
  await control({ action: 'next', exercise_id: select.id });
  await reloaded;
  await page.waitForSelector('#player[data-ready="true"]', { timeout: 15_000 });
  assert.equal(JSON.parse(await page.textContent('#kartskola-player-config')).live.round, 2);
  await page.click('.list-block summary');
  for (const id of ids) await page.check(`.feature-list input[value="${id}"]`);
  const second = await sendByKeyboard(page);
  assert.equal(second.status, 201, JSON.stringify(second.body));
  assert.equal(second.body.round, 2);
  assert.ok(second.body.score >= 0.9, JSON.stringify(second.body));
  // Its reveal names each right feature and says where it lies, in words.
  const POS = '\\d+,\\d+° N, \\d+,\\d+° Ö';
  await control({ action: 'reveal' });
  await page.waitForSelector('#live-key:not([hidden])');
  const named = await page.locator('#live-key li').allTextContents();
  assert.equal(named.length, ids.length, named.join(' | '));
  const feature = new RegExp(`^[^:{}]+: (En yta på \\S.* kring ${POS}|En punkt vid ${POS}|En linje, \\S.* lång, från ${POS} till ${POS})$`);
  for (const words of named) assert.match(words, feature);

  // Round 3, a line: its reveal gives the line's length and ends.
  const line = exercisesOfKind('draw_line')[0];
  const again = page.waitForEvent('load');
  await control({ action: 'next', exercise_id: line.id });
  await again;
  await page.waitForSelector('#player[data-ready="true"]', { timeout: 15_000 });
  await control({ action: 'reveal' });
  await page.waitForSelector('#live-key:not([hidden])');
  assert.match(await page.textContent('#live-key li'), new RegExp(`^En linje, [\\d\\s,]+ (km|m) lång, från ${POS} till ${POS}$`));
  assert.deepEqual(await scan(page), [], 'the participant page with the key in words');

  // The end: answering stops and the page says so.
  await control({ action: 'end' });
  await page.waitForFunction(() => document.getElementById('live-status').textContent === 'Sessionen är slut. Tack!');
  await page.locator('article.live-participant').screenshot({ path: screenshotPath('live_participant') });
  assert.deepEqual(errors, []);
  assert.deepEqual(context.offOrigin, []);
  await context.close();
  await trainerContext.close();
});

test('a cohort page and a class map in the browser: list view, map features, axe scan', async () => {
  const trainer = { email: 'tina@example.se', password: PASSWORD };
  const context = await newContext(browser, server);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await login(page, server, trainer, '/cohorts');
  assert.equal(await page.locator('a.nav-cohorts').count(), 1, 'the header links to the cohorts');
  await page.fill('#name', 'Webbgruppen');
  await Promise.all([page.waitForURL(/\/cohorts\/\d+\?saved=created$/), page.click('form[action="/cohorts"] button[type="submit"]')]);
  const cohortUrl = page.url().split('?')[0];
  await page.fill('#add-email', 'learner@example.se');
  await Promise.all([page.waitForURL(/saved=added/), page.click('form:has(#add-email) button[type="submit"]')]);
  assert.deepEqual(await page.locator('table.members tbody td:first-child').allTextContents(), ['Test Learner']);

  // The learner answers (right, as an API client of the player would).
  const learnerContext = await newContext(browser, server);
  const learnerPage = await learnerContext.newPage();
  await login(learnerPage, server, { email: 'learner@example.se', password: PASSWORD });
  const exercise = exercisesOfKind('place_point').find((e) => e.id === POINT_EXERCISE);
  const answer = rightAnswerOf(exercise);
  const status = await learnerPage.evaluate(async ([id, body]) => (await fetch(`/api/exercises/${id}/attempts`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
  })).status, [POINT_EXERCISE, answer]);
  assert.equal(status, 201);
  await learnerContext.close();

  // The cohort page: the matrix shows the lesson in progress, in words.
  await page.goto(cohortUrl);
  const row = await page.locator('table.cohort-matrix tbody tr').first().textContent();
  assert.match(row, /Test Learner/);
  assert.match(row, /Påbörjad/);
  assert.deepEqual(await scan(page), [], 'cohort page');

  // The class map: the list in words and the answer on the map.
  await page.click(`a[href$="/exercises/${POINT_EXERCISE}"]`);
  await page.waitForSelector('#class-map[data-ready="true"]', { timeout: 15_000 });
  assert.equal(await page.getAttribute('#class-map', 'data-features'), '1');
  assert.equal(await page.getAttribute('#class-map', 'data-projection'), 'EPSG:3006');
  const listed = await page.locator('table.class-list tbody tr[data-attempt]').allTextContents();
  assert.equal(listed.length, 1);
  assert.match(listed[0], /Test Learner/);
  assert.match(listed[0], /Punkt vid 65,\d{3}° N, 22,\d{3}° O/);
  await page.locator('.class-map').screenshot({ path: screenshotPath('class_map') });
  assert.deepEqual(await scan(page), [], 'class map page');
  assert.deepEqual(errors, []);
  assert.deepEqual(context.offOrigin, []);
  await context.close();
});
