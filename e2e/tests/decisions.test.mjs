// Decisions reach the worker (issue 13 item 1): an admin gives a union its contact
// details, an officer rejects an application with a reason, and the worker reads the
// reason, whom to ask and what to do next in the SMS and on /status, on a phone.
// Screenshots go to e2e/screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, phone, desk, idNumber, join, login, shot, smsCode } from './support.mjs';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });

/// The outbox messages to a mobile (masked as the outbox shows it), newest first.
function textsTo(mobile) {
  const masked = `${mobile.slice(0, 3)}****${mobile.slice(7)}`;
  return server.cli('sms', 'outbox', '--limit', '50').split('\n')
    .map((line) => line.split('\t'))
    .filter(([, , to]) => to === masked)
    .map(([, , , body]) => body);
}

test('an officer rejects with a reason; the worker reads it in the SMS and on /status', async () => {
  // The province admin makes 合肥市货车司机工会联合会 review every application and gives
  // it a contact person, a phone and an address.
  const orgs = server.cli('org', 'list', '--region', '3401', '--kind', 'industry_federation');
  const trucks = orgs.split('\n').find((l) => l.includes('合肥市货车司机工会联合会')).split('\t')[0];
  const admin = await (await desk(server.browser)).newPage();
  await login(admin, server.base, 'anhui');
  await admin.goto(`${server.base}/console/orgs/${trucks}`);
  await admin.selectOption('select[name=auto_approval]', 'off');
  await admin.click('form[action$="/policy"] button');
  await admin.waitForSelector('p.ok');
  await admin.fill('form[action$="/contact"] input[name=person]', '刘洋');
  await admin.fill('form[action$="/contact"] input[name=phone]', '0551-62345678');
  await admin.fill('form[action$="/contact"] input[name=address]', '合肥市蜀山区长江西路100号');
  await admin.click('form[action$="/contact"] button');
  await admin.waitForSelector('p.ok');
  assert.match(await admin.textContent('p.ok'), /联系方式已保存/);
  await shot(admin, 'd1-admin-contact');

  // A driver applies on a phone and waits for review.
  const mobile = '13612345601';
  const worker = await (await phone(server.browser)).newPage();
  await worker.goto(`${server.base}/j/3401T`);
  await join(worker, server, {
    name: '赵磊', id: idNumber('340104', '19880312', '231'), mobile,
    occupation: 'truck_driver', region: '340104',
  });
  assert.match(await worker.textContent('main'), /申请已提交/);
  assert.match(await worker.textContent('main'), /刘洋/, 'the result page shows whom to ask');
  const codeSent = Date.now();

  // The Hefei reviewer rejects it with a reason of their own.
  const officer = await (await desk(server.browser)).newPage();
  await login(officer, server.base, 'hefei');
  await officer.goto(`${server.base}/console/applications`);
  await officer.click('tbody a[href^="/console/applications/"]');
  await officer.selectOption('form[action$="/reject"] select[name=preset]', 'other');
  await officer.fill('form[action$="/reject"] input[name=reason]', '从业证明与申报职业不符');
  await shot(officer, 'd2-officer-reject');
  await officer.click('form[action$="/reject"] button');
  await officer.waitForLoadState();

  // The SMS: the reason, the union, whom to call, how to apply again.
  const sms = textsTo(mobile).find((body) => body.includes('未通过'));
  assert.ok(sms, `a rejection SMS to ${mobile}: ${textsTo(mobile)}`);
  assert.match(sms, /合肥市货车司机工会联合会/);
  assert.match(sms, /从业证明与申报职业不符/);
  assert.match(sms, /联系人：刘洋，电话：0551-62345678/);
  assert.match(sms, /可修改后重新申请：http:\/\/127\.0\.0\.1:\d+\/join/);

  // /status after an SMS check shows the same facts (one code a minute per mobile:
  // the next one may be sent a minute after the join's).
  await worker.waitForTimeout(Math.max(0, codeSent + 61_000 - Date.now()));
  await worker.goto(`${server.base}/status`);
  await worker.fill('input[name=mobile]', mobile);
  await worker.click('button[value=send_code]');
  await worker.waitForSelector('p.notice');
  await worker.fill('input[name=sms_code]', smsCode(server, mobile));
  await worker.click('button[value=check]');
  await worker.waitForSelector('td.decision');
  const decision = await worker.textContent('td.decision');
  assert.match(decision, /未通过原因：其他：从业证明与申报职业不符/);
  assert.match(decision, /如对结果有疑问，请联系该工会；如信息填写有误，可修改后重新申请/);
  assert.match(decision, /刘洋/);
  assert.equal(await worker.getAttribute('td.decision a[href^="tel:"]', 'href'), 'tel:0551-62345678');
  assert.match(await worker.textContent('main'), /短信通知[\s\S]*未通过/);
  await shot(worker, 'd3-worker-status-rejected');
});
