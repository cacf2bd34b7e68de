// drawing.test.mjs: draw_polygon and draw_line by mouse (with editing: move, insert, delete,
// undo), by keyboard only (crosshair, Enter, the Finish button), through the corner table and
// by GeoJSON upload; the stored grade must be the same on every path.
// Why: drawing is the hardest thing to do without a mouse or without sight; these paths are
// what makes the drawing exercises usable for everyone, so they are proven end to end.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  startServer, launchBrowser, sessions, exercisesOfKind, openExercise, clickLonLat,
  steerTo, tabTo, announced, submitAndWait, storedAttempt, feedbackLayer, keyOf, screenshotPath, mapInfo, rightAnswerOf,
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

async function expectGraded(page, context, errors, submitted) {
  assert.equal(submitted.status, 201, JSON.stringify(submitted.body));
  await page.waitForSelector('.player-result:not([hidden])');
  const layer = await feedbackLayer(page);
  assert.ok(layer.visible && layer.roles.includes('answer'), `feedback layer: ${JSON.stringify(layer)}`);
  const stored = await storedAttempt(page, server, submitted.body.attempt_id);
  assert.equal(stored.score, submitted.body.score);
  assert.deepEqual(context.offOrigin, []);
  assert.deepEqual(errors, []);
  return submitted.body;
}

/** About `n` corners of the key's outer ring, evenly spaced (a person's rough outline). */
function outline(key, n) {
  const ring = key.type === 'MultiPolygon' ? key.coordinates[0][0] : key.coordinates[0];
  const open = ring.slice(0, -1);
  const step = open.length / n;
  return Array.from({ length: n }, (_, i) => open[Math.floor(i * step)]);
}

const swedish = (x) => String(x).replace('.', ',');

test('draw_polygon: mouse, keyboard and corner table give the same grade', async () => {
  const exercise = exercisesOfKind('draw_polygon').find((e) => e.id.includes('jamtland')) || exercisesOfKind('draw_polygon')[0];
  const corners = outline(keyOf(exercise.id), 12);
  const scores = {};
  const all = await sessions(browser, server, LEARNERS, exercise.id);
  let mouseAnswer;
  {
    const { context, page, errors } = all[0];
    for (const c of corners) await clickLonLat(page, c);
    assert.match(await page.locator('.tool-status').textContent(), /Hörn: 12/);
    // Clicking the first corner closes the polygon.
    await clickLonLat(page, corners[0]);
    assert.match(await announced(page), /Ytan är klar med 12 hörn/);
    assert.equal(await page.locator('.tool-primary').textContent(), 'Fortsätt rita');
    const submitted = await submitAndWait(page);
    mouseAnswer = submitted.request.postDataJSON();
    assert.equal(mouseAnswer.geometry.type, 'Polygon');
    assert.equal(mouseAnswer.geometry.coordinates[0].length, 13, 'closed ring of 12 corners');
    scores.mouse = (await expectGraded(page, context, errors, submitted)).score;
    await page.locator('article.exercise').screenshot({ path: screenshotPath('draw_polygon') });
    await context.close();
  }
  {
    const { context, page, errors } = all[1];
    await tabTo(page, '#player-map');
    for (const [i, c] of corners.entries()) {
      await steerTo(page, c);
      await page.keyboard.press('Enter');
      assert.match(await announced(page), new RegExp(`Hörn ${i + 1} tillagt`));
    }
    // Backspace takes the last corner back; Enter puts it again.
    await page.keyboard.press('Backspace');
    assert.match(await announced(page), /Hörn 12 borttaget/);
    await page.keyboard.press('Enter');
    // The Finish button sits just before the map.
    await tabTo(page, '.tool-primary', { shift: true });
    await page.keyboard.press('Enter');
    assert.match(await announced(page), /Ytan är klar med 12 hörn/);
    await tabTo(page, '.submit-answer');
    scores.keyboard = (await expectGraded(page, context, errors, await submitAndWait(page, 'keyboard'))).score;
    await context.close();
  }
  {
    const { context, page, errors } = all[2];
    await page.click('.coordinate-block summary');
    const ring = mouseAnswer.geometry.coordinates[0].slice(0, -1);
    for (const [lon, lat] of ring) {
      await page.fill('.add-vertex input >> nth=0', swedish(lat));
      await page.fill('.add-vertex input >> nth=1', swedish(lon));
      await page.press('.add-vertex input >> nth=1', 'Enter');
    }
    assert.equal(await page.locator('.coordinate-table tbody tr').count(), 12);
    const submitted = await submitAndWait(page);
    assert.deepEqual(submitted.request.postDataJSON(), mouseAnswer, 'the table sends the very answer the mouse did');
    scores.table = (await expectGraded(page, context, errors, submitted)).score;
    await context.close();
  }
  assert.ok(scores.mouse >= 0.99, `an outline of 12 key corners passes (got ${scores.mouse})`);
  assert.equal(scores.keyboard, scores.mouse);
  assert.equal(scores.table, scores.mouse);
});

