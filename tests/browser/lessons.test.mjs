// lessons.test.mjs: a learner walks one whole lesson in each of the seven modules of
// courses/gis-regional-planering/, in Chromium, as a person would (issue #6).
// Why: the unit, HTTP and player tests each prove a part; only a walk through the real pages
// proves that a course can be taken: the course page leads to the lesson, the lesson reads as
// written (title, learning outcomes, worked example; in Swedish and, from the header's language
// link, in English), every exercise it lists opens and can be
// answered without a mouse (the coordinate table, the feature list, the typed value, the
// options, the keyboard crosshair), the author's right answer passes, and the course page then
// counts the lesson as completed. The lessons are picked so the walk meets every kind of
// exercise except draw_polygon, whose drawing mode the `site` polygons share.
//
// What to answer comes from the content itself (each exercise's `[[example]]` that must score
// at least 0.9, or the coordinates its prompt gives), so the test follows the course as it
// changes; what the page shows is found by role and label, the way assistive technology does.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  ROOT, startServer, launchBrowser, newContext, login, PASSWORD, steerTo, tabTo, announced, rightAnswerOf,
} from './server.mjs';

const COURSE = 'gis-regional-planering';
const COURSE_DIR = path.join(ROOT, 'courses', COURSE);

// One lesson per module, chosen for the kinds their map exercises are (the map exercise and
// the path the learner takes to answer it in the comment).
const WALK = [
  ['01-kartan-i-regional-planering', '03-skala-och-avstand'], // measure_length: the typed value
  ['02-koordinater-och-referenssystem', '01-latitud-longitud-och-sweref'], // read_coordinates; place_point: SWEREF table
  ['03-oppna-geodata', '02-scb-deso-och-tatorter'], // select_features: the searchable list
  ['04-befolkning-och-arbetsmarknad', '01-ortsstruktur'], // place_points: WGS 84 table; select_features
  ['05-tillganglighet-och-strak', '01-strak-och-korridorer'], // draw_line ×2: corners typed one by one
  ['06-markanvandning-och-avvagningar', '03-vindkraft-och-industrimark'], // site (polygon): corners; measure_area
  ['07-kartan-i-dialog-och-beslut', '01-beslutskartans-delar'], // site (point): the keyboard crosshair
];

const LEARNER = 'kursdeltagare@example.se';
let server;
let browser;

