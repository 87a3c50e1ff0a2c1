// Transfers without mistakes (issue 13 item 10): from a member's page an officer opens
// the transfer form with the member filled in and no union preselected; a refused
// request keeps what was typed; the request's row names the member by number and masked
// ID number. Screenshots go to e2e/screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, phone, desk, login, join, shot } from './support.mjs';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });

test('an officer asks a transfer from the member page and fixes a mistake', async () => {
  const worker = await (await phone(server.browser)).newPage();
  await worker.goto(`${server.base}/j/3401T`);
  await join(worker, server, {
    // Known to the demo's real-name check: a member at once.
    name: '张伟', id: '340104198506121236', mobile: '13912345678',
    occupation: 'truck_driver', region: '340104',
  });
  assert.equal(await worker.getAttribute('h1', 'class'), 'ok', await worker.textContent('main'));
  const number = (await worker.textContent('dd.number')).trim();
  const digits = number.replaceAll(' ', '');

  const officer = await (await desk(server.browser)).newPage();
  await login(officer, server.base, 'anhui');
  await officer.goto(`${server.base}/console/members?number=${digits}`);
  await officer.click('tbody a[href^="/console/members/"]');
  await officer.click('a.button:has-text("接转到其他工会")');
  await officer.waitForURL(/\/console\/transfers\?member=/);
  assert.equal(await officer.inputValue('input[name=member]'), digits);
  // No union chosen for the officer: the placeholder asks for one.
  assert.equal(await officer.inputValue('select[name=to]'), '');
  assert.equal((await officer.textContent('select[name=to] option:checked')).trim(), '请选择');

  // Sent without a union: refused, and what was typed is still there.
  await officer.fill('input[name=name]', '张伟');
  await officer.fill('input[name=reason]', '长期在芜湖跑车');
  await officer.click('form#ask button.primary');
  await officer.waitForLoadState();
  assert.equal(await officer.inputValue('input[name=member]'), digits);
  assert.equal(await officer.inputValue('input[name=name]'), '张伟');
  assert.equal(await officer.inputValue('input[name=reason]'), '长期在芜湖跑车');
  await shot(officer, 't1-transfer-refused-keeps-fields');

  const target = await officer.$eval('select[name=to] option:nth-child(2)', (o) => o.value);
  await officer.selectOption('select[name=to]', target);
  await officer.click('form#ask button.primary');
  await officer.waitForLoadState();
  const rows = await officer.textContent('main');
  // The member is named by the grouped number and the masked ID number, not only 张*.
  assert.ok(rows.includes(number), rows);
  assert.ok(rows.includes('3401**********1236'), rows);
  await shot(officer, 't2-transfer-asked');
});