test('draw_line: mouse with editing, keyboard, and GeoJSON upload give the same grade', async () => {
  const exercise = exercisesOfKind('draw_line').find((e) => /metric\s*=\s*"hausdorff"/.test(e.text)) || exercisesOfKind('draw_line')[0];
  const key = keyOf(exercise.id);
  const corners = key.type === 'LineString' ? key.coordinates : key.coordinates[0];
  const scores = {};
  const all = await sessions(browser, server, LEARNERS, exercise.id);
  let mouseAnswer;
  {
    const { context, page, errors } = all[0];
    for (const c of corners) await clickLonLat(page, c);
    const n = corners.length;
    assert.match(await page.locator('.tool-status').textContent(), new RegExp(`Hörn: ${n}`));
    const box = await page.locator('#player-map .ol-viewport').boundingBox();

    // Move corner 2 by dragging it, then undo.
    const { pixels } = await mapInfo(page, [corners[1], corners[2]]);
    const [x, y] = pixels[0];
    await page.mouse.move(box.x + x, box.y + y);
    await page.mouse.down();
    await page.mouse.move(box.x + x + 30, box.y + y + 20, { steps: 4 });
    await page.mouse.up();
    await page.waitForTimeout(100);
    assert.match(await announced(page), /Hörn 2 flyttat till/);
    await page.click('.tool-buttons button >> nth=0');
    assert.match(await announced(page), /Ångrat/);

    // Insert a corner by dragging the middle of the edge 2–3, then undo.
    const mid = [(pixels[0][0] + pixels[1][0]) / 2, (pixels[0][1] + pixels[1][1]) / 2];
    await page.mouse.move(box.x + mid[0], box.y + mid[1]);
    await page.mouse.down();
    await page.mouse.move(box.x + mid[0] + 25, box.y + mid[1] - 25, { steps: 4 });
    await page.mouse.up();
    await page.waitForTimeout(100);
    assert.match(await announced(page), new RegExp(`Nytt hörn 3 infogat, nu ${n + 1} hörn`));
    await page.click('.tool-buttons button >> nth=0');

    // Delete corner 3 with Alt-click, then undo.
    await page.keyboard.down('Alt');
    await page.mouse.click(box.x + pixels[1][0], box.y + pixels[1][1]);
    await page.keyboard.up('Alt');
    await page.waitForTimeout(350);
    assert.match(await announced(page), /Hörn 3 borttaget/);
    assert.match(await page.locator('.tool-status').textContent(), new RegExp(`Hörn: ${n - 1}`));
    await page.click('.tool-buttons button >> nth=0');
    assert.match(await page.locator('.tool-status').textContent(), new RegExp(`Hörn: ${n}`));

    // Clicking the last corner ends the line.
    await clickLonLat(page, corners[n - 1]);
    assert.match(await announced(page), new RegExp(`Linjen är klar med ${n} hörn`));
    const submitted = await submitAndWait(page);
    mouseAnswer = submitted.request.postDataJSON();
    assert.equal(mouseAnswer.geometry.type, 'LineString');
    assert.equal(mouseAnswer.geometry.coordinates.length, n);
    scores.mouse = (await expectGraded(page, context, errors, submitted)).score;
    await page.locator('article.exercise').screenshot({ path: screenshotPath('draw_line') });
    await context.close();
  }
  {
    const { context, page, errors } = all[1];
    await tabTo(page, '#player-map');
    for (const c of corners) {
      await steerTo(page, c);
      await page.keyboard.press('Enter');
    }
    await tabTo(page, '.tool-primary', { shift: true });
    await page.keyboard.press('Enter');
    assert.match(await announced(page), /Linjen är klar/);
    await tabTo(page, '.submit-answer');
    scores.keyboard = (await expectGraded(page, context, errors, await submitAndWait(page, 'keyboard'))).score;
    await context.close();
  }
  {
    const { context, page, errors } = all[2];
    await page.click('.upload-block summary');
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kartskola-upload-')), 'linje.geojson');
    fs.writeFileSync(file, JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: {}, geometry: mouseAnswer.geometry }] }));
    await page.setInputFiles('.upload-block input[type="file"]', file);
    await page.waitForSelector('.upload-message:not(:empty)');
    assert.match(await page.locator('.upload-message').textContent(), /Filen lästes in: en linje med \d+ hörn/);
    const submitted = await submitAndWait(page);
    assert.deepEqual(submitted.request.postDataJSON(), mouseAnswer, 'the upload sends the very answer the mouse did');
    scores.upload = (await expectGraded(page, context, errors, submitted)).score;

    // A file in SWEREF 99 TM metres is refused with a hint, and the answer is kept.
    await page.click('.retry');
    fs.writeFileSync(file, JSON.stringify({ type: 'LineString', coordinates: [[758553, 7088581], [760000, 7090000]] }));
    await page.setInputFiles('.upload-block input[type="file"]', file);
    await page.waitForSelector('.upload-message.is-error');
    assert.match(await page.locator('.upload-message').textContent(), /meter/);
    await context.close();
  }
  assert.ok(scores.mouse >= 0.99, `the key's own corners pass (got ${scores.mouse})`);
  assert.equal(scores.keyboard, scores.mouse);
  assert.equal(scores.upload, scores.mouse);
});

