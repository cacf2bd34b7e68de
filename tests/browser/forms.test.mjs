// forms.test.mjs: the kinds answered in a form next to the map (measure_length, measure_area,
// read_coordinates, choice), by mouse and by keyboard only, with the same stored grade.
// Why: these look simple, but they carry the Swedish number format (decimal comma, spaced
// thousands), units, N/E order and the map's question shape, which must reach the grader intact.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, launchBrowser, sessions, exercisesOfKind, tabTo, announced,
  submitAndWait, storedAttempt, feedbackLayer, screenshotPath, rightAnswerOf,
} from './server.mjs';

let server;
let browser;
const LEARNERS = ['mouse@example.se', 'keys@example.se'];

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
  assert.match(await announced(page), /Skickat: \d+\s?%/);
  const layer = await feedbackLayer(page);
  assert.ok(layer.visible, 'the feedback layer is shown');
  const stored = await storedAttempt(page, server, submitted.body.attempt_id);
  assert.equal(stored.score, submitted.body.score);
  assert.deepEqual(context.offOrigin, []);
  assert.deepEqual(errors, []);
  return submitted.body;
}

// Swedish typing: decimal comma and a space between thousands ("1 950,5").
const swedish = (x) => {
  const [int, dec] = String(x).split('.');
  return int.replace(/\B(?=(\d{3})+(?!\d))/g, ' ') + (dec ? `,${dec}` : '');
};

/** Both paths for one exercise; `fill` types the answer by mouse or keyboard. */
async function bothPaths(kind, exercise, { mouse, keyboard }) {
  const scores = {};
  const all = await sessions(browser, server, LEARNERS, exercise.id);
  {
    const { context, page, errors } = all[0];
    await mouse(page);
    const submitted = await submitAndWait(page);
    scores.mouse = (await expectGraded(page, context, errors, submitted)).score;
    await page.locator('article.exercise').screenshot({ path: screenshotPath(kind) });
    await context.close();
  }
  {
    const { context, page, errors } = all[1];
    const submitted = await keyboard(page);
    scores.keyboard = (await expectGraded(page, context, errors, submitted)).score;
    await context.close();
  }
  assert.ok(scores.mouse >= 0.99, `${kind}: the author's right answer passes (got ${scores.mouse})`);
  assert.equal(scores.keyboard, scores.mouse, `${kind}: same grade by keyboard`);
}

for (const kind of ['measure_length', 'measure_area']) {
  test(`${kind}: the number with its unit, typed the Swedish way`, async () => {
    const exercise = exercisesOfKind(kind)[0];
    const { value } = rightAnswerOf(exercise);
    await bothPaths(kind, exercise, {
      async mouse(page) {
        // The shape to measure is on the map, and as text for those who cannot see it.
        await page.click('.map-text-block summary');
        assert.ok((await page.locator('.position-list li').count()) >= 2);
        assert.match(await page.locator('.value-field .unit').textContent(), /^(m|km|m²|ha|km²)$/);
        await page.click('.value-field input');
        await page.keyboard.type(swedish(value));
      },
      async keyboard(page) {
        await tabTo(page, '.value-field input');
        await page.keyboard.type(swedish(value));
        // Enter in the field submits the form.
        const response = page.waitForResponse((r) => r.url().includes('/attempts') && r.request().method() === 'POST');
        await page.keyboard.press('Enter');
        const r = await response;
        return { status: r.status(), body: await r.json(), request: r.request() };
      },
    });
  });
}

test('read_coordinates: N and E typed with spaces', async () => {
  const exercise = exercisesOfKind('read_coordinates')[0];
  const { n, e } = rightAnswerOf(exercise);
  await bothPaths('read_coordinates', exercise, {
    async mouse(page) {
      await page.click('.coordinate-fields input >> nth=0');
      await page.keyboard.type(swedish(n));
      await page.click('.coordinate-fields input >> nth=1');
      await page.keyboard.type(swedish(e));
    },
    async keyboard(page) {
      await tabTo(page, '.coordinate-fields input');
      await page.keyboard.type(String(n));
      await page.keyboard.press('Tab');
      await page.keyboard.type(String(e));
      await tabTo(page, '.submit-answer');
      return submitAndWait(page, 'keyboard');
    },
  });
});

test('choice: options by mouse and by arrow keys', async () => {
  const exercise = exercisesOfKind('choice').find((x) => !/multiple\s*=\s*true/.test(x.text));
  const { choices } = rightAnswerOf(exercise);
  await bothPaths('choice', exercise, {
    async mouse(page) {
      await page.click(`.choice-fields label[for="${await page.locator(`.choice-fields input[value="${choices[0]}"]`).getAttribute('id')}"]`);
    },
    async keyboard(page) {
      // Tab lands on the radio group; arrow keys move the choice to the right option.
      await tabTo(page, '.choice-fields input');
      for (let i = 0; i < 10; i += 1) {
        if (await page.evaluate((id) => document.activeElement.value === id, choices[0])) break;
        await page.keyboard.press('ArrowDown');
      }
      await page.keyboard.press('Space');
      assert.ok(await page.locator(`.choice-fields input[value="${choices[0]}"]`).isChecked());
      await tabTo(page, '.submit-answer');
      return submitAndWait(page, 'keyboard');
    },
  });
});
