// 跟着劳模去创新: a worker browses the demo's studios on a phone; the province's admin opens
// an innovation-awards call and enters a result; a judge-only account scores it blind
// (no author, studio or union on its pages); the admin closes the call and the ranked
// result is public. Screenshots go to e2e/screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, phone, desk, login, shot, chinaDay } from './support.mjs';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });


test('studios are public; an entry is judged blind and its award published', async () => {
  const worker = await (await phone(server.browser)).newPage();
  await worker.goto(`${server.base}/innovation`);
  const studios = await worker.textContent('main');
  assert.match(studios, /演示/, 'the demo seeds generated studios');
  await shot(worker, 'i1-innovation-phone');

  // The province's admin opens a call and enters a result with its authors and studio.
  const admin = await (await desk(server.browser)).newPage();
  await login(admin, server.base, 'anhui');
  await admin.goto(`${server.base}/console/innovation/calls`);
  await admin.fill('input[name=title]', '2026年度职工创新成果评选');
  await admin.fill('input[name=opens]', chinaDay(-1));
  await admin.fill('input[name=closes]', chinaDay(30));
  await admin.fill('input[name=first]', '1');
  await admin.click('form[action="/console/innovation/calls"] button.primary');
  await admin.click('text=2026年度职工创新成果评选');
  await admin.waitForSelector('form[action$="/entries"]');
  const call = admin.url().match(/calls\/(\d+)/)[1];
  await admin.fill('input[name=title]', '货车盲区预警装置');
  await admin.fill('input[name=summary]', '右转盲区毫米波雷达预警，减少碾压事故');
  await admin.fill('input[name=authors]', '周小勇、吴晓东');
  await admin.selectOption('select[name=studio]', { index: 1 });
  const studio = (await admin.textContent('select[name=studio] option:checked')).trim();
  await admin.click('form[action$="/entries"] button.primary');
  await admin.waitForURL(/\/console\/innovation\/entries\/\d+/);

  // A judge-only account, made on the command line, is appointed to the call.
  server.cliInput('judge-secret-2026\n', 'user', 'add', '--username', 'expert', '--org', '1',
    '--role', 'judge', '--password-stdin');
  await admin.goto(`${server.base}/console/innovation/calls/${call}`);
  await admin.fill('input[name=username]', 'expert');
  await admin.click('form[action$="/judges"] button');
  await admin.waitForSelector('text=expert');
  await shot(admin, 'i2-call-console');

  // The judge sees the entry without author, studio or union, and scores it.
  const judge = await (await desk(server.browser)).newPage();
  await login(judge, server.base, 'expert', 'judge-secret-2026');
  assert.match(judge.url(), /\/console\/judging/);
  await judge.goto(`${server.base}/console/judging/calls/${call}`);
  await judge.click('a[href^="/console/judging/entries/"]');
  await judge.waitForSelector('form[action$="/score"]');
  const html = await judge.content();
  for (const name of ['周小勇', '吴晓东', studio, '安徽省总工会']) {
    assert.ok(!html.includes(name), `${name} is on the judge's page`);
  }
  assert.match(await judge.textContent('main'), /货车盲区预警装置/);
  await judge.fill('input[name=mark0]', '92');
  await judge.fill('input[name=mark1]', '88');
  await judge.fill('input[name=mark2]', '75');
  await shot(judge, 'i3-judge-scores');
  await judge.click('form[action$="/score"] button.primary');
  await judge.waitForSelector('text=已评');

  // Closing publishes the ranked result, without the authors.
  await admin.goto(`${server.base}/console/innovation/calls/${call}`);
  await admin.click('form[action$="/close"] button.primary');
  await worker.goto(`${server.base}/innovation/results/${call}`);
  const result = await worker.textContent('main');
  assert.match(result, /货车盲区预警装置/);
  assert.match(result, /一等奖/);
  assert.ok(!result.includes('周小勇'), 'authors are not published');
  await shot(worker, 'i4-result-phone');
});
