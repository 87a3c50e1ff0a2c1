// 安康杯: the operator loads a question bank and opens a contest with the CLI; a member
// joins on a phone, opens the contest from the member card, answers every question one
// page at a time, reads the result with its explanations, and sees the leaderboard; an
// organiser sees the same board in the console. Screenshots go to e2e/screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, phone, desk, join, login, shot, chinaDay } from './support.mjs';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });


test('a member takes a contest on a phone and sees the board', async () => {
  // The bank: every key is B (the second option, or 错误 for true/false).
  const rows = ['题型,题干,选项A,选项B,选项C,答案,解析,分类,难度'];
  for (let i = 1; i <= 6; i++) {
    rows.push(`单选题,货车驾驶人连续驾驶超过4小时应当如何？（${i}）,继续行驶,停车休息不少于20分钟,加速赶路,B,《道路交通安全法实施条例》第六十二条。,道路交通,易`);
  }
  for (let i = 1; i <= 3; i++) {
    rows.push(`判断题,电动车可以在楼道内充电。（${i}）,,,,错,楼道充电极易引发火灾。,消防安全,中`);
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'huiji-e2e-bank-'));
  const bank = path.join(dir, '题库.csv');
  writeFileSync(bank, rows.join('\n') + '\n');
  const report = server.cli('contest', 'questions', 'import', bank);
  assert.match(report, /9 rows: 9 added, 0 duplicates, 0 rejected/);
  const id = server.cli('contest', 'create', '--org', '1', '--name', '2026年安康杯安全知识网络竞赛',
    '--from', chinaDay(0), '--until', chinaDay(7), '--questions-per-attempt', '4', '--minutes', '10',
    '--attempts-per-day', '2').trim();
  assert.match(id, /^\d+$/);

  const context = await phone(server.browser);
  const page = await context.newPage();
  await page.goto(`${server.base}/j/3401T`);
  // One of the people the demo's real-name check knows: approved at once.
  await join(page, server, {
    name: '王晓明', id: '11010519491231002X', mobile: '13800138000',
    occupation: 'truck_driver', region: '340104',
  });
  assert.equal(await page.getAttribute('h1', 'class'), 'ok', await page.textContent('main'));
  await page.click('a.button.primary');
  await page.waitForSelector('.card');
  await shot(page, 'c1-card-with-contest');
  await page.click(`a[href^="/contest/${id}/card/"]`);
  await page.waitForSelector('form[action*="/start"]');
  assert.match(await page.textContent('main'), /王\*\*/);
  await shot(page, 'c2-contest-intro');
  await page.click('form[action*="/start"] button');
  for (let n = 1; n <= 4; n++) {
    await page.waitForSelector('form.quiz');
    assert.match(await page.textContent('.quiz-head'), new RegExp(`第${n}/4题`));
    if (n === 1) await shot(page, 'c3-contest-question');
    // A person reads before answering: the server does not score answers under a second.
    await page.waitForTimeout(1100);
    await page.click('label.choice:nth-of-type(2)');
    await page.click('form.quiz button.primary');
  }
  await page.waitForSelector('ol.review');
  const result = await page.textContent('main');
  assert.match(result, /本次得分 100/, result);
  assert.match(result, /4\/4/);
  assert.match(result, /第六十二条|楼道充电/, 'the explanations');
  await shot(page, 'c4-contest-result');
  await page.click('a[href$="/board"]');
  await page.waitForSelector('h2');
  const board = await page.textContent('main');
  assert.match(board, /合肥市总工会/);
  assert.match(board, /王\*\*/);
  assert.match(board, /4\/4/);
  await shot(page, 'c5-contest-board');
  await context.close();

  // The province admin sees the same board in the console.
  const admin = await (await desk(server.browser)).newPage();
  await login(admin, server.base, 'anhui');
  await admin.goto(`${server.base}/console/contests/${id}`);
  assert.match(await admin.textContent('main'), /参赛 1\/1/);
  await shot(admin, 'c6-console-contest');
});
