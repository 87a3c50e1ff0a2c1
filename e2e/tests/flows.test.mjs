// A worker joins on a phone and sees the card; an officer approves a pending
// application and distributes a pool member. Screenshots go to e2e/screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, phone, desk, idNumber, join, login, shot } from './support.mjs';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });

test('a truck driver scans the QR code, joins on a phone and sees the card', async () => {
  const context = await phone(server.browser);
  const page = await context.newPage();
  await page.goto(`${server.base}/j/3401T`);
  assert.match(await page.textContent('p.union'), /合肥市货车司机工会联合会/);
  await shot(page, '1-worker-form');
  await join(page, server, {
    name: '张伟', id: idNumber('340104', '19850612', '123'), mobile: '13912345678',
    occupation: 'truck_driver', region: '340104',
  });
  assert.equal(await page.getAttribute('h1', 'class'), 'ok', await page.textContent('main'));
  await shot(page, '2-worker-approved');
  await page.click('a.button.primary');
  await page.waitForSelector('.card');
  const card = await page.textContent('.card');
  assert.match(card, /合肥市货车司机工会联合会/);
  assert.match(card, /张\*/, 'the card shows the name masked');
  assert.ok(await page.$('.card .qr svg'), 'the card shows its QR code');
  await shot(page, '3-worker-card');
  await context.close();
});

test('an officer approves a pending application and distributes a pool member', async () => {
  // The province admin makes 合肥市货车司机工会联合会 review every application.
  const orgs = server.cli('org', 'list', '--region', '3401', '--kind', 'industry_federation');
  const trucks = orgs.split('\n').find((l) => l.includes('合肥市货车司机工会联合会')).split('\t')[0];
  const admin = await (await desk(server.browser)).newPage();
  await login(admin, server.base, 'anhui');
  await admin.goto(`${server.base}/console/orgs/${trucks}`);
  await admin.selectOption('select[name=auto_approval]', 'off');
  await admin.click('form[action$="/policy"] button');
  await admin.waitForLoadState();
  await shot(admin, '4-admin-policy');

  // Two workers join: one waits for review, one lands in 合肥市's turnover pool (no
  // industry federation serves care workers).
  const worker = await (await phone(server.browser)).newPage();
  await worker.goto(`${server.base}/j/3401T`);
  await join(worker, server, {
    name: '李强', id: idNumber('340121', '19790302', '211'), mobile: '13812345679',
    occupation: 'truck_driver', region: '340121',
  });
  assert.doesNotMatch(await worker.getAttribute('h1', 'class') ?? '', /ok/);
  await shot(worker, '5-worker-pending');
  const pooled = await (await phone(server.browser)).newPage();
  await pooled.goto(`${server.base}/j/3401`);
  await join(pooled, server, {
    name: '王芳', id: idNumber('340103', '19900815', '122'), mobile: '13712345670',
    occupation: 'care_worker', region: '340103',
  });
  assert.equal(await pooled.getAttribute('h1', 'class'), 'ok', await pooled.textContent('main'));

  // The Hefei reviewer approves the pending one ...
  const officer = await (await desk(server.browser)).newPage();
  await login(officer, server.base, 'hefei');
  await officer.goto(`${server.base}/console/applications`);
  await shot(officer, '6-officer-queue');
  // Officers see masked names (李*): the queue holds this one application.
  await officer.click('tbody a[href^="/console/applications/"]');
  await officer.click('form[action$="/approve"] button.primary');
  await officer.waitForSelector('p.ok');
  await shot(officer, '7-officer-approved');
  assert.match(await officer.textContent('main'), /没有待审核的申请|批准/);

  // ... and distributes the pool member to a township union of 庐阳区.
  await officer.goto(`${server.base}/console/pool`);
  await officer.selectOption('select[name=region]', '340103');
  await officer.click('form.filters button');
  await officer.waitForLoadState();
  // The pool holds her alone (names are masked for officers: 王*).
  await officer.check('input[name=ids]');
  const target = await officer.$eval('select[name=to] option:nth-child(2)', (o) => o.value);
  await officer.selectOption('select[name=to]', target);
  await officer.click('form[action="/console/pool/distribute"] button.primary');
  await officer.waitForSelector('p.ok');
  assert.match(await officer.textContent('p.ok'), /已分流 1/);
  await shot(officer, '8-officer-distributed');
  assert.equal(await officer.$('input[name=ids]'), null, 'she left the pool');
});
