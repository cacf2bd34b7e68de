// server.mjs: a real Kartskola server, a browser, and a logged-in learner for one test file.
// Why: the player is only proven when the real binary renders the page, serves the layers and
// grades the answers, so every test file starts its own server on a free port with a fresh
// SQLite database (the repository root as content), creates learners with
// `kartskola user add`, logs in through the /login form like a person, and tears it all down.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = path.resolve(ROOT, process.env.KARTSKOLA_BIN || 'target/debug/kartskola');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const PASSWORD = 'Kartskola-prov-Älvsbyn-73';

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Runs `kartskola user add` for a learner in norrbotten. */
export function addLearner(databaseUrl, email, name = 'Test Learner') {
  const result = spawnSync(
    BIN,
    ['user', 'add', '--email', email, '--name', name, '--region', 'norrbotten', '--password-stdin', '--database-url', databaseUrl, '--content-dir', ROOT],
    { input: `${PASSWORD}\n`, encoding: 'utf8', env: { ...process.env, RUST_LOG: 'warn' } },
  );
  if (result.status !== 0) throw new Error(`user add ${email} failed: ${result.stderr || result.stdout}`);
  return { email, password: PASSWORD };
}

/**
 * Starts the server. `learners` e-mails are created first (learner@example.se is always one).
 * Returns { url, databaseUrl, learners, stop }.
 */
