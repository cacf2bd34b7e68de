// resilience.test.mjs: the answer in progress is never lost. It survives a reload, a lapsed
// login (401 shows a login link that comes back with the draft intact), a dropped connection
// (the retry reuses the Idempotency-Key, so the server counts one attempt) and a refused
// answer (422: the server's message is shown next to the form and the answer is kept).
// Why: public-sector learners work on shared, locked-down machines over flaky links; losing a
// drawn polygon or an attempt to any of this would be the worst thing the player could do.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, launchBrowser, newContext, login, PASSWORD, exercisesOfKind, openExercise, clickLonLat,
  announced, submitAndWait, keyOf,
} from './server.mjs';

let server;
let browser;

before(async () => {
  server = await startServer({ learners: ['second@example.se', 'third@example.se', 'fourth@example.se'] });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

test('not logged in: work is kept, 401 offers a login that comes back to the draft', async () => {
  const exercise = exercisesOfKind('place_point').find((e) => keyOf(e.id).type === 'Point');
  const target = keyOf(exercise.id).coordinates;
  const context = await newContext(browser, server);
  const page = await context.newPage();
  await openExercise(page, server, exercise.id);
  assert.match(await page.locator('.login-notice').textContent(), /inte inloggad/);
  await clickLonLat(page, target);
  const refused = await submitAndWait(page);
  assert.equal(refused.status, 401);
  assert.equal(refused.body.error.code, 'unauthenticated');
  const link = page.locator('#player-error a');
  const href = new URL(await link.getAttribute('href'), server.url);
  assert.equal(href.pathname, '/login');
  assert.equal(href.searchParams.get('next'), `/exercises/${exercise.id}`);
  await link.click();
  await page.fill('input[name="email"]', 'learner@example.se');
  await page.fill('input[name="password"]', PASSWORD);
  await Promise.all([page.waitForURL(`**/exercises/${exercise.id}`), page.click('form[action="/login"] button[type="submit"]')]);
  await page.waitForSelector('#player[data-ready="true"]');
  assert.match(await page.locator('.answer-summary').textContent(), /Punkten ligger vid/);
  assert.equal(await page.locator('.login-notice').count(), 0);
  const graded = await submitAndWait(page);
  assert.equal(graded.status, 201);
  assert.deepEqual(graded.request.postDataJSON(), refused.request.postDataJSON(), 'the same answer, restored');
  // A retry starts from the answer just graded.
  await page.click('.retry');
  assert.match(await announced(page), /förra svar/);
  assert.match(await page.locator('.answer-summary').textContent(), /Punkten ligger vid/);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'player-map');
  assert.deepEqual(context.offOrigin, []);
  await context.close();

  // On another computer (no draft in this browser) the exercise starts from the last answer.
  const elsewhere = await newContext(browser, server);
  const other = await elsewhere.newPage();
  await login(other, server, { email: 'learner@example.se', password: PASSWORD }, `/exercises/${exercise.id}`);
  await other.waitForSelector('#player[data-ready="true"]');
  assert.match(await announced(other), /Du börjar från ditt förra svar/);
  assert.match(await other.locator('.answer-summary').textContent(), /Punkten ligger vid/);
  await elsewhere.close();
});

test('attempts used up: the player says so and does not offer to send', async () => {
  const exercise = exercisesOfKind('place_point').find((e) => e.attempts > 0 && keyOf(e.id).type === 'Point');
  const context = await newContext(browser, server);
  const page = await context.newPage();
  await login(page, server, { email: 'fourth@example.se', password: PASSWORD }, `/exercises/${exercise.id}`);
  await page.waitForSelector('#player[data-ready="true"]');
  const answer = { geometry: { type: 'Point', coordinates: keyOf(exercise.id).coordinates } };
  const statuses = await page.evaluate(
    async ([url, body, n]) => {
      const out = [];
      for (let i = 0; i <= n; i += 1) {
        const r = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
        out.push(r.status);
      }
      return out;
    },
    [`/api/exercises/${exercise.id}/attempts`, answer, exercise.attempts],
  );
  assert.deepEqual(statuses, [...Array(exercise.attempts).fill(201), 409]);
  await page.reload();
  await page.waitForSelector('#player[data-ready="true"]');
  assert.equal(await page.getAttribute('#player', 'data-state'), 'closed');
  assert.ok(await page.locator('.submit-answer').isDisabled());
  assert.match(await page.locator('.attempts-info').textContent(), /inga försök kvar/);
  await context.close();
});

test('a dropped connection: the retry reuses the Idempotency-Key; one attempt is counted', async () => {
  const exercise = exercisesOfKind('choice')[0];
  const context = await newContext(browser, server);
  const page = await context.newPage();
  await login(page, server, { email: 'second@example.se', password: PASSWORD });
  await openExercise(page, server, exercise.id);
  await page.check('.choice-fields input >> nth=0');

  const keys = [];
  let drop = true;
  await page.route('**/api/exercises/*/attempts', async (route) => {
    keys.push(route.request().headers()['idempotency-key']);
    if (drop) {
      drop = false;
      // The server gets and grades it, but the answer never reaches the browser.
      await route.fetch();
      return route.abort('connectionreset');
    }
    return route.continue();
  });
  await page.click('.submit-answer');
  await page.waitForSelector('#player-error:not([hidden])');
  assert.match(await page.locator('#player-error').textContent(), /finns kvar/);
  assert.ok(await page.locator('.choice-fields input >> nth=0').isChecked(), 'the answer is kept');
  const retried = await submitAndWait(page);
  assert.equal(retried.status, 201);
  assert.equal(keys.length, 2);
  assert.equal(keys[0], keys[1], 'the retry carries the same Idempotency-Key');
  assert.equal(retried.body.attempts.used, 1, 'the server counted one attempt, not two');

  // A new answer after that is a new request with a new key.
  await page.click('.retry');
  await page.check('.choice-fields input >> nth=1');
  const next = await submitAndWait(page);
  assert.notEqual(next.request.headers()['idempotency-key'], keys[0]);
  assert.equal(next.body.attempts.used, 2);
  await context.close();
});

test('a refused answer (422) shows the server message and keeps the drawing', async () => {
  const exercise = exercisesOfKind('draw_polygon')[0];
  const context = await newContext(browser, server);
  const page = await context.newPage();
  await login(page, server, { email: 'third@example.se', password: PASSWORD });
  await openExercise(page, server, exercise.id);
  // A bow tie: its edges cross, which the grader refuses (invalid_geometry).
  const [lonMin, latMin, lonMax, latMax] = await page.evaluate(async () => {
    const api = document.querySelector('#kartskola-player-config');
    const { exercise_api: url } = JSON.parse(api.textContent);
    return (await (await fetch(url)).json()).map.extent;
  });
  const x = (f) => lonMin + (lonMax - lonMin) * f;
  const y = (f) => latMin + (latMax - latMin) * f;
  for (const c of [[x(0.3), y(0.3)], [x(0.7), y(0.7)], [x(0.7), y(0.3)], [x(0.3), y(0.7)]]) await clickLonLat(page, c);
  const refused = await submitAndWait(page);
  assert.equal(refused.status, 422);
  assert.equal(refused.body.error.code, 'invalid_geometry');
  assert.equal(await page.locator('#player-error p >> nth=0').textContent(), refused.body.error.message);
  assert.equal(await page.locator('.submit-answer').getAttribute('aria-describedby'), 'player-error');
  assert.match(await page.locator('.tool-status').textContent(), /Hörn: 4/);
  assert.match(await announced(page), new RegExp(refused.body.error.message.slice(0, 20).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  // The drawing survives a reload too, and the refused answer used no attempt.
  await page.reload();
  await page.waitForSelector('#player[data-ready="true"]');
  assert.match(await page.locator('.tool-status').textContent(), /Hörn: 4/);
  const exerciseNow = await page.evaluate(async () => {
    const { exercise_api: url } = JSON.parse(document.querySelector('#kartskola-player-config').textContent);
    return (await fetch(url)).json();
  });
  assert.equal(exerciseNow.attempts.used, 0);
  await context.close();
});

test('English: every player text follows the page language', async () => {
  const exercise = exercisesOfKind('draw_line')[0];
  const context = await newContext(browser, server, { locale: 'en-GB' });
  const page = await context.newPage();
  await openExercise(page, server, exercise.id, '?lang=en');
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  assert.equal(await page.locator('.submit-answer').textContent(), 'Submit answer');
  assert.equal(await page.locator('.tool-primary').textContent(), 'Finish');
  assert.match(await page.locator('#player-map-keys').textContent(), /^With the keyboard/);
  const text = await page.locator('#player').innerText();
  for (const swedishWord of ['Ångra', 'Rensa', 'Skicka', 'hörn', 'Hörn']) assert.ok(!text.includes(swedishWord), `no Swedish "${swedishWord}" on the English page`);
  await context.close();
});
