// The admin panel and the public pages in a real browser: headless Debian
// Chromium driven by playwright-core. Started by run.sh, which gives us a
// fresh node: BASE (its URL), SETUP_TOKEN (from its log), ARTIFACTS (where
// screenshots go; kept as CI artefacts, never committed).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';

const BASE = process.env.BASE;
const SETUP_TOKEN = process.env.SETUP_TOKEN;
const ARTIFACTS = process.env.ARTIFACTS ?? 'target/browser-artifacts';
assert.ok(BASE && SETUP_TOKEN, 'run through tests/browser/run.sh');
mkdirSync(ARTIFACTS, { recursive: true });

const results = [];
async function step(name, fn) {
  const started = Date.now();
  try {
    await fn();
    results.push(`ok   ${name} (${Date.now() - started} ms)`);
  } catch (e) {
    results.push(`FAIL ${name}: ${e.message}`);
    throw e;
  }
}

// --- the Kodeon API, for what members do outside the panel --------------
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

async function register(name) {
  const r = await api('POST', '/auth/register', {
    username: name, email: `${name}@example.com`, password: 'correct horse battery',
  });
  assert.equal(r.status, 201, `register ${name}: ${r.text}`);
  return { id: r.json.member.id, token: r.json.token };
}

async function createPost(token, content, visibility) {
  const r = await api('POST', '/posts', { content, visibility }, token);
  assert.equal(r.status, 201, `post: ${r.text}`);
  return r.json.id;
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: [
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
});

