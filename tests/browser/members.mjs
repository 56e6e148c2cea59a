// The members' web app in a real browser: sign-up, sign-in and sign-out,
// the home feed and its compose form (Markdown preview, an image with its
// description), following from a profile, a thread page with its action
// and reply forms, live notifications and posts, editing, the feeds and
// their infinite scroll (and the no-JavaScript pager), CSRF refusal,
// creating, finding and joining a group, a phone-width window and
// keyboard-only use.
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
// axe-core, the accessibility rules engine, injected by the test (never by the app).
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const results = [];
// Known app bugs this test measures but does not assert (see each one).

// What the browser did that it should not have, for every context.
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

// Console errors a step causes on purpose (Chromium logs a page served
// with an error status, such as a refused sign-in, as a failed resource):
// each must occur, and is then no problem.
let expected = [];
const expectConsoleError = (re) => expected.push(re);

async function step(name, fn) {
  const started = Date.now();
  expected = [];
  try {
    await fn();
    for (const re of expected) {
      const i = problems.findIndex((p) => re.test(p));
      assert.ok(i >= 0, `expected console error ${re} did not occur`);
      problems.splice(i, 1);
    }
    assert.deepEqual(problems.splice(0), [], 'no console errors, page errors or outside requests');
    results.push(`ok   ${name} (${Date.now() - started} ms)`);
  } catch (e) {
    results.push(`FAIL ${name}: ${e.message}`);
    throw e;
  }
}

// The Kodeon API, for what the app cannot do yet.
async function api(method, path, body, token) {
  const res = await fetch(`${BASE}/api/kodeon/v1${path}`, {
    method,
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, json, text };
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: [
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
});

async function newPage(who, options = {}) {
  const context = await browser.newContext(options);
  watch(context, who);
  return context.newPage();
}

const shot = (page, name) => page.screenshot({ path: `${ARTIFACTS}/${name}.png`, fullPage: true });

// Waits for a navigation to `path` (with or without a query) after `action`.
async function landsOn(page, path, action) {
  await Promise.all([
    page.waitForURL((u) => u.pathname === path, { waitUntil: 'load' }),
    action(),
  ]);
}

async function signUp(page, name) {
  await page.goto(`${BASE}/signup`);
  await page.getByLabel(/^Username/).fill(name);
  await page.getByLabel('Email').fill(`${name}@example.com`);
  await page.getByLabel(/^Password/).fill(PASSWORD);
  await landsOn(page, '/home', () => page.getByRole('button', { name: 'Sign up' }).click());
}

async function signIn(page, name, password = PASSWORD) {
  await page.goto(`${BASE}/login`);
  await page.getByLabel('Username or email').fill(name);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForLoadState('load');
}

// The header of a signed-in page names the member and offers to sign out.
async function assertSignedInAs(page, name) {
  const account = page.getByRole('navigation', { name: 'Account' });
  assert.equal((await account.locator('.meta').innerText()).trim(), `@${name}`);
  assert.equal(await account.getByRole('button', { name: 'Sign out' }).count(), 1);
  assert.equal(await account.getByRole('link', { name: 'Sign in' }).count(), 0);
}

// An 8×8 PNG, red.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAEUlEQVR4nGO4oKCAFTEMLQkAvk5EAfjoixEAAAAASUVORK5CYII=',
  'base64',
);

