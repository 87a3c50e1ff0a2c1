// Campaigns: Hefei's officer uploads a roster in the console, makes a campaign for its
// truck drivers and sends it; the server's sender puts the SMS in the outbox; a worker
// opens the personal invite link from it on a phone, sees the union's form with the
// region preset and nothing of theirs, and joins; the campaign's funnel shows the click
// and the application. Screenshots go to e2e/screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, phone, desk, idNumber, join, login, shot } from './support.mjs';

let server;
before(async () => {
  // The run may fall in China's evening: no quiet hours for this server.
  process.env.HUIJI_CAMPAIGN_QUIET_HOURS = '00:00-00:00';
  server = await startServer();
});
after(async () => { await server?.stop(); });

const worker = { name: '赵建国', id: idNumber('340122', '19860312', 517), mobile: '13955170517',
  occupation: 'truck_driver', region: '340122' };

/// The outbox's campaign message to the worker's mobile, once the sender has sent it.
async function invitation() {
  const masked = `${worker.mobile.slice(0, 3)}****${worker.mobile.slice(7)}`;
  for (let i = 0; i < 60; i += 1) {
    for (const line of server.cli('sms', 'outbox', '--limit', '50').split('\n')) {
      const [, , to, body] = line.split('\t');
      if (to === masked && body?.includes('/i/')) return body;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error('no invitation in the outbox');
}

test('an officer invites the roster by SMS and a worker joins through the link', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'huiji-campaign-'));
  const file = path.join(dir, '花名册.csv');
  writeFileSync(file, `姓名,身份证号,手机号,从业类型,区县代码\r\n${worker.name},${worker.id},${worker.mobile},货车司机,340122\r\n`);

  const context = await desk(server.browser);
  const officer = await context.newPage();
  await login(officer, server.base, 'hefei');
  await officer.goto(`${server.base}/console/roster`);
  await officer.fill('input[name=source]', '合肥市交通运输局');
  await officer.setInputFiles('input[name=file]', file);
  await officer.click('form[action="/console/roster/imports"] button.primary');
  for (let i = 0; i < 60 && (await officer.content()).includes('导入中'); i += 1) {
    await new Promise((r) => setTimeout(r, 250));
    await officer.reload();
  }

  await officer.goto(`${server.base}/console/campaigns`);
  await officer.fill('input[name=name]', '货车司机入会邀请');
  await officer.selectOption('select[name=occupation]', 'truck_driver');
  await officer.click('form[action="/console/campaigns"] button.primary');
  await officer.waitForURL(/\/console\/campaigns\/\d+$/);
  const campaignUrl = officer.url();
  await officer.click('form[action$="/send"] button.primary');
  await officer.waitForSelector('p.ok');
  await shot(officer, 'cp1-console-campaign-sent');

  const text = await invitation();
  assert.match(text, /^【合肥市总工会】赵师傅您好/);
  assert.match(text, /回T退订$/);
  const link = text.match(/https?:\/\/\S+\/i\/[0-9a-z]{13}/)[0];

  const mobile = await phone(server.browser);
  const page = await mobile.newPage();
  await page.goto(link);
  const form = await page.textContent('main');
  assert.ok(form.includes('货车司机工会联合会'), form);
  assert.ok(!form.includes(worker.name) && !form.includes('139****0517'), 'nothing personal on the page');
  assert.equal(await page.inputValue('select[name=region_code]'), '340122', 'region preset');
  await shot(page, 'cp2-invite-form');
  await join(page, server, worker);
  const result = await page.textContent('main');
  assert.ok(/入会成功|已提交|审核/.test(result), result);
  await shot(page, 'cp3-invite-joined');

  await officer.goto(campaignUrl);
  const total = await officer.locator('table.funnel tbody tr').first().locator('td').allTextContents();
  // targeted, opted out, queued, sent, delivered, failed, clicked, applied, approved
  assert.deepEqual(total.slice(0, 4), ['1', '0', '0', '1']);
  assert.deepEqual(total.slice(6, 8), ['1', '1']);
  await shot(officer, 'cp4-console-funnel');
});
