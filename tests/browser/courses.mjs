// Courses in the members' app in a real browser: an instructor builds a
// course through the editor (module, lessons, a quiz) and publishes it; a
// member finds it with the catalogue's filters, enrols, reads the lessons
// with their progress, fails the quiz once and passes it (its page holds
// no answer), and completes the course; every course page passes axe's
// WCAG 2 A/AA rules.
// Started by run.sh on a fresh node of its own: BASE (its URL), ARTIFACTS
// (where screenshots go; kept as CI artefacts, never committed).
//
// On every page: no console error, no uncaught exception, and no request to
// anywhere but the node (checked after each step).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const BASE = process.env.BASE;
const ARTIFACTS = process.env.ARTIFACTS ?? 'target/browser-artifacts';
assert.ok(BASE, 'run through tests/browser/run.sh');
mkdirSync(ARTIFACTS, { recursive: true });

const PASSWORD = 'correct horse battery';
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const results = [];
const problems = [];

function watch(context, who) {
  context.on('request', (req) => {
    const url = req.url();
    if (!url.startsWith(`${BASE}/`) && url !== BASE) problems.push(`${who}: request left the node: ${url}`);
  });
  context.on('page', (page) => {
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(`${who}: console error on ${page.url()}: ${msg.text()}`);
    });
    page.on('pageerror', (err) => problems.push(`${who}: page error on ${page.url()}: ${err.message}`));
  });
}

async function step(name, fn) {
  const started = Date.now();
  try {
    await fn();
    assert.deepEqual(problems.splice(0), [], 'no console errors, page errors or outside requests');
    results.push(`ok   ${name} (${Date.now() - started} ms)`);
  } catch (e) {
    results.push(`FAIL ${name}: ${e.message}`);
    throw e;
  }
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: [
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
});

async function newPage(who) {
  const context = await browser.newContext();
  watch(context, who);
  return context.newPage();
}

const shot = (page, name) => page.screenshot({ path: `${ARTIFACTS}/courses-${name}.png`, fullPage: true });

async function clickAndLoad(page, locator) {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), locator.click()]);
}

async function signUp(page, name) {
  await page.goto(`${BASE}/signup`);
  await page.getByLabel(/^Username/).fill(name);
  await page.getByLabel('Email').fill(`${name}@example.com`);
  await page.getByLabel(/^Password/).fill(PASSWORD);
  await clickAndLoad(page, page.getByRole('button', { name: 'Sign up' }));
  assert.equal(new URL(page.url()).pathname, '/home');
}