try {
  // A phone-width admin window and a separate visitor with no cookies.
  const admin = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
  const visitor = await (await browser.newContext()).newPage();
  const shot = (page, name) => page.screenshot({ path: `${ARTIFACTS}/${name}.png`, fullPage: true });

  await step('first start: setup with the logged token creates the admin', async () => {
    await admin.goto(`${BASE}/admin`);
    assert.match(admin.url(), /\/admin\/setup$/, 'an unconfigured node sends the admin to setup');
    await admin.getByLabel('Setup token').fill('wrong-token');
    await admin.getByLabel('Admin username').fill('root');
    await admin.getByLabel('Email').fill('root@example.com');
    await admin.getByLabel(/^Password/).fill('correct horse battery');
    await admin.getByRole('button', { name: 'Create the admin' }).click();
    await admin.getByRole('alert').waitFor();
    assert.match(await admin.getByRole('alert').innerText(), /invalid setup token/i);
    await admin.getByLabel('Setup token').fill(SETUP_TOKEN);
    await admin.getByLabel('Admin username').fill('root');
    await admin.getByLabel('Email').fill('root@example.com');
    await admin.getByLabel(/^Password/).fill('correct horse battery');
    await admin.getByRole('button', { name: 'Create the admin' }).click();
    await admin.getByRole('heading', { name: 'Dashboard' }).waitFor();
    const cookies = await admin.context().cookies();
    const session = cookies.find((c) => c.name === 'kodeon_admin');
    assert.ok(session, 'a session cookie is set');
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, 'Lax');
    await shot(admin, '01-dashboard-after-setup');
  });

  await step('log out, then log in again (a wrong password is refused)', async () => {
    await admin.getByRole('button', { name: 'Log out' }).click();
    await admin.getByRole('heading', { name: 'Log in to the admin panel' }).waitFor();
    await admin.goto(`${BASE}/admin/members`);
    assert.match(admin.url(), /\/admin\/login$/, 'the panel needs a session');
    await admin.getByLabel('Username or email').fill('root');
    await admin.getByLabel('Password').fill('not the password');
    await admin.getByRole('button', { name: 'Log in' }).click();
    await admin.getByRole('alert').waitFor();
    await admin.getByLabel('Username or email').fill('root');
    await admin.getByLabel('Password').fill('correct horse battery');
    await admin.getByRole('button', { name: 'Log in' }).click();
    await admin.getByRole('heading', { name: 'Dashboard' }).waitFor();
  });

  // Members and their posts, made through the API.
  const alice = await register('alice');
  const bob = await register('bob');
  const publicText = 'Public notes on soldering, from alice';
  const privateText = 'Followers-only plans, from alice';
  const publicPost = await createPost(alice.token, publicText, 'public');
  const privatePost = await createPost(alice.token, privateText, 'followers');

  await step('the dashboard shows figures and a server-rendered chart', async () => {
    await admin.goto(`${BASE}/admin`);
    const members = admin.locator('.figures li', { hasText: 'members' }).first();
    assert.equal((await members.locator('.value').innerText()).trim(), '3');
    const charts = admin.locator('figure svg[role="img"]');
    assert.equal(await charts.count(), 4);
    const posts = admin.locator('figure', { hasText: 'Posts' }).locator('svg');
    assert.match(await posts.getAttribute('aria-label'), /posts per day .*: 2 in all/);
    assert.ok((await posts.locator('rect').count()) === 30, 'one bar per day');
    await shot(admin, '02-dashboard-with-members');
  });

  await step('a visitor sees a public profile and post, never a followers-only post', async () => {
    await visitor.goto(`${BASE}/@alice`);
    assert.match(await visitor.title(), /alice/);
    const profile = await visitor.content();
    assert.ok(profile.includes(publicText), 'public post on the profile');
    assert.ok(!profile.includes(privateText), 'followers-only post not on the profile');
    assert.ok(
      await visitor.locator('link[rel="alternate"][type="application/activity+json"]').count() === 1,
      'the profile links its ActivityPub actor',
    );
    const ok = await visitor.goto(`${BASE}/@alice/${publicPost}`);
    assert.equal(ok.status(), 200);
    assert.ok((await visitor.content()).includes(publicText));
    const og = await visitor.locator('meta[property="og:title"]').getAttribute('content');
    assert.ok(og && og.length > 0, 'OpenGraph title');
    const hidden = await visitor.goto(`${BASE}/@alice/${privatePost}`);
    assert.equal(hidden.status(), 404);
    assert.ok(!(await visitor.content()).includes(privateText));
    await shot(visitor, '03-visitor-public-post');
  });

  await step('a report filed by a member is resolved in the panel', async () => {
    const r = await api('POST', '/reports', {
      account_id: alice.id, post_ids: [publicPost], comment: 'looks like spam to me', category: 'spam',
    }, bob.token);
    assert.equal(r.status, 201, r.text);
    await admin.goto(`${BASE}/admin`);
    await admin.getByRole('link', { name: /Reports/ }).click();
    const row = admin.locator('tr', { hasText: 'looks like spam to me' });
    await row.waitFor();
    await row.getByRole('link').click();
    await admin.getByRole('heading', { name: 'Report about alice' }).waitFor();
    assert.ok((await admin.content()).includes(publicText), 'the reported post is shown');
    await admin.getByLabel('Add a note').fill('Checked: a tutorial, not spam.');
    await admin.getByRole('button', { name: 'Add note' }).click();
    await admin.getByText('Checked: a tutorial, not spam.').waitFor();
    await admin.getByLabel('Resolve with').selectOption('dismiss');
    await admin.getByRole('button', { name: 'Resolve' }).click();
    await admin.getByRole('status').waitFor();
    assert.match(await admin.locator('#report-state').innerText(), /resolved: dismiss/);
    await admin.goto(`${BASE}/admin/reports`);
    assert.ok((await admin.content()).includes('No reports waiting'), 'the queue is empty');
    await shot(admin, '04-report-resolved');
  });

  await step('suspending a member removes their posts from public pages', async () => {
    await admin.goto(`${BASE}/admin/members`);
    await admin.getByLabel(/Find by username/).fill('ali');
    await admin.getByRole('button', { name: 'Search' }).click();
    await admin.getByRole('link', { name: 'alice', exact: true }).click();
    await admin.getByRole('heading', { name: 'alice' }).waitFor();
    await admin.getByLabel('Reason (for the audit log)').fill('browser test');
    await admin.getByRole('button', { name: 'Suspend' }).click();
    await admin.getByRole('status').waitFor();
    assert.match(await admin.locator('#status').innerText(), /suspended/);
    await shot(admin, '05-member-suspended');
    const gone = await visitor.goto(`${BASE}/@alice/${publicPost}`);
    assert.equal(gone.status(), 404);
    assert.ok(!(await visitor.content()).includes(publicText));
    await visitor.goto(`${BASE}/`);
    assert.ok(!(await visitor.content()).includes(publicText), 'not on the home page either');
    await admin.goto(`${BASE}/admin/audit`);
    const audit = await admin.content();
    assert.ok(audit.includes('member.suspend') && audit.includes('report.resolve'), 'audited');
  });

  await step('a domain block added in the panel is enforced on the inbox', async () => {
    await admin.goto(`${BASE}/admin/federation`);
    await admin.getByLabel(/^Domain/).fill('blocked.example');
    await admin.getByLabel('Severity').selectOption('suspend');
    await admin.getByLabel('Public reason').fill('spam server');
    await admin.getByRole('button', { name: 'Block domain' }).click();
    await admin.getByRole('status').waitFor();
    assert.ok(await admin.locator('#domain-blocks tr', { hasText: 'blocked.example' }).count() === 1);
    await shot(admin, '06-domain-block');
    // An activity signed with a key of the blocked server: refused with 403
    // before any fetch of its key.
    const body = JSON.stringify({
      '@context': 'https://www.w3.org/ns/activitystreams',
      id: 'https://blocked.example/activities/1', type: 'Follow',
      actor: 'https://blocked.example/users/spammer', object: `${BASE}/users/bob`,
    });
    const digest = 'SHA-256=' + createHash('sha256').update(body).digest('base64');
    const res = await fetch(`${BASE}/inbox`, {
      method: 'POST',
      headers: {
        'content-type': 'application/activity+json',
        date: new Date().toUTCString(),
        digest,
        signature: 'keyId="https://blocked.example/users/spammer#main-key",algorithm="rsa-sha256",'
          + 'headers="(request-target) host date digest",signature="AAAA"',
      },
      body,
    });
    assert.equal(res.status, 403, await res.text());
  });

  await step('a new description appears on the public home page at once', async () => {
    await admin.goto(`${BASE}/admin/settings`);
    await admin.getByLabel('Node name').fill('Makers Hub');
    await admin.getByLabel(/^Description/).fill('A home for makers who fix things.');
    await admin.getByLabel(/^Rules/).fill('Be kind\nCredit your sources');
    await admin.getByRole('button', { name: 'Save settings' }).click();
    await admin.getByRole('status').waitFor();
    await visitor.goto(`${BASE}/`);
    assert.equal(await visitor.title(), 'Makers Hub');
    assert.ok((await visitor.content()).includes('A home for makers who fix things.'));
    assert.equal(await visitor.locator('ol.rules li').count(), 2);
    await shot(visitor, '07-home-with-description');
  });

  await step('a forged form post (no CSRF token) is refused and changes nothing', async () => {
    // The browser sends the admin's session cookie, as a cross-site form
    // would; without the form token the node refuses.
    const forged = await admin.request.post(`${BASE}/admin/settings`, {
      form: {
        name: 'Hijacked', description: 'owned', rules: '', registration: 'open',
        contact_email: '', post_chars: '10', title_chars: '10', tags: '1', bio_chars: '10',
      },
      maxRedirects: 0,
    });
    assert.equal(forged.status(), 403);
    const wrong = await admin.request.post(`${BASE}/admin/members/${bob.id}/action`, {
      form: { csrf: 'a'.repeat(64), action: 'suspend' }, maxRedirects: 0,
    });
    assert.equal(wrong.status(), 403);
    await visitor.goto(`${BASE}/`);
    assert.equal(await visitor.title(), 'Makers Hub', 'the name did not change');
    const bobPage = await visitor.goto(`${BASE}/@bob`);
    assert.equal(bobPage.status(), 200, 'bob is not suspended');
  });

  await step('every panel page is keyboard-reachable and labelled', async () => {
    for (const path of ['/admin', '/admin/members', '/admin/reports', '/admin/federation', '/admin/settings', '/admin/audit']) {
      await admin.goto(`${BASE}${path}`);
      assert.equal(await admin.locator('h1').count(), 1, `${path} has one h1`);
      const unlabelled = await admin.locator('input:not([type=hidden]):not([type=checkbox]), select, textarea')
        .evaluateAll((els) => els.filter((el) => !el.labels || el.labels.length === 0).map((el) => el.name));
      assert.deepEqual(unlabelled, [], `${path}: every field has a label`);
    }
    await admin.goto(`${BASE}/admin`);
    await admin.keyboard.press('Tab');
    const first = await admin.evaluate(() => document.activeElement?.textContent?.trim());
    assert.equal(first, 'Skip to content');
  });
} finally {
  console.log(results.join('\n'));
  await browser.close();
}
