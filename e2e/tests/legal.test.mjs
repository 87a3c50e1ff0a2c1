// Legal aid: a worker (not a member) files a case on /legal from a phone, proving the
// mobile with the SMS code from the outbox; the case goes to 肥东县总工会, the federation
// of the work region; the demo's 合肥 reviewer accepts it, records a mediation and closes
// it with a recovery; the worker sees that progress on /status and rates the case.
// Another worker withdraws an open case from /status.
// Screenshots go to e2e/screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, phone, desk, login, shot, smsCode } from './support.mjs';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });

const MOBILE = '13912345670';

/// Proves the mobile on the /status page and shows its records.
async function checkStatus(page, mobile = MOBILE) {
  await page.goto(`${server.base}/status`);
  await page.fill('input[name=mobile]', mobile);
  await page.click('button[value=send_code]');
  await page.waitForSelector('input[name=sms_code]');
  await page.fill('input[name=sms_code]', smsCode(server, mobile));
  await page.click('button[value=check]');
  await page.waitForSelector('h1');
}

test('a worker files a legal-aid case and follows it on /status after an officer acts', async () => {
  const context = await phone(server.browser);
  const page = await context.newPage();
  await page.goto(`${server.base}/`);
  await page.click('a[href="/legal"]');
  await page.waitForSelector('form.join');
  await page.selectOption('select[name=category]', 'wage_arrears');
  await page.fill('input[name=party]', '某快递网点');
  await page.fill('input[name=amount]', '6800');
  await page.selectOption('select[name=province]', '34');
  await page.selectOption('select[name=city]', '3401');
  await page.waitForSelector('select[name=region_code] option[value="340122"]', { state: 'attached' });
  await page.selectOption('select[name=region_code]', '340122');
  await page.fill('textarea[name=description]', '两个月工资没有发。\n站点负责人不接电话。');
  await page.fill('input[name=mobile]', MOBILE);
  await page.click('button[value=send_code]:not(.default-submit)');
  await page.waitForSelector('p.notice');
  // One code a minute per mobile: /status may send the next one a minute later.
  const codeSent = Date.now();
  await page.fill('input[name=sms_code]', smsCode(server, MOBILE));
  await shot(page, 'l1-legal-form');
  await page.click('button.primary[value=submit]');
  await page.waitForSelector('#case-number');
  const id = (await page.textContent('#case-number')).trim();
  assert.match(id, /^\d+$/);
  assert.match(await page.textContent('main'), /肥东县总工会/);
  await shot(page, 'l2-legal-filed');

  // The reviewer of 合肥市总工会 (above 肥东) acts on it in the console.
  const officer = await (await desk(server.browser)).newPage();
  await login(officer, server.base, 'hefei');
  await officer.goto(`${server.base}/console/cases`);
  await officer.click(`a[href="/console/cases/${id}"]`);
  await officer.waitForSelector('#case-status');
  assert.match(await officer.textContent('main'), /139\*\*\*\*5670/);
  await officer.click('form:has(input[value=accept]) button');
  await officer.waitForSelector('form:has(input[value=step])');
  await officer.selectOption('form:has(input[value=step]) select[name=step]', 'mediation');
  await officer.fill('form:has(input[value=step]) input[name=note]', '约定周三到站点调解');
  await officer.click('form:has(input[value=step]) button');
  await officer.waitForSelector('p.notice');
  await officer.selectOption('form:has(input[value=close]) select[name=outcome]', 'recovered');
  await officer.fill('form:has(input[value=close]) input[name=amount]', '6800');
  await officer.click('form:has(input[value=close]) button');
  await officer.waitForSelector('p.notice');
  assert.match(await officer.textContent('#case-status'), /已办结/);
  await shot(officer, 'l3-console-case');

  // The worker sees the steps and the outcome, and rates the case.
  await page.waitForTimeout(Math.max(0, codeSent + 61_000 - Date.now()));
  await checkStatus(page);
  const status = await page.textContent(`#case-${id}`);
  assert.match(status, /已办结/, status);
  assert.match(status, /调解/, status);
  assert.match(status, /追回款项 ¥6800\.00/, status);
  await shot(page, 'l4-status-case');
  await page.selectOption(`#case-${id} select[name=stars]`, '5');
  await page.click(`#case-${id} button.primary`);
  await page.waitForSelector('h1.ok');
  assert.match(await page.textContent('main'), /感谢您的评价/);
  await context.close();
});

test('a worker withdraws an open case from /status', async () => {
  const mobile = '13912345671';
  const context = await phone(server.browser);
  const page = await context.newPage();
  await page.goto(`${server.base}/legal`);
  await page.selectOption('select[name=category]', 'work_injury');
  await page.selectOption('select[name=province]', '34');
  await page.selectOption('select[name=city]', '3401');
  await page.waitForSelector('select[name=region_code] option[value="340122"]', { state: 'attached' });
  await page.selectOption('select[name=region_code]', '340122');
  await page.fill('textarea[name=description]', '在站点摔伤了手腕。');
  await page.fill('input[name=mobile]', mobile);
  await page.click('button[value=send_code]:not(.default-submit)');
  await page.waitForSelector('p.notice');
  const codeSent = Date.now();
  await page.fill('input[name=sms_code]', smsCode(server, mobile));
  await page.click('button.primary[value=submit]');
  await page.waitForSelector('#case-number');
  const id = (await page.textContent('#case-number')).trim();

  // Settled with the employer meanwhile: the worker withdraws it.
  await page.waitForTimeout(Math.max(0, codeSent + 61_000 - Date.now()));
  await checkStatus(page, mobile);
  assert.match(await page.textContent(`#case-${id}`), /已提交/);
  await shot(page, 'l5-status-withdraw');
  await page.click(`#case-${id} form[action^="/status/withdraw"] button`);
  await page.waitForSelector('h1.ok');
  assert.match(await page.textContent('main'), /求助已撤回/);
  await context.close();
});
