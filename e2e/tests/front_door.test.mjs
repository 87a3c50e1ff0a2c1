// The worker's front door and dead ends, on a phone: the home page leads to joining,
// status, stations and legal aid; a mistyped QR link is a page that leads back; the join
// form refuses to spend an SMS code on an ID number that cannot pass, and keeps what
// was typed. Screenshots go to e2e/screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, phone, desk, login, idNumber, shot } from './support.mjs';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });

test('a worker finds the way in from the home page and back from a dead end', async () => {
  const context = await phone(server.browser);
  const page = await context.newPage();
  await page.goto(`${server.base}/`);
  const doors = page.locator('nav a');
  assert.deepEqual(
    (await doors.allTextContents()).map((t) => t.trim().slice(0, 4)),
    ['我要入会', '我的会籍', '附近站点', '法律援助'],
  );
  assert.equal(await page.locator('a[href="/healthz"], a[href="/metrics"]').count(), 0);
  await shot(page, 'f1-home-phone');

  // An old QR code: a page in Chinese with a way back, not bare text.
  const response = await page.goto(`${server.base}/j/NOPE`);
  assert.equal(response.status(), 404);
  assert.equal(await page.textContent('h1'), '页面不存在');
  await shot(page, 'f2-not-found-phone');
  await page.click('text=返回首页');
  await page.waitForURL(`${server.base}/`);
  await page.click('text=我要入会');
  await page.waitForURL(/\/join$/);

  // A wrong ID number is refused before a code is sent; what was typed stays.
  const bad = idNumber('340122', '19900101', 61).slice(0, 17) + 'Z';
  await page.fill('input[name=name]', '张三');
  await page.fill('input[name=id_number]', bad);
  await page.fill('input[name=mobile]', '13912346161');
  await page.click('button[value=send_code]:not(.default-submit)');
  await page.waitForSelector('p.notice');
  assert.match(await page.textContent('p.notice'), /请先修改标红的内容，再获取验证码/);
  assert.equal(await page.inputValue('input[name=mobile]'), '13912346161');
  assert.ok((await page.locator('p.err').count()) >= 1);
  await shot(page, 'f3-join-refused-before-code');
  await context.close();
});

test('an officer meets a console error page that leads back to the console', async () => {
  const context = await desk(server.browser);
  const page = await context.newPage();
  await login(page, server.base, 'anhui');
  const response = await page.goto(`${server.base}/console/nonexistent`);
  assert.equal(response.status(), 404);
  assert.equal(await page.textContent('h1'), '页面不存在');
  await shot(page, 'f4-console-not-found');
  await page.click('text=返回工作台');
  await page.waitForURL(/\/console\//);
  await context.close();
});
