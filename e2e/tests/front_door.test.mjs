// The worker's front door and dead ends, on a phone: the home page leads to joining,
// status, stations and legal aid; a mistyped QR link is a page that leads back; the join
// form refuses to spend an SMS code on an ID number that cannot pass, and keeps what
// was typed. Screenshots go to e2e/screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, phone, desk, login, idNumber, join, shot } from './support.mjs';

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

test('an officer confirms a withdrawal on a second page before it happens', async () => {
  const worker = await (await phone(server.browser)).newPage();
  await worker.goto(`${server.base}/j/3401T`);
  await join(worker, server, {
    // One of the people the demo's offline real-name check knows, so the union approves at once.
    name: '王晓明', id: '11010519491231002X', mobile: '13800138000',
    occupation: 'truck_driver', region: '340104',
  });
  assert.equal(await worker.getAttribute('h1', 'class'), 'ok', await worker.textContent('main'));
  const number = (await worker.textContent('dd.number')).trim();

  const officer = await (await desk(server.browser)).newPage();
  await login(officer, server.base, 'anhui');
  await officer.goto(`${server.base}/console/members?number=${number.replaceAll(' ', '')}`);
  await officer.click('tbody a[href^="/console/members/"]');
  await officer.selectOption('select[name=action]', 'withdraw');
  await officer.fill('form[action$="/lifecycle"] input[name=reason]', '本人申请退会');
  await officer.click('form[action$="/lifecycle"] button');
  await officer.waitForSelector('input[name=confirm]', { state: 'attached' });
  const ask = await officer.textContent('main');
  assert.match(ask, /请确认/);
  assert.match(ask, /退会/);
  assert.match(ask, /不能恢复/);
  assert.ok(ask.includes(number), ask);
  await shot(officer, 'f5-console-confirm-withdrawal');
  await officer.click('button:has-text("确认办理")');
  await officer.waitForSelector('p.ok');
  assert.match(await officer.textContent('main'), /已办理：退会/);
  assert.match(await officer.textContent('main'), /须重新申请/);
  await shot(officer, 'f6-console-withdrawn');
});

test('an officer works the queue and the member list from a phone', async () => {
  // Someone the real-name check does not know: the application waits for review.
  const worker = await (await phone(server.browser)).newPage();
  await worker.goto(`${server.base}/j/3401C`);
  await join(worker, server, {
    name: '赵敏', id: idNumber('340104', '19950412', 72), mobile: '13912347272',
    occupation: 'courier', region: '340104',
  });
  assert.doesNotMatch(await worker.getAttribute('h1', 'class') ?? '', /ok/);

  const officer = await (await phone(server.browser)).newPage();
  await login(officer, server.base, 'anhui');
  for (const [path, label] of [['/console/applications', '姓名'], ['/console/members', '会员号'], ['/console/audit', '时间']]) {
    await officer.goto(`${server.base}${path}`);
    // Nothing wider than the phone: no sideways scrolling of the whole page.
    const width = await officer.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `${path} is ${width}px wide`);
    // Work lists are cards: one field per line, each with its label before it.
    const cell = officer.locator('table.cards tbody td[data-label]').first();
    assert.equal(await cell.evaluate((td) => getComputedStyle(td).display), 'block', path);
    const before = await cell.evaluate((td) => getComputedStyle(td, '::before').content);
    assert.ok(before.includes(label), `${path}: ${before}`);
    await shot(officer, `f7-phone${path.replaceAll('/', '-')}`);
  }
});
