// Statistics: the province's admin opens /console/stats — the tables are drawn as
// ECharts charts (canvas) from the vendored build, with no console errors — then issues a
// screen token; the hall's PC opens the kiosk URL with no login at 1920×1080 and the
// 数据大屏 draws its charts and has no scrollbars. Screenshots go to e2e/screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, desk, login, shot } from './support.mjs';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });

test('the statistics page draws its charts and the kiosk screen shows without a login', async () => {
  const context = await desk(server.browser);
  const page = await context.newPage();
  const errors = [];
  // The browser's own favicon request is no page's error.
  const real = (m) => m.type() === 'error' && !m.location().url.endsWith('/favicon.ico');
  page.on('console', (m) => { if (real(m)) { errors.push(`${m.text()} ${m.location().url}`); } });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('response', (r) => { if (r.status() >= 400) { errors.push(`${r.status()} ${r.url()}`); } });
  await login(page, server.base, 'anhui');
  await page.goto(`${server.base}/console/stats`);
  await page.waitForSelector('div.chart canvas', { timeout: 15_000 });
  assert.ok((await page.locator('div.chart canvas').count()) >= 3, 'a chart per charted table');
  assert.ok(await page.isVisible('#t-months table'), 'the data stays in a table');
  assert.equal(await page.locator('.tiles .tile').count(), 16, 'Anhui’s 16 cities');
  await shot(page, 'st1-console-stats');
  assert.deepEqual(errors, []);

  await page.goto(`${server.base}/console/screen/tokens`);
  await page.fill('input[name=label]', '省总工会一楼大厅');
  await page.click('button.primary');
  const url = (await page.locator('code').textContent()).trim();
  assert.match(url, /\/console\/screen\?kiosk=[0-9a-f]{64}$/);
  const kiosk = url.replace(/^https?:\/\/[^/]+/, server.base);

  const hall = await server.browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'zh-CN' });
  const screen = await hall.newPage();
  const screenErrors = [];
  screen.on('console', (m) => { if (real(m)) { screenErrors.push(`${m.text()} ${m.location().url}`); } });
  screen.on('pageerror', (e) => screenErrors.push(String(e)));
  await screen.goto(kiosk);
  await screen.waitForSelector('#hours-chart canvas', { timeout: 15_000 });
  assert.ok(await screen.isVisible('#occupations-chart canvas'));
  assert.equal(await screen.locator('.tiles .tile').count(), 16);
  const overflow = await screen.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.scrollHeight]);
  assert.deepEqual(overflow, [1920, 1080], 'no scrollbars at 1920×1080');
  await shot(screen, 'st2-screen-kiosk');
  assert.deepEqual(screenErrors, []);

  // Revoked: the same URL no longer opens.
  await page.goto(`${server.base}/console/screen/tokens`);
  await page.click('form[action$="/revoke"] button');
  const gone = await screen.goto(kiosk);
  assert.equal(gone.status(), 404);
  await hall.close();
  await context.close();
});
