// a11y.test.mjs: axe-core scans of the exercise page (every kind, before and after grading)
// and of a lesson page, plus a walk with Tab that checks the focus is always visible.
// Why: WCAG 2.1 AA is a legal duty for public-sector services in Sweden (lag 2018:1937); an
// automated scan catches regressions in names, roles, contrast and structure on every run.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  ROOT, startServer, launchBrowser, newContext, login, PASSWORD, exercisesOfKind, openExercise, submitAndWait, rightAnswerOf, axeScan
} from './server.mjs';

// One exercise per page layout: place_point differs from place_points only by the label picker,
// draw_line from draw_polygon and measure_length from measure_area not at all.
const KINDS = ['place_points', 'draw_polygon', 'select_features', 'measure_area', 'read_coordinates', 'choice', 'site'];

let server;
let browser;
let context;
let page;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  context = await newContext(browser, server);
  page = await context.newPage();
  await login(page, server, { email: 'learner@example.se', password: PASSWORD });
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

/** Serious and critical violations on the current page, every disclosure opened first. */
async function scan() {
  return axeScan(page, { openDetails: true });
}

test('exercise pages of every layout: no serious or critical axe violations', async () => {
  const found = {};
  for (const kind of KINDS) {
    const exercise = exercisesOfKind(kind)[0];
    await openExercise(page, server, exercise.id);
    const bad = await scan();
    if (bad.length) found[kind] = bad;
  }
  assert.deepEqual(found, {});
});

test('a graded result (feedback, legend, retry): no serious or critical axe violations', async () => {
  for (const kind of ['choice', 'measure_area']) {
    const exercise = exercisesOfKind(kind)[0];
    await openExercise(page, server, exercise.id);
    const answer = rightAnswerOf(exercise);
    if (kind === 'choice') await page.check(`.choice-fields input[value="${answer.choices[0]}"]`);
    else await page.fill('.value-field input', String(answer.value).replace('.', ','));
    assert.equal((await submitAndWait(page)).status, 201);
    assert.deepEqual(await scan(), [], kind);
  }
});

test('a lesson page: no serious or critical axe violations', async () => {
  const course = fs.readdirSync(path.join(ROOT, 'courses')).find((d) => fs.existsSync(path.join(ROOT, 'courses', d, 'course.toml')));
  const module = fs.readdirSync(path.join(ROOT, 'courses', course)).filter((d) => /^\d+-/.test(d)).sort()[0];
  const lesson = fs.readdirSync(path.join(ROOT, 'courses', course, module)).filter((f) => f.endsWith('.sv.md')).sort()[0];
  const slug = (s) => s.replace(/^\d+-/, '').replace(/\.sv\.md$/, '');
  const response = await page.goto(`${server.url}/courses/${course}/${slug(module)}/${slug(lesson)}`);
  assert.equal(response.status(), 200);
  assert.deepEqual(await scan(), []);
});

test('Tab through a drawing exercise: every stop shows a focus indicator', async () => {
  const exercise = exercisesOfKind('draw_polygon')[0];
  await openExercise(page, server, exercise.id);
  await page.evaluate(() => document.querySelectorAll('details').forEach((d) => (d.open = true)));
  const unseen = [];
  const seen = new Set();
  for (let i = 0; i < 60; i += 1) {
    await page.keyboard.press('Tab');
    const stop = await page.evaluate(() => {
      const el = document.activeElement;
      if (!el || el === document.body) return null;
      const style = getComputedStyle(el);
      const visible = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2) || style.boxShadow !== 'none';
      const name = `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}.${el.className || ''}:${(el.textContent || el.getAttribute('aria-label') || '').trim().slice(0, 30)}`;
      return { name, visible };
    });
    if (!stop || seen.has(stop.name)) continue;
    seen.add(stop.name);
    if (!stop.visible) unseen.push(stop.name);
  }
  assert.ok(seen.size > 10, `tabbed through ${seen.size} stops`);
  assert.deepEqual(unseen, [], 'stops without a visible focus indicator');
});