test('site (a line): keyboard with the SWEREF 99 TM coordinates helper, and upload, give the same grade', async () => {
  const exercise = exercisesOfKind('site').find((e) => /^geometry\s*=\s*"line"/m.test(e.text) && /"coordinates"/.test(e.text));
  const line = rightAnswerOf(exercise).geometry;
  const scores = {};
  const all = await sessions(browser, server, LEARNERS.slice(0, 2), exercise.id);
  {
    const { context, page, errors } = all[0];
    // The helper shows SWEREF 99 TM under the mouse pointer…
    const box = await page.locator('#player-map .ol-viewport').boundingBox();
    const { pixels } = await mapInfo(page, [line.coordinates[0]]);
    await page.mouse.move(box.x + pixels[0][0], box.y + pixels[0][1]);
    const [e, n] = await page.evaluate(async (lonLat) => {
      const src = document.querySelector('script[type="module"][src*="/js/player/main.js"]').src;
      const { fromLonLat } = await import(src.replace('main.js', 'map.js'));
      return fromLonLat(lonLat);
    }, line.coordinates[0]);
    const shown = (await page.locator('.coordinates-output').textContent()).replace(/\s/g, '');
    const [, sn, se] = shown.match(/N(\d+),E(\d+)/);
    assert.ok(Math.abs(Number(sn) - n) < 3000 && Math.abs(Number(se) - e) < 3000, `${shown} is near N ${n}, E ${e}`);
    // …and at the keyboard crosshair.
    await tabTo(page, '#player-map');
    for (const c of line.coordinates) {
      await steerTo(page, c, { zoomIns: 1 });
      await page.keyboard.press('Enter');
      await page.keyboard.press('Home');
    }
    assert.match(await page.locator('#player-crosshair-status').textContent(), /^Hårkorset: N \d/);
    await tabTo(page, '.submit-answer');
    scores.keyboard = (await expectGraded(page, context, errors, await submitAndWait(page, 'keyboard'))).score;
    await context.close();
  }
  {
    const { context, page, errors } = all[1];
    await page.click('.upload-block summary');
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kartskola-upload-')), 'vag.geojson');
    fs.writeFileSync(file, JSON.stringify({ type: 'Feature', properties: {}, geometry: line }));
    await page.setInputFiles('.upload-block input[type="file"]', file);
    await page.waitForSelector('.upload-message:not(:empty)');
    const submitted = await submitAndWait(page);
    assert.deepEqual(submitted.request.postDataJSON(), { geometry: line });
    scores.upload = (await expectGraded(page, context, errors, submitted)).score;
    await context.close();
  }
  assert.ok(scores.upload >= 0.99, `the author's example passes (got ${scores.upload})`);
  assert.equal(scores.keyboard, scores.upload);
});