before(async () => {
  server = await startServer({ learners: [LEARNER] });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

// ---- the content, read as the author wrote it ------------------------------------------

/** Markdown inline text as the page shows it: no emphasis marks, link texts only. */
const plain = (md) =>
  md
    .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
    .replace(/\*\*|\*|`/g, '')
    .replace(/\s+/g, ' ')
    .trim();

// The headings every lesson uses (docs/authoring.md), per language.
const HEADINGS = {
  sv: { outcomes: 'Lärandemål', example: 'Exempel' },
  en: { outcomes: 'Learning outcomes', example: 'Worked example' },
};

/** A lesson's file in `lang`: title, exercises, learning outcomes and the worked example's opening. */
function lessonOf(moduleDir, slug, lang = 'sv') {
  const text = fs.readFileSync(path.join(COURSE_DIR, moduleDir, `${slug}.${lang}.md`), 'utf8');
  const [, front, body] = text.split(/^\+\+\+\s*$/m);
  const title = front.match(/^title\s*=\s*"([^"]+)"/m)[1];
  const exercises = JSON.parse(front.match(/^exercises\s*=\s*(\[[^\]]*\])/m)[1]);
  const section = (heading) => {
    const found = body.split(/^## /m).find((s) => s.startsWith(`${heading}\n`));
    assert.ok(found, `${slug}: no "## ${heading}" section`);
    return found.slice(heading.length).trim();
  };
  const outcomes = section(HEADINGS[lang].outcomes)
    .split('\n')
    .filter((l) => l.startsWith('- '))
    .map((l) => plain(l.slice(2)));
  const example = plain(section(HEADINGS[lang].example).split('\n')[0]);
  assert.ok(outcomes.length > 0 && example.length > 10, `${slug}: outcomes and example`);
  return { slug, lang, title, exercises, outcomes, example };
}

/** exercises/<id>/exercise.toml as the few facts the walk needs. */
function exerciseOf(id) {
  const text = fs.readFileSync(path.join(ROOT, 'exercises', id, 'exercise.toml'), 'utf8');
  const top = text.split(/^\s*\[/m)[0];
  const kind = top.match(/^kind\s*=\s*"([^"]+)"/m)[1];
  const grading = text.split(/^\[grading\]\s*$/m)[1] || '';
  const unquote = (s) => s.replace(/\\"/g, '"');
  const options = Object.fromEntries(
    text
      .split(/^\[\[option\]\]\s*$/m)
      .slice(1)
      .map((block) => [block.match(/^id\s*=\s*"([^"]+)"/m)[1], unquote(block.match(/^text\s*=\s*\{\s*sv\s*=\s*"((?:[^"\\]|\\.)*)"/m)[1])]),
  );
  const prompt = (text.match(/^\[prompt\]\s*\nsv\s*=\s*"""([\s\S]*?)"""/m) || [])[1] || '';
  return {
    id,
    kind,
    text,
    prompt,
    options,
    layer: (grading.match(/^layer\s*=\s*"([^"]+)"/m) || [])[1],
    geometry: (grading.match(/^geometry\s*=\s*"([^"]+)"/m) || [])[1] || 'point',
  };
}

/** Feature names of a layer by id, as the player's list shows them. */
function namesOf(layer) {
  const file = path.join(ROOT, 'static', 'layers', `${layer}.geojson`);
  const features = JSON.parse(fs.readFileSync(file, 'utf8')).features;
  return Object.fromEntries(features.map((f) => [f.properties.id, String(f.properties.name || f.properties.id)]));
}

// Numbers typed the Swedish way: decimal comma.
const swedish = (x) => String(x).replace('.', ',');

// ---- answering, one way per kind, never with the mouse on the map -----------------------

/** Opens a closed disclosure (<details>) by its summary, like pressing it. */
async function open(page, summary) {
  const details = page.locator('details', { has: page.getByText(summary, { exact: true }) });
  if (!(await details.evaluate((d) => d.open))) await page.getByText(summary, { exact: true }).click();
}

/** Types corners into the "add a corner last" row: latitude, longitude, Enter. */
async function typeCorners(page, lonLats) {
  await open(page, 'Ange hörnen som koordinater (utan karta)');
  const add = page.getByRole('group', { name: 'Lägg till ett hörn sist' });
  for (const [lon, lat] of lonLats) {
    await add.getByLabel('Latitud (N)').fill(swedish(lat));
    await add.getByLabel('Longitud (Ö)').fill(swedish(lon));
    await add.getByLabel('Longitud (Ö)').press('Enter');
  }
  assert.match(await page.locator('.answer-summary').textContent(), new RegExp(`${lonLats.length} hörn`));
}

const ANSWER = {
  async choice(page, exercise, right) {
    for (const id of right.choices) await page.getByLabel(exercise.options[id], { exact: true }).check();
  },
  async measure_length(page, exercise, right) {
    await page.getByLabel('Ditt svar', { exact: true }).fill(swedish(right.value));
  },
  async measure_area(page, exercise, right) {
    await page.getByLabel('Ditt svar', { exact: true }).fill(swedish(right.value));
  },
  async read_coordinates(page, exercise, right) {
    // Seven and six digits, grouped by threes as they are read off the grid.
    const grouped = (v) => String(v).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
    await page.getByLabel('N (norrkoordinat, meter)').fill(grouped(right.n));
    await page.getByLabel('E (östkoordinat, meter)').fill(grouped(right.e));
  },
  async place_point(page, exercise, right) {
    await open(page, 'Ange koordinater i en tabell (utan karta)');
    // A prompt that gives the place in SWEREF 99 TM is answered by typing exactly that.
    const given = exercise.prompt.match(/N ([\d ]+\d), E ([\d ]+\d)/);
    if (given) {
      await page.getByLabel('Koordinatsystem').selectOption({ label: 'SWEREF 99 TM: N och E i meter' });
      await page.getByLabel('N (meter), Punkten', { exact: true }).fill(given[1]);
      await page.getByLabel('E (meter), Punkten', { exact: true }).fill(given[2]);
      await page.getByLabel('E (meter), Punkten', { exact: true }).press('Enter');
    } else {
      const [lon, lat] = right.geometry.coordinates;
      await page.getByLabel('Latitud (N), Punkten', { exact: true }).fill(swedish(lat));
      await page.getByLabel('Longitud (Ö), Punkten', { exact: true }).fill(swedish(lon));
      await page.getByLabel('Longitud (Ö), Punkten', { exact: true }).press('Enter');
    }
    assert.match(await announced(page), /^Punkt placerad vid/);
  },
  async place_points(page, exercise, right) {
    await open(page, 'Ange koordinater i en tabell (utan karta)');
    for (const feature of right.features.features) {
      const { label } = feature.properties;
      const [lon, lat] = feature.geometry.coordinates;
      await page.getByLabel(`Latitud (N), ${label}`, { exact: true }).fill(swedish(lat));
      await page.getByLabel(`Longitud (Ö), ${label}`, { exact: true }).fill(swedish(lon));
      await page.getByLabel(`Longitud (Ö), ${label}`, { exact: true }).press('Enter');
    }
    assert.equal(await page.locator('.label-picker li.is-placed').count(), right.features.features.length);
  },
  async select_features(page, exercise, right) {
    const names = namesOf(exercise.layer);
    await open(page, 'Välj objekt i en lista (utan karta)');
    const search = page.getByLabel('Sök i listan');
    for (const id of right.ids) {
      await search.fill(names[id]);
      await page.getByRole('group', { name: 'Objekt på kartan' }).getByLabel(names[id], { exact: true }).check();
    }
    await search.fill('');
    assert.match(await page.locator('.tool-status').textContent(), new RegExp(`Markerade: ${right.ids.length}`));
  },
  async draw_line(page, exercise, right) {
    await typeCorners(page, right.geometry.coordinates);
  },
  async site(page, exercise, right) {
    if (exercise.geometry === 'polygon') {
      // The ring without its closing position: the player closes it.
      await typeCorners(page, right.geometry.coordinates[0].slice(0, -1));
      return;
    }
    // A point by keyboard alone: Tab to the map, steer the crosshair there, Enter.
    await tabTo(page, '#player-map');
    await steerTo(page, right.geometry.coordinates, { zoomIns: 2 });
    await page.keyboard.press('Enter');
    assert.match(await announced(page), /Punkt placerad vid/);
  },
};

/** Opens an exercise from its card on the lesson page, answers it right, submits, checks the pass. */
async function doExercise(page, id) {
  const exercise = exerciseOf(id);
  const answer = ANSWER[exercise.kind];
  assert.ok(answer, `${id}: no way to answer ${exercise.kind}`);
  const card = page.locator(`section.exercise-card[aria-labelledby="ex-${id}"]`);
  await card.scrollIntoViewIfNeeded();
  assert.ok(await card.isVisible(), `${id}: its card is on the lesson page`);
  await Promise.all([page.waitForURL(`**/exercises/${id}`), card.locator('a.button').click()]);
  await page.waitForSelector('#player[data-ready="true"]', { timeout: 15_000 });
  await answer(page, exercise, rightAnswerOf(exercise));

  const response = page.waitForResponse((r) => r.url().endsWith(`/api/exercises/${id}/attempts`) && r.request().method() === 'POST');
  await page.getByRole('button', { name: 'Skicka svaret' }).click();
  const submitted = await response;
  const body = await submitted.json();
  assert.equal(submitted.status(), 201, `${id}: ${JSON.stringify(body)}`);
  assert.equal(body.passed, true, `${id} (${exercise.kind}) did not pass with the author's right answer: ${JSON.stringify(body)}`);
  // What the learner sees and hears: the verdict, and the announcement of it.
  const verdict = page.locator('.player-result .verdict.is-passed');
  await verdict.waitFor();
  assert.match(await verdict.textContent(), /Godkänt/);
  assert.match(await announced(page), /Skickat: \d+\s?%\. Godkänt/);
  return { kind: exercise.kind, score: body.score };
}

/** Reads the lesson page shown: its title, learning outcomes and worked example are visible. */
async function readLesson(page, lesson) {
  const where = `${lesson.slug} (${lesson.lang})`;
  const { outcomes, example } = HEADINGS[lesson.lang];
  assert.ok(await page.getByRole('heading', { level: 1, name: lesson.title, exact: true }).isVisible(), `${where}: title`);
  assert.ok(await page.getByRole('heading', { level: 2, name: outcomes, exact: true }).isVisible(), `${where}: outcomes heading`);
  for (const outcome of lesson.outcomes) {
    assert.ok(await page.locator('.lesson-body li', { hasText: outcome }).first().isVisible(), `${where}: outcome "${outcome}"`);
  }
  assert.ok(await page.getByRole('heading', { level: 2, name: example, exact: true }).isVisible(), `${where}: example heading`);
  assert.ok(await page.locator('.lesson-body p', { hasText: lesson.example }).first().isVisible(), `${where}: example "${lesson.example}"`);
}

/** Follows the header's language link and waits for the page in the other language. */
async function switchLanguage(page, name, lang) {
  await Promise.all([page.waitForURL((u) => u.searchParams.get('lang') === lang), page.getByRole('link', { name, exact: true }).click()]);
  assert.equal(await page.getAttribute('html', 'lang'), lang);
}

/** The status badge of a lesson on the course page. */
async function statusOf(page, title) {
  const item = page.locator('li.lesson', { has: page.getByRole('link', { name: title, exact: true }) });
  return (await item.locator('.status').textContent()).trim();
}

test('a learner walks one lesson per module, answers every exercise without the mouse, and completes it', async (t) => {
  const started = Date.now();
  const context = await newContext(browser, server);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));

  // From the front page to the course, logged in.
  await login(page, server, { email: LEARNER, password: PASSWORD }, '/');
  await Promise.all([page.waitForURL(`**/courses/${COURSE}`), page.locator(`a[href="/courses/${COURSE}"]`).first().click()]);
  const modules = await page.locator('li.module').count();
  assert.equal(modules, WALK.length, 'one lesson walked per module');

  const kinds = new Set();
  for (const [moduleDir, slug] of WALK) {
    const lesson = lessonOf(moduleDir, slug);
    assert.equal(await statusOf(page, lesson.title), 'Inte påbörjad', `${slug} before the walk`);

    // The lesson, read.
    await Promise.all([page.waitForURL(`**/courses/${COURSE}/**`), page.getByRole('link', { name: lesson.title, exact: true }).click()]);
    await readLesson(page, lesson);
    const lessonUrl = page.url();

    // Every exercise it lists, in order, each from its card and back to the lesson.
    const done = [];
    for (const id of lesson.exercises) {
      const { kind, score } = await doExercise(page, id);
      kinds.add(kind);
      done.push(`${id} (${kind}) ${score}`);
      await page.goBack();
      assert.equal(page.url(), lessonUrl, `${id}: back on the lesson`);
    }

    // English second: the same lesson reads in English from the header's language link.
    await switchLanguage(page, 'English', 'en');
    await readLesson(page, lessonOf(moduleDir, slug, 'en'));
    await switchLanguage(page, 'Svenska', 'sv');

    // The course page counts the lesson as completed.
    await Promise.all([page.waitForURL(`**/courses/${COURSE}`), page.getByRole('link', { name: 'Tillbaka till kursen', exact: true }).click()]);
    assert.equal(await statusOf(page, lesson.title), 'Klar', `${slug} after the walk`);
    t.diagnostic(`${moduleDir}/${slug}: ${done.join(', ')}`);
  }

  const total = await page.locator('li.lesson').count();
  assert.match(await page.locator('.course-standing').textContent(), new RegExp(`${WALK.length} av ${total} lektioner klara`));
  assert.deepEqual(
    [...kinds].sort(),
    ['choice', 'draw_line', 'measure_area', 'measure_length', 'place_point', 'place_points', 'read_coordinates', 'select_features', 'site'],
    'the walk meets these kinds',
  );
  assert.deepEqual(context.offOrigin, [], 'no request left the origin');
  assert.deepEqual(errors, [], 'no script errors');
  await context.close();
  // Kept fast on purpose: one browser context, the lessons one after the other.
  const seconds = (Date.now() - started) / 1000;
  t.diagnostic(`walked in ${seconds.toFixed(1)} s`);
  assert.ok(seconds < 90, `the walk took ${seconds} s`);
});
