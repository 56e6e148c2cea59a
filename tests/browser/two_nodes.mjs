// Two nodes on loopback, each in its own browser: a member of the first
// finds a member of the second on /search by handle and by the URL of his
// profile, follows him through the form on his page there, and reads his
// next post on /home; the post's card names its server and links there.
// Started by run.sh with BASE and BASE2 (two fresh --dev nodes).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';

const { BASE, BASE2 } = process.env;
const ARTIFACTS = process.env.ARTIFACTS ?? 'target/browser-artifacts';
assert.ok(BASE && BASE2, 'run through tests/browser/run.sh');
mkdirSync(ARTIFACTS, { recursive: true });
const PASSWORD = 'correct horse battery';
const HOST2 = new URL(BASE2).host;

const results = [];
const problems = [];
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

// A browser context for one node: no request may go anywhere else, no
// console error.
async function newPage(who, base) {
  const context = await browser.newContext();
  context.on('request', (req) => {
    if (!req.url().startsWith(`${base}/`)) problems.push(`${who}: request left its node: ${req.url()}`);
  });
  const page = await context.newPage();
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`${who}: console error: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`${who}: page error: ${e.message}`));
  return page;
}

async function step(name, fn) {
  const started = Date.now();
  try {
    await fn();
    assert.deepEqual(problems.splice(0), [], 'no console errors or outside requests');
    results.push(`ok   ${name} (${Date.now() - started} ms)`);
  } catch (e) {
    results.push(`FAIL ${name}: ${e.message}`);
    throw e;
  }
}

async function signUp(page, base, name) {
  await page.goto(`${base}/signup`);
  await page.getByLabel(/^Username/).fill(name);
  await page.getByLabel('Email').fill(`${name}@example.com`);
  await page.getByLabel(/^Password/).fill(PASSWORD);
  await Promise.all([
    page.waitForURL((u) => u.pathname === '/home'),
    page.getByRole('button', { name: 'Sign up' }).click(),
  ]);
}

async function post(page, text) {
  await page.getByLabel(/What's on your mind/).fill(text);
  await page.getByRole('button', { name: 'Post', exact: true }).click();
  await page.waitForLoadState('load');
}

// Reloads `url` until `check` holds (federation is asynchronous).
async function eventually(page, url, check, what) {
  for (let i = 0; i < 50; i++) {
    await page.goto(url);
    if (await check()) return;
    await page.waitForTimeout(200);
  }
  assert.fail(`never: ${what}`);
}

try {
  const alice = await newPage('alice', BASE);
  const bob = await newPage('bob', BASE2);

  await step('alice signs up on the first node, bob on the second and posts', async () => {
    await signUp(alice, BASE, 'alice');
    await signUp(bob, BASE2, 'bob');
    await post(bob, 'Hello from the second node, by bob');
  });

  await step('alice finds bob by the URL of his profile, then by his handle', async () => {
    await alice.goto(`${BASE}/search?q=${encodeURIComponent(`${BASE2}/@bob`)}`);
    const people = alice.getByRole('region', { name: 'People' });
    assert.match(await people.innerText(), new RegExp(`@bob@${HOST2.replace('.', '\\.')}`));
    await alice.goto(`${BASE}/home`);
    await alice.getByRole('searchbox', { name: 'Search' }).fill(`@bob@${HOST2}`);
    await alice.getByRole('search').getByRole('button', { name: 'Search' }).click();
    await alice.waitForLoadState('load');
    const link = alice.getByRole('region', { name: 'People' }).getByRole('link', { name: /bob/ }).first();
    await link.click();
    await alice.waitForLoadState('load');
    assert.equal(decodeURIComponent(new URL(alice.url()).pathname), `/@bob@${HOST2}`);
    await alice.screenshot({ path: `${ARTIFACTS}/30-remote-profile.png`, fullPage: true });
  });

  await step('alice follows bob from his page; his next post reaches her home, with its origin', async () => {
    await alice.getByRole('button', { name: 'Follow' }).click();
    await alice.waitForLoadState('load');
    await eventually(alice, `${BASE}/@bob@${HOST2}`,
      async () => /You follow them/.test(await alice.locator('main').innerText()), 'bob accepts the follow');
    await bob.goto(`${BASE2}/home`);
    await post(bob, 'A second post, after alice followed, by bob');
    const card = alice.locator('article.post', { hasText: 'A second post, after alice followed' });
    await eventually(alice, `${BASE}/home`, async () => (await card.count()) === 1, 'bob\'s post on alice\'s home');
    assert.match(await card.innerText(), new RegExp(`original on ${HOST2.replace('.', '\\.')}`));
    const origin = card.getByRole('link', { name: `original on ${HOST2}` });
    assert.ok((await origin.getAttribute('href')).startsWith(BASE2), 'the origin link goes to bob\'s node');
    await alice.screenshot({ path: `${ARTIFACTS}/31-remote-post-on-home.png`, fullPage: true });
  });
} finally {
  console.log(results.join('\n'));
  await browser.close();
}
