// points.test.mjs: place_point, place_points and site (a point) by mouse, by keyboard only
// and through the coordinate table; the server must store the same grade for each path.
// Why: a learner who cannot use a mouse, or cannot see the map, must be graded exactly like
// everyone else: the paths edit one draft and send one answer shape.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, launchBrowser, sessions, exercisesOfKind, openExercise, clickLonLat,
  steerTo, tabTo, announced, submitAndWait, storedAttempt, feedbackLayer, keyOf, screenshotPath, rightAnswerOf,
} from './server.mjs';

let server;
let browser;
const LEARNERS = ['mouse@example.se', 'keys@example.se', 'table@example.se'];

before(async () => {
  server = await startServer({ learners: LEARNERS });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

const swedish = (x) => String(x).replace('.', ',');

/** Checks what every path ends with: 201, the result shown, the geometries drawn, nothing off-origin. */
async function expectGraded(page, context, errors, submitted) {
  assert.equal(submitted.status, 201, JSON.stringify(submitted.body));
  assert.equal(submitted.request.headers()['content-type'], 'application/json');
  assert.match(submitted.request.headers()['idempotency-key'], /^[0-9a-f-]{36}$/);
  await page.waitForSelector('.player-result:not([hidden])');
  assert.match(await page.locator('.score-value').textContent(), /\d+\s?%/);
  assert.match(await announced(page), /Skickat: \d+\s?%/);
  const layer = await feedbackLayer(page);
  assert.ok(layer.visible && layer.roles.includes('answer'), `feedback layer: ${JSON.stringify(layer)}`);
  assert.ok(await page.locator('.legend li[data-role="answer"] svg').count(), 'legend shows the answer style');
  const stored = await storedAttempt(page, server, submitted.body.attempt_id);
  assert.equal(stored.score, submitted.body.score, 'stored grade = the 201 grade');
  assert.deepEqual(context.offOrigin, [], 'no request left the origin');
  assert.deepEqual(errors, [], 'no script errors');
  return submitted.body;
}

test('place_point: mouse, keyboard and coordinate table give the same grade', async () => {
  const exercise = exercisesOfKind('place_point').find((e) => keyOf(e.id).type === 'Point');
  const target = keyOf(exercise.id).coordinates;
  const results = {};
  const all = await sessions(browser, server, LEARNERS, exercise.id);

  // Mouse, with a reload in the middle: the draft survives it.
  {
    const { context, page, errors } = all[0];
    await clickLonLat(page, target);
    assert.match(await announced(page), /^Punkt placerad vid \d+,\d+° N, \d+,\d+° Ö\.$/);
    await page.reload();
    await page.waitForSelector('#player[data-ready="true"]');
    assert.match(await announced(page), /återställts/);
    assert.match(await page.locator('.answer-summary').textContent(), /Punkten ligger vid/);
    const submitted = await submitAndWait(page);
    results.mouse = await expectGraded(page, context, errors, submitted);
    results.mouseAnswer = submitted.request.postDataJSON();
    await page.locator('article.exercise').screenshot({ path: screenshotPath('place_point') });
    await context.close();
  }

  // Keyboard only: Tab to the map, steer the crosshair, Enter, Tab to the button, Enter.
  {
    const { context, page, errors } = all[1];
    await tabTo(page, '#player-map');
    const ring = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    assert.equal(ring, 'solid', 'the focused map shows a focus ring');
    assert.ok(await page.locator('.player-crosshair').isVisible(), 'the crosshair shows');
    await steerTo(page, target, { zoomIns: 2 });
    await page.keyboard.press('Enter');
    assert.match(await announced(page), /Punkt placerad vid/);
    await tabTo(page, '.submit-answer');
    const submitted = await submitAndWait(page, 'keyboard');
    results.keyboard = await expectGraded(page, context, errors, submitted);
    await context.close();
  }

  // Without the map: the coordinate table, typed the Swedish way (decimal comma).
  {
    const { context, page, errors } = all[2];
    await page.click('.coordinate-block summary');
    const [lon, lat] = results.mouseAnswer.geometry.coordinates;
    await page.fill('.coordinate-table input[data-col="0"]', swedish(lat));
    await page.fill('.coordinate-table input[data-col="1"]', swedish(lon));
    await page.keyboard.press('Enter');
    assert.match(await announced(page), /Punkt placerad vid/);
    const submitted = await submitAndWait(page);
    assert.deepEqual(submitted.request.postDataJSON(), results.mouseAnswer, 'the table sends the very answer the mouse did');
    results.table = await expectGraded(page, context, errors, submitted);
    await context.close();
  }

  assert.equal(results.mouse.score, 1);
  assert.equal(results.keyboard.score, results.mouse.score);
  assert.equal(results.table.score, results.mouse.score);
});

test('place_points: labelled points by mouse, keyboard and table', async () => {
  const exercise = exercisesOfKind('place_points')[0];
  const key = Object.fromEntries(keyOf(exercise.id).features.map((f) => [f.properties.label, f.geometry.coordinates]));
  const scores = {};
  const all = await sessions(browser, server, LEARNERS, exercise.id);

  {
    const { context, page, errors } = all[0];
    // The picker advances to the next unplaced label after each point.
    for (let i = 0; i < Object.keys(key).length; i += 1) {
      const label = await page.locator('.label-picker input:checked').getAttribute('value');
      await clickLonLat(page, key[label]);
      assert.match(await announced(page), new RegExp(`${label} placerad vid`));
    }
    assert.equal(await page.locator('.label-picker li.is-placed').count(), Object.keys(key).length);
    const submitted = await submitAndWait(page);
    scores.mouse = (await expectGraded(page, context, errors, submitted)).score;
    await page.locator('article.exercise').screenshot({ path: screenshotPath('place_points') });
    await context.close();
  }
  {
    const { context, page, errors } = all[1];
    await tabTo(page, '#player-map');
    for (let i = 0; i < Object.keys(key).length; i += 1) {
      const label = await page.locator('.label-picker input:checked').getAttribute('value');
      await page.keyboard.press('Home');
      await steerTo(page, key[label], { zoomIns: 2 });
      await page.keyboard.press('Enter');
      assert.match(await announced(page), new RegExp(`${label} placerad vid`));
    }
    await tabTo(page, '.submit-answer');
    scores.keyboard = (await expectGraded(page, context, errors, await submitAndWait(page, 'keyboard'))).score;
    await context.close();
  }
  {
    const { context, page, errors } = all[2];
    await page.click('.coordinate-block summary');
    await page.selectOption('.coordinate-block select', 'wgs84');
    const rows = page.locator('.coordinate-table tbody tr');
    for (let r = 0; r < (await rows.count()); r += 1) {
      const label = await rows.nth(r).locator('th').textContent();
      const [lon, lat] = key[label];
      await rows.nth(r).locator('input[data-col="0"]').fill(swedish(lat));
      await rows.nth(r).locator('input[data-col="1"]').fill(swedish(lon));
      await rows.nth(r).locator('input[data-col="1"]').press('Enter');
    }
    scores.table = (await expectGraded(page, context, errors, await submitAndWait(page))).score;
    await context.close();
  }
  assert.equal(scores.table, 1);
  assert.equal(scores.mouse, scores.table);
  assert.equal(scores.keyboard, scores.table);
});

test('site (a point): mouse, keyboard and the table in SWEREF 99 TM', async () => {
  const exercise = exercisesOfKind('site').find((e) => /^geometry\s*=\s*"point"/m.test(e.text));
  // The author's example that meets every rule.
  const target = rightAnswerOf(exercise).geometry.coordinates;
  const scores = {};
  const all = await sessions(browser, server, LEARNERS, exercise.id);
  {
    const { context, page, errors } = all[0];
    // The measuring helper (map.tools lists it) measures without touching the answer.
    await page.click('.measure-helper button[aria-pressed]');
    await clickLonLat(page, [target[0] - 0.2, target[1]]);
    await clickLonLat(page, target);
    assert.match(await page.locator('.measure-output').textContent(), /Uppmätt sträcka: \d+,\d+ km/);
    await page.click('.measure-helper button[aria-pressed]');
    assert.match(await page.locator('.answer-summary').textContent(), /Inget är placerat/);
    await clickLonLat(page, target);
    const submitted = await submitAndWait(page);
    scores.mouse = (await expectGraded(page, context, errors, submitted)).score;
    assert.ok(await page.locator('.rule-results').count(), 'the rules are reported');
    await page.locator('article.exercise').screenshot({ path: screenshotPath('site') });
    await context.close();
  }
  {
    const { context, page, errors } = all[1];
    await tabTo(page, '#player-map');
    await steerTo(page, target, { zoomIns: 2 });
    await page.keyboard.press('Enter');
    await tabTo(page, '.submit-answer');
    scores.keyboard = (await expectGraded(page, context, errors, await submitAndWait(page, 'keyboard'))).score;
    await context.close();
  }
  {
    const { context, page, errors } = all[2];
    await page.click('.coordinate-block summary');
    await page.selectOption('.coordinate-block select', 'sweref');
    const [e, n] = await page.evaluate(async (lonLat) => {
      const src = document.querySelector('script[type="module"][src*="/js/player/main.js"]').src;
      const { fromLonLat } = await import(src.replace('main.js', 'map.js'));
      return fromLonLat(lonLat);
    }, target);
    await page.fill('.coordinate-table input[data-col="0"]', String(Math.round(n)));
    await page.fill('.coordinate-table input[data-col="1"]', String(Math.round(e)));
    await page.keyboard.press('Enter');
    scores.table = (await expectGraded(page, context, errors, await submitAndWait(page))).score;
    await context.close();
  }
  assert.equal(scores.mouse, 1);
  assert.equal(scores.keyboard, scores.mouse);
  assert.equal(scores.table, scores.mouse);
});