async function compose(page, content, { warning, visibility = 'public', image, description, tags } = {}) {
  await page.getByLabel(/What's on your mind/).fill(content);
  const more = page.locator('form.compose details.more');
  if ((warning ?? image ?? tags) !== undefined && !(await more.getAttribute('open'))) {
    await more.locator('summary').click();
  }
  if (warning !== undefined) await page.getByLabel(/^Content warning/).fill(warning);
  if (tags !== undefined) await page.getByLabel(/^Tags/).fill(tags);
  if (image !== undefined) {
    await page.getByLabel(/^Image \(optional/).setInputFiles({ name: 'red.png', mimeType: 'image/png', buffer: image });
    await page.getByLabel(/^Image description/).fill(description ?? '');
  }
  await page.getByLabel('Who can see it').selectOption(visibility);
  await page.getByRole('button', { name: 'Post', exact: true }).click();
  await page.waitForLoadState('load');
}

// The feed article whose content holds `text`.
const article = (page, text) => page.locator('article.post', { hasText: text });
const postId = async (loc) => (await loc.getAttribute('id')).replace(/^p-/, '');

const noOverflow = async (page, width) => {
  const scroll = await page.evaluate(() => document.scrollingElement.scrollWidth);
  assert.ok(scroll <= width, `${page.url()}: scrollWidth ${scroll} > ${width}`);
};

try {
  const alice = await newPage('alice');
  const bob = await newPage('bob');
  let alicePost = '';

  await step('sign up alice through /signup: signed in on /home', async () => {
    await alice.goto(`${BASE}/signup`);
    assert.equal(await alice.locator('h1').innerText(), 'Sign up');
    await shot(alice, '10-signup');
    await signUp(alice, 'alice');
    assert.equal(new URL(alice.url()).pathname, '/home');
    assert.equal(await alice.locator('h1').innerText(), 'Home');
    await assertSignedInAs(alice, 'alice');
    const session = (await alice.context().cookies()).find((c) => c.name === 'kodeon_session');
    assert.ok(session, 'a session cookie is set');
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, 'Lax');
    assert.match(await alice.getByRole('region', { name: 'Your feed' }).innerText(), /Nothing here yet/);
  });

  await step('compose a Markdown post and one with a content warning', async () => {
    await compose(alice, 'Soldering tips: **flux** first, from alice');
    assert.equal(new URL(alice.url()).search, '?done=posted');
    assert.equal(await alice.getByRole('status').innerText(), 'Posted.');
    const post = article(alice, 'Soldering tips');
    assert.equal(await post.count(), 1);
    assert.equal(await post.locator('.content strong').innerText(), 'flux', 'Markdown rendered');
    assert.ok(!(await post.innerText()).includes('**'), 'no raw Markdown left');
    alicePost = await postId(post);
    assert.match(alicePost, /^[0-9A-Z]{26}$/, "a ULID");
    assert.equal(await alice.getByLabel(/What's on your mind/).inputValue(), '', 'the form is empty again');

    // The preview shows the Markdown as the post will, before posting.
    await alice.getByLabel(/What's on your mind/).fill('Preview of **bold** text');
    const preview = alice.locator('#preview');
    await preview.locator('strong').waitFor({ timeout: 5000 });
    assert.equal(await preview.locator('strong').innerText(), 'bold');
    await shot(alice, '11-compose-preview');

    await compose(alice, 'The ending of the film, from alice', { warning: 'film spoilers' });
    const warned = alice.locator('article.post', { has: alice.locator('summary', { hasText: 'film spoilers' }) });
    assert.equal(await warned.count(), 1);
    assert.equal(await warned.locator('.content').isVisible(), false, 'hidden behind the warning');
    await warned.locator('summary').click();
    assert.equal(await warned.locator('.content').isVisible(), true, 'shown when opened');
    // Newest first.
    assert.match(await alice.locator('article.post').first().innerText(), /film spoilers/);

    // An image with its description, and tags.
    await compose(alice, 'Our red square, from alice', {
      image: PNG, description: 'A small red square', tags: 'art, #colour',
    });
    const pictured = article(alice, 'Our red square');
    assert.equal(await pictured.count(), 1);
    const img = pictured.locator('img');
    assert.equal(await img.getAttribute('alt'), 'A small red square');
    assert.ok(await img.evaluate((el) => el.complete && el.naturalWidth > 0), 'the image loads from the node');
    assert.match(await pictured.innerText(), /#art/);
    assert.match(await pictured.innerText(), /#colour/);
    await shot(alice, '11-home');
  });

  await step('sign out; /home then asks to sign in; a wrong password is refused in place', async () => {
    await alice.getByRole('button', { name: 'Sign out' }).click();
    await alice.waitForURL(`${BASE}/`);
    assert.ok(!(await alice.context().cookies()).some((c) => c.name === 'kodeon_session' && c.value),
      'the session cookie is cleared');
    await alice.goto(`${BASE}/home`);
    assert.equal(new URL(alice.url()).pathname, '/login');
    assert.equal(await alice.locator('h1').innerText(), 'Sign in');
    await shot(alice, '12-login');

    await signIn(alice, 'alice', 'not the password');
    expectConsoleError(/^alice: console error on \S+\/login: Failed to load resource: .* status of 401 \(Unauthorized\)$/);
    assert.equal(new URL(alice.url()).pathname, '/login');
    const password = alice.getByLabel('Password', { exact: true });
    assert.equal(await password.getAttribute('aria-invalid'), 'true');
    assert.equal(await password.getAttribute('aria-describedby'), 'password-error');
    assert.match(await alice.locator('#password-error').innerText(), /check both and try again/);
    assert.equal(await alice.getByLabel('Username or email').inputValue(), 'alice', 'the username is kept');
    assert.equal(await password.inputValue(), '', 'the password is not sent back');

    await password.fill(PASSWORD);
    await landsOn(alice, '/home', () => alice.getByRole('button', { name: 'Sign in' }).click());
    await assertSignedInAs(alice, 'alice');
    assert.equal(await article(alice, 'Soldering tips').count(), 1);
  });

  await step('bob, in another browser, follows alice from her profile, likes and replies; alice sees it live', async () => {
    await signUp(bob, 'bob');
    await assertSignedInAs(bob, 'bob');
    assert.equal(await article(bob, 'Soldering tips').count(), 0, 'not followed yet');
    // Alice waits on her home page; nothing reloads it.
    await alice.goto(`${BASE}/home`);
    const badge = alice.locator('#unread');
    assert.equal(await badge.isVisible(), false, 'no unread notification yet');
    await bob.goto(`${BASE}/@alice`);
    await landsOn(bob, '/@alice', () => bob.getByRole('button', { name: 'Follow' }).click());
    assert.match(await bob.getByRole('region', { name: /You and @alice/ }).innerText(), /You follow them/);
    await alice.waitForFunction(() => /1 unread/.test(document.getElementById('unread')?.textContent ?? ''), null, { timeout: 5000 });
    assert.equal(new URL(alice.url()).pathname, '/home', 'the count came live, not by a reload');
    await bob.goto(`${BASE}/home`);
    const inFeed = article(bob, 'Soldering tips');
    assert.equal(await inFeed.count(), 1, 'alice\'s post is on bob\'s home after the follow');
    assert.equal(await inFeed.locator('.content strong').innerText(), 'flux');
    await bob.goto(`${BASE}/@alice/${alicePost}`);
    await assertSignedInAs(bob, 'bob');
    const focus = bob.locator('article.post.focus');
    assert.equal(await focus.locator('.content strong').innerText(), 'flux');
    const like = focus.getByRole('button', { name: 'Like' });
    assert.equal(await like.getAttribute('aria-pressed'), 'false');
    assert.equal(await focus.getByRole('button', { name: 'Delete' }).count(), 0, 'not his to delete');
    await landsOn(bob, `/@alice/${alicePost}`, () => like.click());
    assert.equal(await focus.getByRole('button', { name: 'Like' }).getAttribute('aria-pressed'), 'true');
    assert.match(await focus.innerText(), /1 like\b/);
    await alice.waitForFunction(() => /2 unread/.test(document.getElementById('unread')?.textContent ?? ''), null, { timeout: 5000 });

    const reply = bob.getByRole('region', { name: 'Reply' });
    await reply.getByLabel(/Your reply/).fill('Agreed, _flux_ saves joints. From bob');
    await landsOn(bob, `/@alice/${alicePost}`, () => reply.getByRole('button', { name: 'Reply', exact: true }).click());
    const answer = bob.locator('.depth-1 article.post', { hasText: 'saves joints' });
    assert.equal(await answer.count(), 1, 'the reply is in the thread');
    assert.equal(await answer.locator('em').innerText(), 'flux');
    assert.match(await answer.locator('.meta').first().innerText(), /@bob/);
    assert.match(await focus.innerText(), /1 reply\b/);
    await shot(bob, '13-thread');
    await alice.waitForFunction(() => /3 unread/.test(document.getElementById('unread')?.textContent ?? ''), null, { timeout: 5000 });
    assert.equal(new URL(alice.url()).pathname, '/home');

    // Her notifications list them, newest first.
    await alice.goto(`${BASE}/notifications`);
    const items = alice.locator('ol.notifications li');
    assert.equal(await items.count(), 3);
    assert.match(await items.nth(0).innerText(), /bob/);
    assert.match(await items.nth(2).innerText(), /followed you/);
    await shot(alice, '17-notifications');

    // Alice follows bob back; his next post arrives on her home live,
    // behind a button, not under her reading position.
    await alice.goto(`${BASE}/@bob`);
    await landsOn(alice, '/@bob', () => alice.getByRole('button', { name: 'Follow' }).click());
    await alice.goto(`${BASE}/home`);
    await bob.goto(`${BASE}/home`);
    await compose(bob, 'Fresh from bob, live');
    const more = alice.getByRole('button', { name: 'Show 1 new post' });
    await more.waitFor({ timeout: 5000 });
    assert.equal(await article(alice, 'Fresh from bob, live').count(), 0, 'not inserted before asked');
    await more.click();
    assert.equal(await article(alice, 'Fresh from bob, live').count(), 1);
    assert.equal(new URL(alice.url()).pathname, '/home');

    // Alice sees the like and the reply on her own page of it.
    await alice.goto(`${BASE}/@alice/${alicePost}`);
    const mine = alice.locator('article.post.focus');
    assert.match(await mine.innerText(), /1 like\b/);
    assert.equal(await mine.getByRole('button', { name: 'Like' }).getAttribute('aria-pressed'), 'false');
    assert.equal(await mine.getByRole('button', { name: 'Delete' }).count(), 1);
    assert.equal(await alice.locator('.depth-1 article.post', { hasText: 'saves joints' }).count(), 1);
  });

  await step('forged form posts (no or a wrong CSRF token) are refused and change nothing', async () => {
    // Sent with bob's session cookie, as a cross-site form would be.
    const forged = await bob.request.post(`${BASE}/compose`, {
      form: { content: 'Forged post', visibility: 'public', back: '/home' },
      maxRedirects: 0,
    });
    assert.equal(forged.status(), 403);
    const wrong = await bob.request.post(`${BASE}/posts/${alicePost}/unlike`, {
      form: { csrf: 'a'.repeat(64), back: '/home' }, maxRedirects: 0,
    });
    assert.equal(wrong.status(), 403);
    const del = await bob.request.post(`${BASE}/posts/${alicePost}/delete`, {
      form: { back: '/home' }, maxRedirects: 0,
    });
    assert.equal(del.status(), 403);
    // The browser's own form submission, with the token taken out.
    await bob.goto(`${BASE}/home`);
    await bob.locator('form.compose input[name=csrf]').evaluate((el) => el.remove());
    await bob.getByLabel(/What's on your mind/).fill('Forged from the page');
    const [refused] = await Promise.all([
      bob.waitForResponse((r) => r.url() === `${BASE}/compose`),
      bob.getByRole('button', { name: 'Post', exact: true }).click(),
    ]);
    assert.equal(refused.status(), 403);
    await bob.waitForLoadState('load');
    assert.equal(await bob.locator('h1').innerText(), 'Forbidden');
    assert.match(await bob.locator('main').innerText(), /did not come from this site/);
    expectConsoleError(/^bob: console error on \S+\/compose: Failed to load resource: .* status of 403 \(Forbidden\)$/);

    await bob.goto(`${BASE}/@alice/${alicePost}`);
    const focus = bob.locator('article.post.focus');
    assert.equal(await focus.getByRole('button', { name: 'Like' }).getAttribute('aria-pressed'), 'true', 'still liked');
    await bob.goto(`${BASE}/home`);
    assert.ok(!(await bob.content()).includes('Forged'), 'no forged post on bob\'s home');
    await bob.goto(`${BASE}/@bob`);
    assert.ok(!(await bob.content()).includes('Forged'), 'no forged post on bob\'s profile');
  });

  await step('groups: alice creates one through the form; bob finds it in the directory and joins; alice sees him among its members', async () => {
    await alice.goto(`${BASE}/home`);
    await landsOn(alice, '/groups', () => alice.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Groups' }).click());
    await landsOn(alice, '/groups/new', () => alice.getByRole('link', { name: 'Create a group' }).click());
    await alice.getByLabel(/^Name \(/).fill('bob'); // a member's name: taken
    await alice.getByLabel('Display name').fill('Solderers');
    await alice.getByLabel(/^Description/).fill('Irons, flux and **clean joints**.');
    await alice.getByLabel(/^Category/).fill('hardware');
    await alice.getByLabel(/^Rules/).fill('Be kind.\nShow your work.');
    await alice.getByRole('button', { name: 'Create group' }).click();
    await alice.waitForLoadState('load');
    expectConsoleError(/^alice: console error on \S+\/groups: Failed to load resource: .* status of 409/);
    const name = alice.getByLabel(/^Name \(/);
    assert.equal(await name.getAttribute('aria-invalid'), 'true', 'the taken name is marked');
    assert.match(await alice.locator('#name-error').innerText(), /taken/);
    assert.equal(await alice.getByLabel('Display name').inputValue(), 'Solderers', 'what was typed is kept');
    await shot(alice, '27-group-new-error');
    await name.fill('solderers');
    await landsOn(alice, '/g/solderers', () => alice.getByRole('button', { name: 'Create group' }).click());
    assert.equal(await alice.locator('h1').innerText(), 'Solderers');
    assert.match(await alice.getByRole('status').innerText(), /group is created/);
    assert.equal(await alice.locator('.group-about strong').innerText(), 'clean joints');
    assert.equal(await alice.getByRole('region', { name: 'Rules' }).locator('li').count(), 2);
    assert.match(await alice.getByRole('region', { name: 'Your membership' }).innerText(), /member \(Owner\)/);
    await shot(alice, '28-group');

    await bob.goto(`${BASE}/groups`);
    const find = bob.getByRole('search', { name: 'Find groups' });
    await find.getByLabel('Name or display name').fill('solder');
    await landsOn(bob, '/groups', () => find.getByRole('button', { name: 'Find groups' }).click());
    const listed = bob.locator('ul.groups li', { hasText: 'Solderers' });
    assert.equal(await listed.count(), 1, 'the directory finds it');
    assert.match(await listed.innerText(), /1 member/);
    await shot(bob, '29-groups-directory');
    await landsOn(bob, '/g/solderers', () => listed.getByRole('link', { name: 'Solderers' }).click());
    await landsOn(bob, '/g/solderers', () => bob.getByRole('button', { name: 'Join' }).click());
    assert.match(await bob.getByRole('status').innerText(), /member now/);
    assert.equal(await bob.getByRole('button', { name: 'Leave the group' }).count(), 1);
    // Bob posts in the group from its page; it is in the group's feed.
    const composer = bob.getByRole('region', { name: /^Post in Solderers/ });
    await composer.getByLabel(/What's on your mind/).fill('My first joint, in **the group**');
    await landsOn(bob, '/g/solderers', () => composer.getByRole('button', { name: 'Post', exact: true }).click());
    assert.equal(await article(bob, 'My first joint').locator('strong').innerText(), 'the group');
    await landsOn(bob, '/g/solderers', () => bob.getByRole('navigation', { name: 'Order of the posts' }).getByRole('link', { name: 'Hot' }).click());
    assert.equal(await article(bob, 'My first joint').count(), 1, 'and in its hot feed');

    await alice.goto(`${BASE}/g/solderers`);
    await landsOn(alice, '/g/solderers/members', () => alice.getByRole('navigation', { name: 'Group' }).getByRole('link', { name: 'Members' }).click());
    const bobRow = alice.locator('ul.members li', { hasText: '@bob' });
    assert.equal(await bobRow.count(), 1, 'bob is a member');
    assert.match(await bobRow.innerText(), /Member/);
    assert.equal(await bobRow.getByRole('button', { name: /Make moderator/ }).count(), 1, 'the owner may make him a moderator');
    await shot(alice, '30-group-members');
    await alice.goto(`${BASE}/g/solderers/moderation`);
    await shot(alice, '31-group-moderation');
    await alice.goto(`${BASE}/g/solderers/settings`);
    await shot(alice, '32-group-settings');
  });

  await step('at 390 px: sign in and compose; nothing overflows sideways', async () => {
    const phone = await newPage('alice (phone)', { viewport: { width: 390, height: 844 } });
    for (const path of ['/login', '/signup']) {
      await phone.goto(`${BASE}${path}`);
      await noOverflow(phone, 390);
    }
    await signIn(phone, 'alice');
    assert.equal(new URL(phone.url()).pathname, '/home');
    await noOverflow(phone, 390);
    const box = await phone.getByLabel(/What's on your mind/).boundingBox();
    assert.ok(box && box.x >= 0 && box.x + box.width <= 390, `the textarea fits: ${JSON.stringify(box)}`);
    const post = await phone.getByRole('button', { name: 'Post', exact: true }).boundingBox();
    assert.ok(post && post.x + post.width <= 390, 'the Post button is on screen');
    await compose(phone, 'Posted from a phone-sized window, with **bold** words and a [link](https://example.com/a/path).');
    assert.equal(await article(phone, 'phone-sized window').count(), 1);
    await noOverflow(phone, 390);
    await shot(phone, '14-home-390px');
    await phone.goto(`${BASE}/@alice/${alicePost}`);
    await noOverflow(phone, 390);
    await shot(phone, '15-thread-390px');

    // One long unbroken word (a long URL, a hash) wraps instead of
    // widening the page.
    await phone.goto(`${BASE}/home`);
    await compose(phone, `Long word: ${'x'.repeat(100)}`);
    const wide = await phone.evaluate(() => document.scrollingElement.scrollWidth);
    assert(wide <= 390, `a post with a 100-character word widens /home to ${wide} px`);
    await shot(phone, '16-long-word-390px');
    // Every other page of the app fits too.
    for (const path of ['/local', '/federated', '/notifications', '/messages', '/settings', '/settings/profile', '/search?q=alice', '/@alice', `/posts/${alicePost}/edit`,
      '/groups', '/groups/new', '/g/solderers', '/g/solderers/members', '/g/solderers/moderation', '/g/solderers/settings']) {
      await phone.goto(`${BASE}${path}`);
      await noOverflow(phone, 390);
    }
    await phone.goto(`${BASE}/settings/profile`);
    await shot(phone, '16-profile-settings-390px');
    await phone.goto(`${BASE}/g/solderers`);
    await shot(phone, '16-group-390px');
    await phone.context().close();
  });

  await step('keyboard only: Tab to the compose box, type, Tab to Post, Enter', async () => {
    await alice.goto(`${BASE}/home`);
    const focused = () => alice.evaluate(() => {
      const el = document.activeElement;
      return el ? `${el.tagName.toLowerCase()}#${el.id}|${el.textContent.trim()}` : '';
    });
    let reached = false;
    for (let i = 0; i < 20 && !reached; i++) {
      await alice.keyboard.press('Tab');
      reached = (await focused()).startsWith('textarea#content');
    }
    assert.ok(reached, 'Tab reaches the compose textarea');
    await alice.keyboard.type('Typed with the keyboard alone, from alice');
    reached = false;
    for (let i = 0; i < 5 && !reached; i++) {
      await alice.keyboard.press('Tab');
      reached = (await focused()) === 'button#|Post';
    }
    assert.ok(reached, 'Tab reaches the Post button');
    await landsOn(alice, '/home', () => alice.keyboard.press('Enter'));
    assert.equal(await alice.getByRole('status').innerText(), 'Posted.');
    assert.match(await alice.locator('article.post').first().innerText(), /Typed with the keyboard alone/);
  });

  await step('edit a post from its Edit link', async () => {
    await alice.goto(`${BASE}/@alice/${alicePost}`);
    await landsOn(alice, `/posts/${alicePost}/edit`, () => alice.locator('article.post.focus').getByRole('link', { name: 'Edit' }).click());
    assert.equal(await alice.locator('h1').innerText(), 'Edit post');
    const text = alice.getByLabel('Text (Markdown)');
    assert.equal(await text.inputValue(), 'Soldering tips: **flux** first, from alice');
    await text.fill('Soldering tips: **flux** first, then heat, from alice');
    await shot(alice, '18-edit');
    await landsOn(alice, `/@alice/${alicePost}`, () => alice.getByRole('button', { name: 'Save' }).click());
    assert.match(await alice.locator('article.post.focus .content').innerText(), /then heat/);
  });

  await step('the home feed loads older posts as one scrolls; without JavaScript, "Older posts"', async () => {
    // Enough posts for a second page (40 a page), through the form's own token.
    await alice.goto(`${BASE}/home`);
    const csrf = await alice.locator('form.compose input[name=csrf]').inputValue();
    for (let i = 1; i <= 45; i++) {
      const r = await alice.request.post(`${BASE}/compose`, {
        form: { csrf, content: `Filler post number ${i}`, visibility: 'public', back: '/home' },
        maxRedirects: 0,
      });
      assert.equal(r.status(), 303, `filler ${i}`);
    }
    await alice.goto(`${BASE}/home`);
    assert.equal(await alice.locator('article.post').count(), 40);
    assert.equal(await article(alice, 'Soldering tips').count(), 0, 'the first post is on a later page');
    await alice.locator('nav.pager').scrollIntoViewIfNeeded();
    await article(alice, 'Soldering tips').waitFor({ timeout: 5000 });
    assert.ok((await alice.locator('article.post').count()) > 40, 'older posts appended');
    assert.equal(new URL(alice.url()).search, '', 'still the same page');

    const plain = await newPage('alice (no JavaScript)', { javaScriptEnabled: false });
    await plain.context().addCookies(await alice.context().cookies());
    await plain.goto(`${BASE}/home`);
    assert.equal(await plain.locator('article.post').count(), 40);
    await landsOn(plain, '/home', () => plain.getByRole('link', { name: 'Older posts' }).click());
    assert.match(new URL(plain.url()).search, /^\?max_id=[0-9A-Z]{26}$/);
    assert.equal(await article(plain, 'Soldering tips').count(), 1);
    assert.equal(await article(plain, 'Filler post number 45').count(), 0);
    await plain.context().close();
  });

  await step('a direct message from bob reaches alice only; she answers in the conversation', async () => {
    await bob.goto(`${BASE}/messages`);
    await bob.getByLabel(/^To/).fill('@alice');
    await bob.getByLabel(/^Message/).fill('Psst alice, a **private** word from bob');
    await bob.getByRole('button', { name: 'Send' }).click();
    await bob.waitForLoadState('load');
    await alice.goto(`${BASE}/messages`);
    const conversation = alice.locator('ol.conversations li', { hasText: 'private' });
    assert.equal(await conversation.count(), 1, 'the message is listed for alice');
    assert.match(await conversation.innerText(), /Unread/);
    await shot(alice, '22-messages');
    await conversation.getByRole('link').click();
    await alice.waitForLoadState('load');
    assert.equal(await article(alice, 'a private word from bob').locator('strong').innerText(), 'private');
    const conversationUrl = alice.url();
    await alice.getByLabel(/^Your reply/).fill('@bob Thanks, only for you');
    await alice.getByRole('button', { name: 'Send' }).click();
    await alice.waitForLoadState('load');
    assert.equal(await article(alice, 'Thanks, only for you').count(), 1);
    await shot(alice, '23-conversation');

    // A third member sees it nowhere: not in her messages, not at its URL,
    // not on the public pages.
    const carol = await newPage('carol');
    await signUp(carol, 'carol');
    await carol.goto(`${BASE}/messages`);
    assert.equal(await carol.locator('ol.conversations li').count(), 0);
    const res = await carol.goto(conversationUrl);
    assert.equal(res.status(), 404);
    expectConsoleError(/^carol: console error on \S+\/messages\/\S+: Failed to load resource: .* status of 404 \(Not Found\)$/);
    for (const path of ['/home', '/local', '/@bob', '/@alice']) {
      await carol.goto(`${BASE}${path}`);
      assert.ok(!(await carol.content()).includes('private word'), `not on ${path}`);
    }
    await carol.context().close();
  });

  await step('search finds people, tags and posts', async () => {
    await alice.goto(`${BASE}/home`);
    await alice.getByRole('searchbox', { name: 'Search' }).fill('soldering');
    await alice.getByRole('search').getByRole('button', { name: 'Search' }).click();
    await alice.waitForLoadState('load');
    assert.equal(new URL(alice.url()).pathname, '/search');
    assert.ok((await article(alice, 'Soldering tips').count()) >= 1, 'the post is found');
    await alice.goto(`${BASE}/search?q=bob`);
    assert.equal(await alice.getByRole('region', { name: 'People' }).getByRole('link', { name: /bob/ }).count() >= 1, true);
    await shot(alice, '24-search');
  });

  await step('settings: the profile and the avatar change; the profile page shows them; sign out everywhere else', async () => {
    await alice.goto(`${BASE}/settings`);
    await shot(alice, '25-settings');
    await alice.getByRole('link', { name: /profile/i }).first().click();
    await alice.waitForLoadState('load');
    assert.equal(new URL(alice.url()).pathname, '/settings/profile');
    await alice.getByLabel('Display name').fill('Alice Liddell');
    await alice.getByLabel('About me').fill('I solder things and write about it.');
    await alice.getByLabel(/^Website/).fill('ftp://alice.example/'); // a URL the browser accepts, the node not
    await alice.getByRole('button', { name: 'Save profile' }).click();
    await alice.waitForLoadState('load');
    expectConsoleError(/^alice: console error on \S+\/settings\/profile: Failed to load resource: .* status of 422/);
    const website = alice.getByLabel(/^Website/);
    assert.equal(await website.getAttribute('aria-invalid'), 'true', 'the error is on the field');
    assert.equal(await alice.getByLabel('About me').inputValue(), 'I solder things and write about it.', 'what was typed is kept');
    await website.fill('https://alice.example/');
    await alice.getByRole('button', { name: 'Save profile' }).click();
    await alice.waitForLoadState('load');
    await alice.getByLabel(/^New avatar/).setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: PNG });
    await alice.getByRole('button', { name: 'Upload avatar' }).click();
    await alice.waitForLoadState('load');
    await shot(alice, '26-profile-settings');
    await alice.goto(`${BASE}/@alice`);
    assert.match(await alice.locator('h1').innerText(), /Alice Liddell/);
    assert.match(await alice.locator('main').innerText(), /I solder things/);
    const avatar = alice.locator('img.avatar');
    assert.ok(await avatar.evaluate((el) => el.complete && el.naturalWidth > 0), 'the avatar loads from the node');

    // A second browser of alice's is signed out from the first.
    const other = await newPage('alice (second browser)');
    await signIn(other, 'alice');
    await alice.goto(`${BASE}/settings`);
    await alice.getByRole('button', { name: 'Sign out everywhere else' }).click();
    await alice.waitForLoadState('load');
    await other.goto(`${BASE}/home`);
    assert.equal(new URL(other.url()).pathname, '/login', 'the other browser is signed out');
    await alice.goto(`${BASE}/home`);
    assert.equal(new URL(alice.url()).pathname, '/home', 'this one stays signed in');
    await other.context().close();
  });

  await step('accessibility: no serious or critical WCAG 2 A/AA violation on the app\'s pages (axe-core)', async () => {
    // A context that lets the test inject axe past the pages' CSP.
    const context = await browser.newContext({ bypassCSP: true });
    watch(context, 'alice (axe)');
    await context.addCookies(await alice.context().cookies());
    const page = await context.newPage();
    const paths = ['/home', '/local', '/federated', '/notifications', '/settings', '/settings/profile', '/@alice', '/@bob',
      '/messages', '/search?q=bob',
      `/@alice/${alicePost}`, `/posts/${alicePost}/edit`, '/tags/art',
      '/groups', '/groups/new', '/g/solderers', '/g/solderers/members', '/g/solderers/moderation', '/g/solderers/settings',
      '/events', '/events?tab=mine', '/events?tab=past', '/events?view=calendar', '/events/new'];
    const found = [];
    for (const path of paths) {
      await page.goto(`${BASE}${path}`);
      await page.addScriptTag({ path: AXE });
      const { violations, passes } = await page.evaluate(async () => {
        const r = await window.axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] });
        return {
          passes: r.passes.length,
          violations: r.violations
            .filter((v) => v.impact === 'serious' || v.impact === 'critical')
            .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`),
        };
      });
      assert.ok(passes >= 10, `axe ran its rules on ${path} (${passes} passed)`);
      for (const v of violations) found.push(`${path}: ${v}`);
    }
    // Signed out: the sign-in and sign-up pages.
    await context.clearCookies();
    for (const path of ['/login', '/signup', '/']) {
      await page.goto(`${BASE}${path}`);
      await page.addScriptTag({ path: AXE });
      const violations = await page.evaluate(async () => (await window.axe.run(document, { runOnly: ['wcag2a', 'wcag2aa'] }))
        .violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id));
      for (const v of violations) found.push(`${path}: ${v}`);
    }
    await context.close();
    assert.deepEqual(found, [], 'accessibility violations');
  });

  await step('the local and federated feeds, a tag page', async () => {
    for (const [path, heading, name] of [['/local', 'Local', '19-local'], ['/federated', 'Federated', '20-federated'], ['/tags/art', '#art', '21-tag']]) {
      await alice.goto(`${BASE}${path}`);
      assert.equal(await alice.locator('h1').innerText(), heading);
      assert.ok((await alice.locator('article.post').count()) > 0, `${path} lists posts`);
      await shot(alice, name);
    }
    assert.equal(await article(alice, 'Our red square').count(), 1, 'the tagged post is on its tag page');
    assert.equal(await alice.locator('article.post').first().getByRole('button', { name: 'Like' }).count(), 1, 'with the member\'s forms');
  });
} finally {
  console.log([...results].join('\n'));
  await browser.close();
}
