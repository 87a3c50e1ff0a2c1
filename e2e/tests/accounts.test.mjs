// Officer accounts in the browser (issue 13 item 7): the province's admin creates an
// account for a county reviewer, reads the one-time password once; the new officer logs
// in with it, is held on the password page until they chose their own, then works in the
// console under their name. Screenshots go to e2e/screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, desk, login, shot } from './support.mjs';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });

test('an admin creates an account; the officer must change the one-time password', async () => {
  const context = await desk(server.browser);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await login(page, server.base, 'anhui');
  await page.click('nav a[href="/console/accounts"]');
  await page.waitForSelector('form#new-account');
  await page.fill('input[name=full_name]', '李建国');
  await page.fill('input[name=mobile]', '13912340001');
  await page.fill('input[name=username]', 'e2e-reviewer');
  await page.selectOption('select[name=role]', 'reviewer');
  await page.click('form#new-account button.primary');
  await page.waitForSelector('#one-time-password');
  const oneTime = (await page.locator('#one-time-password').textContent()).trim();
  assert.equal(oneTime.length, 16);
  await shot(page, 'ac1-one-time-password');
  // Shown once: the list and the account's page never show it again.
  await page.goto(`${server.base}/console/accounts`);
  assert.ok((await page.content()).includes('李建国'));
  assert.ok((await page.content()).includes('139****0001'));
  assert.ok(!(await page.content()).includes(oneTime));
  await page.click('form[action="/console/logout"] button');
  await page.waitForURL((u) => u.pathname.endsWith('/console/login'));

  // The new officer: straight to the password page, and nowhere else until it is done.
  await login(page, server.base, 'e2e-reviewer', oneTime);
  assert.ok(page.url().endsWith('/console/password'), page.url());
  assert.ok(await page.isVisible('#must-change'));
  await page.goto(`${server.base}/console/members`);
  assert.ok(page.url().endsWith('/console/password'), 'held on the password page');
  await shot(page, 'ac2-must-change');
  await page.fill('input[name=current]', oneTime);
  await page.fill('input[name=new]', 'li jianguo chose this');
  await page.fill('input[name=repeat]', 'li jianguo chose this');
  await page.click('form[action="/console/password"] button.primary');
  await page.waitForURL((u) => u.pathname.endsWith('/console/login'));
  await login(page, server.base, 'e2e-reviewer', 'li jianguo chose this');
  assert.ok(page.url().endsWith('/console/applications'), page.url());
  assert.ok((await page.locator('header .who').textContent()).includes('李建国'));
  assert.ok(await page.isVisible('#waiting'), 'the header counts the reviews waiting');
  await shot(page, 'ac3-logged-in');
  assert.deepEqual(errors, []);
  await context.close();
});
