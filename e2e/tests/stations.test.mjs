// Service stations: the operator imports a station with the CLI; a worker on a phone
// whose browser reports a WGS-84 position (mocked) asks for the nearest stations, finds
// that one first — the position converted to GCJ-02, so it is metres away, not the few
// hundred the raw datums differ by — sees its hours, services and phone, follows the
// Amap link, and opens the station's own page with its QR code. Without a position (and
// without scripts) a worker chooses a county and gets its stations nearest its centre
// first, each with its distance from it. Screenshots go to e2e/screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, shot } from './support.mjs';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });

// The station, as Amap's picker gives it (GCJ-02), and the phone's WGS-84 reading of the
// same spot (the inverse transform of it).
const STATION = { lng: '117.300000', lat: '31.900000' };
const PHONE = { latitude: 31.901989, longitude: 117.294453 };

test('a worker finds the nearest station from the phone position and opens Amap', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'huiji-e2e-stations-'));
  const file = path.join(dir, '驿站.csv');
  writeFileSync(file, [
    '名称,类型,地址,区县,经度,纬度,电话,开放时间,服务项目',
    `庐阳区户外劳动者服务站（测试）,户外劳动者驿站,合肥市庐阳区测试路 8 号,340103,${STATION.lng},${STATION.lat},0551-12351,24小时,休息、饮水、充电、微波炉`,
  ].join('\n') + '\n');
  assert.match(server.cli('stations', 'import', file), /1 rows: 1 added, 0 duplicates, 0 rejected/);

  const context = await server.browser.newContext({
    viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true,
    locale: 'zh-CN', geolocation: PHONE, permissions: ['geolocation'],
  });
  const page = await context.newPage();
  await page.goto(`${server.base}/stations`);
  // Without a position the page offers the counties (the demo's generated stations).
  assert.ok(await page.isVisible('select[name=county]'));
  await shot(page, 's1-stations-start');
  await page.click('#locate');
  await page.waitForURL(/lat=31\.901989/);
  const first = page.locator('section.station').first();
  assert.match(await first.textContent(), /庐阳区户外劳动者服务站（测试）/);
  const text = await first.textContent();
  assert.match(text, /约 0 米|约 10 米/, text);
  assert.match(text, /24小时/);
  assert.match(text, /休息、饮水、微波炉、充电/);
  assert.equal(await first.locator('a[href^="tel:"]').getAttribute('href'), 'tel:055112351');
  assert.ok((await page.locator('section.station').count()) >= 5, 'the demo stations nearby follow');
  const amap = first.locator('a.amap');
  const href = await amap.getAttribute('href');
  assert.match(href, /^https:\/\/uri\.amap\.com\/marker\?position=117\.300000,31\.900000&name=.+&coordinate=gaode$/);
  await shot(page, 's2-stations-nearest');

  // The Amap link leaves for Amap's marker page (answered here, on a closed network).
  await context.route('https://uri.amap.com/**', (route) =>
    route.fulfill({ contentType: 'text/html; charset=utf-8', body: '<title>高德地图</title>marker' }));
  await amap.click();
  await page.waitForURL(/uri\.amap\.com\/marker/);
  assert.equal(new URL(page.url()).searchParams.get('position'), '117.300000,31.900000');
  await page.goBack();

  // The station's own page, with its QR code, and the poster.
  await page.click('section.station >> nth=0 >> h2 a');
  await page.waitForSelector('.qr svg');
  assert.match(await page.textContent('h1'), /庐阳区户外劳动者服务站（测试）/);
  await shot(page, 's3-station-page');
  await page.click('a[href$="/poster"]');
  await page.waitForSelector('.sheet .qr svg');
  await context.close();
});

test('without a position a worker chooses a county and sees its stations by distance from its centre', async () => {
  const context = await server.browser.newContext({
    viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true,
    locale: 'zh-CN', javaScriptEnabled: false,
  });
  const page = await context.newPage();
  await page.goto(`${server.base}/stations`);
  await page.selectOption('select[name=county]', '340104');
  await page.click('form.search button');
  await page.waitForURL(/county=340104/);
  assert.match(await page.textContent('main'), /按距区县中心（各站位置的平均）由近到远排列/);
  const items = page.locator('section.station');
  assert.ok((await items.count()) >= 1, 'the demo has stations in 蜀山区');
  const distances = [];
  for (const text of await items.allTextContents()) {
    const m = text.match(/距中心约 ([\d.]+) (米|公里)/);
    assert.ok(m, text);
    distances.push(Number(m[1]) * (m[2] === '公里' ? 1000 : 1));
  }
  assert.deepEqual(distances, [...distances].sort((a, b) => a - b), 'nearest the centre first');
  await shot(page, 's4-stations-county');
  await context.close();
});
