// select.test.mjs: select_features by clicking, by keyboard only, and through the searchable
// feature list; the stored grade must be the same on every path.
// Why: picking features from a map is a pointing task; the crosshair and the list make it one
// that keyboard and screen-reader users can do, graded by the same server rule.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  ROOT, startServer, launchBrowser, sessions, exercisesOfKind, openExercise, clickLonLat,
  steerTo, tabTo, announced, submitAndWait, storedAttempt, feedbackLayer, screenshotPath,
} from './server.mjs';

let server;
let browser;
const LEARNERS = ['mouse@example.se', 'keys@example.se', 'list@example.se'];

before(async () => {
  server = await startServer({ learners: LEARNERS });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

async function expectGraded(page, context, errors, submitted) {
  assert.equal(submitted.status, 201, JSON.stringify(submitted.body));
  await page.waitForSelector('.player-result:not([hidden])');
  const layer = await feedbackLayer(page);
  assert.ok(layer.visible && layer.roles.length > 0, `feedback layer: ${JSON.stringify(layer)}`);
  const stored = await storedAttempt(page, server, submitted.body.attempt_id);
  assert.equal(stored.score, submitted.body.score);
  assert.deepEqual(context.offOrigin, []);
  assert.deepEqual(errors, []);
  return submitted.body;
}

// A select exercise over a layer of points (municipalities as their main towns).
function pointExercise() {
  for (const exercise of exercisesOfKind('select_features')) {
    const grading = exercise.text.split(/^\[grading\]\s*$/m)[1] || '';
    const layer = (grading.match(/^layer\s*=\s*"([^"]+)"/m) || [])[1];
    const ids = JSON.parse((grading.match(/^ids\s*=\s*(\[[^\]]*\])/m) || [])[1] || '[]');
    const file = path.join(ROOT, 'static', 'layers', `${layer}.geojson`);
    if (!layer || !fs.existsSync(file)) continue;
    const features = JSON.parse(fs.readFileSync(file, 'utf8')).features;
    if (!features.every((f) => f.geometry.type === 'Point')) continue;
    const byId = Object.fromEntries(features.map((f) => [f.properties.id, f]));
    if (ids.length >= 3 && ids.every((id) => byId[id])) return { exercise, ids, byId };
  }
  throw new Error('no select_features exercise over a point layer');
}

test('select_features: click, keyboard and list give the same grade', async () => {
  const { exercise, ids, byId } = pointExercise();
  const wrong = Object.keys(byId).find((id) => !ids.includes(id));
  const scores = {};
  const all = await sessions(browser, server, LEARNERS, exercise.id);
  {
    const { context, page, errors } = all[0];
    // A wrong pick, then a second click takes it back.
    await clickLonLat(page, byId[wrong].geometry.coordinates);
    assert.match(await announced(page), new RegExp(`${byId[wrong].properties.name} markerad\\. 1 markerade`));
    await clickLonLat(page, byId[wrong].geometry.coordinates);
    assert.match(await announced(page), /avmarkerad\. 0 markerade/);
    for (const id of ids) await clickLonLat(page, byId[id].geometry.coordinates);
    assert.match(await page.locator('.tool-status').textContent(), new RegExp(`Markerade: ${ids.length}`));
    const submitted = await submitAndWait(page);
    assert.deepEqual(submitted.request.postDataJSON(), { ids: [...ids].sort() });
    scores.mouse = (await expectGraded(page, context, errors, submitted)).score;
    await page.locator('article.exercise').screenshot({ path: screenshotPath('select_features') });
    await context.close();
  }
  {
    const { context, page, errors } = all[1];
    await tabTo(page, '#player-map');
    for (const id of ids) {
      await steerTo(page, byId[id].geometry.coordinates, { zoomIns: 1 });
      await page.keyboard.press('Enter');
      assert.match(await announced(page), new RegExp(`${byId[id].properties.name} markerad`));
      await page.keyboard.press('Home');
    }
    await tabTo(page, '.submit-answer');
    scores.keyboard = (await expectGraded(page, context, errors, await submitAndWait(page, 'keyboard'))).score;
    await context.close();
  }
  {
    const { context, page, errors } = all[2];
    await page.click('.list-block summary');
    const total = await page.locator('.feature-list li').count();
    assert.equal(total, Object.keys(byId).length, 'every feature of the layer is listed');
    for (const id of ids) {
      const name = byId[id].properties.name;
      // Searching ignores case and accents: "ostersund" finds Östersund.
      await page.fill('.list-block input[type="search"]', name.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase());
      assert.match(await page.locator('.list-count').textContent(), new RegExp(`av ${total} visas`));
      await page.check(`.feature-list input[value="${id}"]`);
    }
    await page.fill('.list-block input[type="search"]', '');
    assert.equal(await page.locator('.feature-list input:checked').count(), ids.length);
    scores.list = (await expectGraded(page, context, errors, await submitAndWait(page))).score;
    await context.close();
  }
  assert.equal(scores.mouse, 1);
  assert.equal(scores.keyboard, scores.mouse);
  assert.equal(scores.list, scores.mouse);
});
