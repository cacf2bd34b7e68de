// team.test.mjs: the manager's team view and the learner's progress page in a real browser.
// Why: the matrix, the 12-week chart and the municipality map are server-rendered SVG and
// tables that must actually show (not only exist in the HTML), stay on our own origin under the
// strict CSP, and pass an axe-core scan; the data is the demo organisation of
// `kartskola seed-demo` (a believable history, really graded), so the page is seen as a
// manager would see it.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ROOT, BIN, launchBrowser, newContext, login, axeScan } from './server.mjs';

const DEMO_PASSWORD = 'kartskola-demo';
const MANAGER = { email: 'chef.norrbotten@demo.kartskola.se', password: DEMO_PASSWORD };
const LEARNER = { email: 'deltagare1.norrbotten@demo.kartskola.se', password: DEMO_PASSWORD };

let server;
let browser;

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** A server over a fresh SQLite file holding the demo organisation (server.mjs's startServer
 * adds a non-demo learner first, which `seed-demo` rightly refuses to sit beside). */
async function startSeededServer() {
  if (!fs.existsSync(BIN)) throw new Error(`no server binary at ${BIN}: run \`cargo build\` or set KARTSKOLA_BIN`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kartskola-team-'));
  const databaseUrl = `sqlite://${path.join(dir, 'kartskola.db')}`;
  const seeded = spawnSync(BIN, ['seed-demo', '--database-url', databaseUrl, '--content-dir', ROOT], {
    encoding: 'utf8',
    env: { ...process.env, RUST_LOG: 'warn' },
  });
  if (seeded.status !== 0) throw new Error(`seed-demo failed: ${seeded.stderr || seeded.stdout}`);
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
      if ((await fetch(`${url}/healthz`)).ok) break;
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

before(async () => {
  server = await startSeededServer();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

/** Serious and critical axe violations on the current page. */
async function scan(page) {
  return axeScan(page);
}

/** Whether an element is drawn with a real size inside the viewport's page. */
async function drawn(page, selector) {
  const box = await page.locator(selector).first().boundingBox();
  return Boolean(box && box.width > 10 && box.height > 10);
}

test('a manager sees the matrix, the trend chart and the map of their region', async () => {
  const context = await newContext(browser, server);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await login(page, server, MANAGER, '/team');
  const response = await page.goto(`${server.url}/team`);
  assert.equal(response.status(), 200);
  assert.match(await page.locator('h1').textContent(), /Norrbotten/);

  // The matrix: a row per person of the region, a number in every competence cell.
  const rows = await page.locator('#matrix tbody tr').count();
  assert.ok(rows >= 6, `rows: ${rows}`);
  const cells = await page.locator('#matrix tbody td.cell').allTextContents();
  assert.ok(cells.length >= rows * 8, `cells: ${cells.length}`);
  assert.ok(cells.every((c) => /^\d,\d$/.test(c.trim())), cells.join(' '));
  assert.ok(cells.some((c) => c.trim() !== '0,0'), 'the demo history shows somewhere');
  assert.ok(await drawn(page, '#matrix'));

  // The chart: twelve weeks of bars and markers, drawn, with its table.
  assert.equal(await page.locator('#trend-chart rect.bar').count(), 12);
  assert.equal(await page.locator('#trend-chart rect.marker').count(), 12);
  assert.ok(await drawn(page, '#trend-chart'));
  assert.equal(await page.locator('#trend-table tbody tr').count(), 12);
  const passes = (await page.locator('#trend-table tbody tr td:nth-of-type(1)').allTextContents()).map(Number);
  assert.ok(passes.some((n) => n > 0), `passes per week: ${passes}`);

  // The map: the county and Norrbotten's 14 seats; Luleå (five learners) coloured, Kiruna
  // (one) hidden, the table beside it saying the same.
  assert.ok(await drawn(page, '#region-map'));
  assert.equal(await page.locator('#region-map path.county').count(), 1);
  assert.equal(await page.locator('#region-map g.seat').count(), 14);
  const lulea = page.locator('#region-map g.seat', { has: page.locator('title', { hasText: /^Luleå:/ }) });
  assert.doesNotMatch(await lulea.getAttribute('class'), /share-hidden/);
  const kiruna = page.locator('#municipality-table tbody tr', { has: page.locator('th', { hasText: /^Kiruna$/ }) });
  assert.match(await kiruna.textContent(), /färre än 5/);
  const luleaRow = page.locator('#municipality-table tbody tr', { has: page.locator('th', { hasText: /^Luleå$/ }) });
  assert.match(await luleaRow.textContent(), /%/);

  // Everything came from our own origin, and the page ran no script that failed.
  assert.deepEqual(context.offOrigin, []);
  assert.deepEqual(errors, []);
  await context.close();
});

test('/team and /me/progress: no serious or critical axe violations', async () => {
  const context = await newContext(browser, server);
  const page = await context.newPage();
  await login(page, server, MANAGER, '/team');
  await page.goto(`${server.url}/team`);
  assert.deepEqual(await scan(page), [], '/team');
  await page.goto(`${server.url}/team?lang=en`);
  assert.deepEqual(await scan(page), [], '/team in English');
  await context.close();

  const learner = await newContext(browser, server);
  const lpage = await learner.newPage();
  await login(lpage, server, LEARNER, '/me/progress');
  const response = await lpage.goto(`${server.url}/me/progress`);
  assert.equal(response.status(), 200);
  assert.ok((await lpage.locator('table.profile tbody tr').count()) >= 7);
  assert.ok((await lpage.locator('.status').count()) > 0);
  assert.deepEqual(await scan(lpage), [], '/me/progress');
  // The course page with the learner's lesson status.
  const course = fs.readdirSync(path.join(ROOT, 'courses')).find((d) => fs.existsSync(path.join(ROOT, 'courses', d, 'course.toml')));
  await lpage.goto(`${server.url}/courses/${course}`);
  assert.ok((await lpage.locator('.lessons .status').count()) > 0);
  assert.deepEqual(await scan(lpage), [], 'course page with status');
  assert.deepEqual(learner.offOrigin, []);
  await learner.close();
});