try {
  const ana = await newPage('ana');
  const bo = await newPage('bo');
  let course = '';
  const pages = [];

  await step('an instructor builds a course through the editor and publishes it', async () => {
    await signUp(ana, 'ana');
    await clickAndLoad(ana, ana.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Courses' }));
    await clickAndLoad(ana, ana.getByRole('link', { name: 'Create a course' }));
    await ana.getByLabel('Title').fill('Soldering 101');
    await ana.getByLabel('Description (Markdown)').fill('Irons, **flux** and joints.');
    await ana.getByLabel('Level').selectOption('beginner');
    await ana.getByLabel(/^Category/).fill('electronics');
    await ana.getByLabel('A certificate on completion').check();
    await clickAndLoad(ana, ana.getByRole('button', { name: 'Create the course' }));
    course = new URL(ana.url()).pathname.split('/')[2];
    assert.match(await ana.getByRole('status').innerText(), /created as a draft/);
    await ana.getByLabel("New module's title").fill('The iron');
    await clickAndLoad(ana, ana.getByRole('button', { name: 'Add the module' }));
    for (const [title, body] of [['Heat', 'Hot **tip**.'], ['Tinning', 'Melt a little solder.']]) {
      await ana.getByText('Add a lesson to “The iron”').click();
      await ana.getByLabel('Lesson title').fill(title);
      await ana.getByLabel('Estimated minutes').fill('10');
      await ana.getByLabel(/^Lesson \(Markdown/).fill(body);
      await clickAndLoad(ana, ana.getByRole('button', { name: 'Add the lesson' }));
    }
    await ana.getByText('Add an assessment to “The iron”').click();
    await ana.getByLabel('Assessment title').fill('Iron quiz');
    await ana.getByLabel(/^Passing score/).fill('100');
    const q1 = ana.getByRole('group', { name: /^Question 1 / });
    await q1.getByLabel('Kind', { exact: true }).selectOption('single');
    await q1.getByLabel('Question', { exact: true }).fill('A good tip temperature');
    await q1.getByLabel(/^Choices/).fill('350 °C\n900 °C');
    await q1.getByLabel(/^Answer/).fill('1');
    await clickAndLoad(ana, ana.getByRole('button', { name: 'Add the assessment' }));
    assert.match(await ana.locator('main').innerText(), /Iron quiz \(1 questions\)/);
    pages.push(`/courses/${course}/edit`);
    await shot(ana, '01-editor');
    await clickAndLoad(ana, ana.getByRole('button', { name: 'Publish the course' }));
    assert.equal(new URL(ana.url()).pathname, `/courses/${course}`);
    assert.match(await ana.getByRole('status').innerText(), /published/);
  });

  await step('a member finds it, enrols, studies and completes it', async () => {
    await signUp(bo, 'bo');
    await bo.goto(`${BASE}/courses`);
    await bo.getByLabel('Words').fill('soldering');
    await bo.getByLabel('Level').selectOption('beginner');
    await clickAndLoad(bo, bo.getByRole('button', { name: 'Find' }));
    pages.push(bo.url().slice(BASE.length));
    await clickAndLoad(bo, bo.getByRole('link', { name: 'Soldering 101' }));
    assert.equal(await bo.locator('.course-about strong').innerText(), 'flux');
    await clickAndLoad(bo, bo.getByRole('button', { name: 'Enrol' }));
    assert.match(await bo.getByRole('status').innerText(), /You are enrolled/);
    pages.push(`/courses/${course}`);
    await shot(bo, '02-course');
    await clickAndLoad(bo, bo.getByRole('link', { name: 'Resume: Heat' }));
    assert.equal(await bo.locator('article strong').innerText(), 'tip');
    pages.push(new URL(bo.url()).pathname);
    await clickAndLoad(bo, bo.getByRole('button', { name: 'Mark as done and go on' }));
    assert.match(await bo.locator('main').innerText(), /Course: 50% of lessons done/);
    await clickAndLoad(bo, bo.getByRole('button', { name: 'Mark as done' }));
    assert.equal(new URL(bo.url()).pathname, `/courses/${course}`);
    assert.match(await bo.locator('main').innerText(), /100% of lessons done/);

    await clickAndLoad(bo, bo.getByRole('link', { name: 'Assessment: Iron quiz' }));
    pages.push(new URL(bo.url()).pathname);
    const form = await bo.content();
    assert.ok(!form.includes('"answer'), 'no answer in the page');
    await bo.getByLabel('900 °C').check();
    await clickAndLoad(bo, bo.getByRole('button', { name: 'Submit my answers' }));
    assert.match(await bo.locator('main').innerText(), /not passed/);
    await bo.getByLabel('350 °C').check();
    await clickAndLoad(bo, bo.getByRole('button', { name: 'Submit my answers' }));
    assert.match(await bo.locator('main').innerText(), /Score 100%: passed/);
    await shot(bo, '03-assessment');
    await bo.goto(`${BASE}/courses/${course}`);
    assert.match(await bo.locator('main').innerText(), /Your enrolment: completed/);
  });

  await step('accessibility: no serious or critical WCAG 2 A/AA violation on the course pages (axe-core)', async () => {
    const found = [];
    for (const [who, page] of [['ana', ana], ['bo', bo]]) {
      const context = await browser.newContext({ bypassCSP: true });
      watch(context, `${who} (axe)`);
      await context.addCookies(await page.context().cookies());
      const tab = await context.newPage();
      const paths = who === 'ana'
        ? ['/courses', '/courses/new', `/courses/${course}/edit`, `/courses/${course}`, `/courses/${course}/reviews`]
        : pages.filter((p) => !p.endsWith('/edit'));
      for (const path of paths) {
        await tab.goto(`${BASE}${path}`);
        await tab.addScriptTag({ path: AXE });
        const { violations, passes } = await tab.evaluate(async () => {
          const r = await window.axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] });
          return {
            passes: r.passes.length,
            violations: r.violations
              .filter((v) => v.impact === 'serious' || v.impact === 'critical')
              .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`),
          };
        });
        assert.ok(passes >= 10, `axe ran its rules on ${path} (${passes} passed)`);
        for (const v of violations) found.push(`${who} ${path}: ${v}`);
      }
      await context.close();
    }
    assert.deepEqual(found, [], 'accessibility violations');
  });
} finally {
  console.log([...results].join('\n'));
  await browser.close();
}