export async function startServer({ learners = [] } = {}) {
  if (!fs.existsSync(BIN)) throw new Error(`no server binary at ${BIN}: run \`cargo build\` or set KARTSKOLA_BIN`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kartskola-browser-'));
  const databaseUrl = `sqlite://${path.join(dir, 'kartskola.db')}`;
  const emails = ['learner@example.se', ...learners];
  const created = emails.map((email) => addLearner(databaseUrl, email));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(BIN, ['serve', '--bind', `127.0.0.1:${port}`, '--database-url', databaseUrl, '--content-dir', ROOT], {
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG || 'warn', KARTSKOLA_DRAIN: '1s' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  const exited = new Promise((resolve) => child.on('exit', resolve));

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}):\n${log}`);
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server did not start within 30 s:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    url,
    databaseUrl,
    learners: created,
    log: () => log,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
}

/**
 * A browser context whose every request must go to the server's own origin: anything else
 * is aborted and recorded in `offOrigin`, which tests assert is empty.
 */
export async function newContext(browser, server, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'sv-SE', ...options });
  context.offOrigin = [];
  await context.route('**/*', (route) => {
    const requestUrl = route.request().url();
    if (requestUrl.startsWith(server.url) || requestUrl.startsWith('data:') || requestUrl.startsWith('blob:')) return route.continue();
    context.offOrigin.push(requestUrl);
    return route.abort();
  });
  return context;
}

/** Logs in through the /login page form, as a person would, and lands on `next`. */
export async function login(page, server, learner, next = '/') {
  await page.goto(`${server.url}/login?next=${encodeURIComponent(next)}`);
  await page.fill('input[name="email"]', learner.email);
  await page.fill('input[name="password"]', learner.password);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.click('form[action="/login"] button[type="submit"]')]);
}

/**
 * Exercises of a kind from exercises/<id>/exercise.toml, read at test time so the tests do not
 * depend on ids. Only the top-level keys (before the first [table]) are looked at.
 */
export function exercisesOfKind(kind) {
  const dir = path.join(ROOT, 'exercises');
  const found = [];
  for (const id of fs.readdirSync(dir).sort()) {
    const file = path.join(dir, id, 'exercise.toml');
    if (!fs.existsSync(file)) continue;
    const text = fs.readFileSync(file, 'utf8');
    const top = text.split(/^\s*\[/m)[0];
    const value = (key) => {
      const m = top.match(new RegExp(`^\\s*${key}\\s*=\\s*(.+)$`, 'm'));
      return m ? m[1].trim() : null;
    };
    if (value('kind') !== `"${kind}"`) continue;
    found.push({ id, attempts: Number(value('attempts') || 0), text });
  }
  // Unlimited attempts first: a test may then submit as often as it needs.
  return found.sort((a, b) => (a.attempts === 0 ? 0 : 1) - (b.attempts === 0 ? 0 : 1));
}

/** Waits until the player has loaded the exercise and its layers. */
export async function openExercise(page, server, id, query = '') {
  await page.goto(`${server.url}/exercises/${id}${query}`);
  await page.waitForSelector('#player[data-ready="true"]', { timeout: 15_000 });
}

/**
 * Where lon/lats are on the map now, from the player's own map module (the page's instance:
 * same URL, same module). Pixels come from the view itself (centre, resolution; the map is
 * never rotated), so they are right even before the next frame is drawn.
 */
export async function mapInfo(page, lonLats) {
  return page.evaluate(async (points) => {
    const src = document.querySelector('script[type="module"][src*="/js/player/main.js"]').src;
    const { current, fromLonLat } = await import(src.replace('main.js', 'map.js'));
    const size = current.map.getSize();
    const [cx, cy] = current.view.getCenter();
    const resolution = current.view.getResolution();
    const pixels = points.map((p) => {
      const [x, y] = fromLonLat(p);
      return [(x - cx) / resolution + size[0] / 2, (cy - y) / resolution + size[1] / 2];
    });
    return { size, pixels, center: current.centerLonLat(), resolution };
  }, lonLats);
}

/** How many announcements the live region has made so far. */
const announcements = (page) => page.evaluate(() => Number(document.getElementById('player-announcer').dataset.count || 0));

/** Clicks the map at a lon/lat (the mouse path) and waits for the player to announce the result. */
export async function clickLonLat(page, lonLat, options = {}) {
  const box = await page.locator('#player-map .ol-viewport').boundingBox();
  const { pixels } = await mapInfo(page, [lonLat]);
  const [x, y] = pixels[0];
  await settled(page);
  // The click is turned into a place by the last drawn frame: make sure it shows this view.
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => resolve())));
  const before = await announcements(page);
  await page.mouse.click(box.x + x, box.y + y, options);
  // Drawing answers OpenLayers' "single click", which waits 250 ms to rule out a double click.
  if (['line', 'polygon'].includes(await page.getAttribute('#player', 'data-mode'))) await page.waitForTimeout(260);
  await page.waitForFunction((n) => Number(document.getElementById('player-announcer').dataset.count || 0) > n, before, { timeout: 3000 });
}

/**
 * Moves the keyboard crosshair (the map centre) onto a lon/lat with arrow keys only, zooming in
 * with + for precision. The map must have focus. Returns the presses used.
 */
export async function steerTo(page, lonLat, { zoomIns = 0 } = {}) {
  let presses = 0;
  for (let round = 0; round <= zoomIns; round += 1) {
    for (let guard = 0; guard < 6; guard += 1) {
      const { pixels, size } = await mapInfo(page, [lonLat]);
      const dx = pixels[0][0] - size[0] / 2;
      const dy = pixels[0][1] - size[1] / 2;
      if (Math.abs(dx) < 5 && Math.abs(dy) < 5) break;
      const moves = [
        [dx, 'ArrowRight', 'ArrowLeft'],
        [dy, 'ArrowDown', 'ArrowUp'],
      ];
      for (const [d, plus, minus] of moves) {
        const key = d > 0 ? plus : minus;
        const big = Math.floor(Math.abs(d) / 100);
        const small = Math.round((Math.abs(d) - big * 100) / 10);
        for (let i = 0; i < big; i += 1) await page.keyboard.press(`Shift+${key}`);
        for (let i = 0; i < small; i += 1) await page.keyboard.press(key);
        presses += big + small;
      }
    }
    if (round < zoomIns) {
      await page.keyboard.press('+');
      presses += 1;
    }
  }
  return presses;
}

/** Waits until no announcement is on its way to the live region. */
function settled(page) {
  return page.waitForFunction(() => !document.getElementById('player-announcer').dataset.pending, null, { polling: 20 });
}

/** The live region's text once pending announcements are out. */
export async function announced(page) {
  await settled(page);
  return page.locator('#player-announcer').textContent();
}

/** Submits (clicking, or pressing Enter on the focused submit button) and returns the 201 body. */
export async function submitAndWait(page, how = 'click') {
  const responsePromise = page.waitForResponse((r) => r.url().includes('/attempts') && r.request().method() === 'POST');
  if (how === 'click') await page.click('.submit-answer');
  else {
    await page.focus('.submit-answer');
    await page.keyboard.press('Enter');
  }
  const response = await responsePromise;
  const body = await response.json();
  return { status: response.status(), body, request: response.request() };
}

/** A stored attempt as the API reports it. */
export async function storedAttempt(page, server, attemptId) {
  return page.evaluate(async ([base, id]) => (await fetch(`${base}/api/attempts/${id}`)).json(), [server.url, attemptId]);
}

/**
 * Where a test saves a picture of a page: target/screenshots, so a test run does not rewrite
 * committed files; `KARTSKOLA_SCREENSHOTS_DIR=docs/screenshots` refreshes the README's pictures.
 */
export function screenshotPath(kind) {
  const dir = path.resolve(ROOT, process.env.KARTSKOLA_SCREENSHOTS_DIR || path.join('target', 'screenshots'));
  fs.mkdirSync(dir, { recursive: true });
  return path.join(dir, `${kind}.png`);
}

/** Presses Tab (at most `max` times) until the focused element matches `selector`. */
export async function tabTo(page, selector, { max = 80, shift = false } = {}) {
  for (let i = 0; i < max; i += 1) {
    if (await page.evaluate((s) => Boolean(document.activeElement && document.activeElement.matches(s)), selector)) return i;
    await page.keyboard.press(shift ? 'Shift+Tab' : 'Tab');
  }
  throw new Error(`Tab never reached ${selector}`);
}

/** Whether the graded result's geometries are drawn: the feedback layer's visibility and roles. */
export async function feedbackLayer(page) {
  return page.evaluate(async () => {
    const src = document.querySelector('script[type="module"][src*="/js/player/main.js"]').src;
    const { current } = await import(src.replace('main.js', 'map.js'));
    const layer = current.map.getLayers().getArray().find((l) => l.get('name') === 'feedback');
    const roles = layer.getSource().getFeatures().map((f) => f.get('role'));
    return { visible: layer.getVisible(), roles };
  });
}

/** The key of an exercise (its key.geojson), for aiming. */
export function keyOf(id) {
  return JSON.parse(fs.readFileSync(path.join(ROOT, 'exercises', id, 'key.geojson'), 'utf8'));
}

/**
 * The author's `[[example]]` answers of an exercise.toml, as { answer, atLeast, atMost }. The
 * inline TOML tables they use (`{ key = value, … }`) turn into JSON by quoting the keys.
 */
export function examplesOf(text) {
  return text
    .split(/^\[\[example\]\]\s*$/m)
    .slice(1)
    .map((block) => {
      const line = block.match(/^answer\s*=\s*(.+)$/m);
      if (!line) return null;
      const json = line[1].replace(/([{,]\s*)([A-Za-z_][\w-]*)\s*=/g, '$1"$2":');
      const number = (key) => {
        const m = block.match(new RegExp(`^${key}\\s*=\\s*([\\d.]+)`, 'm'));
        return m ? Number(m[1]) : null;
      };
      try {
        return { answer: JSON.parse(json), atLeast: number('score_at_least'), atMost: number('score_at_most') };
      } catch {
        return null;
      }
    })
    .filter(Boolean);
}

/** The author's best-scoring example answer (one that must score at least 0.9). */
export function rightAnswerOf(exercise) {
  const best = examplesOf(exercise.text).find((e) => e.atLeast !== null && e.atLeast >= 0.9);
  if (!best) throw new Error(`${exercise.id} has no example scoring at least 0.9`);
  return best.answer;
}

/**
 * One logged-in page per learner (a context each, so nothing is shared), all opened on the
 * exercise at once: logins and page loads overlap, which keeps the suite fast. Each session
 * collects script errors in `errors`.
 */
export async function sessions(browser, server, emails, exerciseId) {
  return Promise.all(
    emails.map(async (email) => {
      const context = await newContext(browser, server);
      const page = await context.newPage();
      const errors = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      // Logging in from the exercise's own login link lands back on the exercise.
      await login(page, server, { email, password: PASSWORD }, exerciseId ? `/exercises/${exerciseId}` : '/');
      if (exerciseId) await page.waitForSelector('#player[data-ready="true"]', { timeout: 15_000 });
      return { context, page, errors };
    }),
  );
}

const AXE = fs.readFileSync(path.join(ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

/**
 * Serious and critical axe-core violations (WCAG 2.1 A/AA and best practice) on the current
 * page; with `openDetails`, every disclosure is opened first so its content is scanned too.
 * page.evaluate runs through the DevTools protocol, outside the page's CSP: no bypass needed.
 */
export async function axeScan(page, { openDetails = false } = {}) {
  if (openDetails) await page.evaluate(() => document.querySelectorAll('details').forEach((d) => (d.open = true)));
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(AXE);
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}
