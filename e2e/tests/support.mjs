// The server under test and helpers: a fresh `huiji demo` on a free port with a
// temporary SQLite database and key file, the CLI for reading the SMS outbox, and a
// headless Chromium (Debian's) driven by playwright-core.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(here, '..', '..');
export const SCREENSHOTS = path.join(ROOT, 'e2e', 'screenshots');
const BIN = process.env.HUIJI_BIN || path.join(ROOT, 'target', 'debug', 'huiji');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const PASSWORD = 'huiji-demo-2026';

// Flags that work on a closed network (see the shared NOTES): no sandbox as root, no
// GPU, and nothing that phones home.
const CHROMIUM_FLAGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export async function startServer() {
  const dir = mkdtempSync(path.join(tmpdir(), 'huiji-e2e-'));
  const url = `sqlite:${path.join(dir, 'e2e.db')}`;
  // Without the sample casework: each test counts what it makes itself.
  const child = spawn(BIN, ['demo', '--no-samples', '--listen', '127.0.0.1:0', '--database-url', url,
    '--key-file', path.join(dir, 'e2e.keys')], { env: { ...process.env, HUIJI_LOG: 'warn' } });
  const base = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`demo did not start:\n${out}`)), 60_000);
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = out.match(/home page\s+(http:\/\/127\.0\.0\.1:\d+)\//);
      if (match) { clearTimeout(timer); resolve(match[1]); }
    });
    child.stderr.on('data', (chunk) => { out += chunk; });
    child.on('exit', (code) => reject(new Error(`demo exited with ${code}:\n${out}`)));
  });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
  mkdirSync(SCREENSHOTS, { recursive: true });
  return {
    base, url, browser,
    cli: (...args) => execFileSync(BIN, [...args, '--database-url', url], { encoding: 'utf8' }),
    /// The CLI with `input` on its stdin (a password for `--password-stdin`).
    cliInput: (input, ...args) => execFileSync(BIN, [...args, '--database-url', url], { encoding: 'utf8', input }),
    async stop() {
      await browser.close();
      child.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/// A phone: 390x844 CSS pixels (an iPhone 12-14 class screen), touch, Chinese locale.
export function phone(browser) {
  return browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2,
    isMobile: true, hasTouch: true, locale: 'zh-CN' });
}

export function desk(browser) {
  return browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
}

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECKS = '10X98765432';

/// A valid GB 11643 number: area, birth date (YYYYMMDD), order code (3 digits).
export function idNumber(area, birth, order) {
  const body = `${area}${birth}${String(order).padStart(3, '0')}`;
  const sum = [...body].reduce((acc, d, i) => acc + Number(d) * WEIGHTS[i], 0);
  return body + CHECKS[sum % 11];
}

/// The newest code the outbox holds for a masked mobile.
export function smsCode(server, mobile) {
  const masked = `${mobile.slice(0, 3)}****${mobile.slice(7)}`;
  for (const line of server.cli('sms', 'outbox', '--limit', '20').split('\n')) {
    const [, , to, body] = line.split('\t');
    if (to === masked) {
      const code = body.match(/\d{6}/);
      if (code) return code[0];
    }
  }
  throw new Error(`no code for ${masked} in the outbox`);
}

/// Fills the five fields of a join form, proves the mobile with the SMS code from the
/// outbox, accepts the consent and submits.
export async function join(page, server, person) {
  await page.fill('input[name=name]', person.name);
  await page.fill('input[name=id_number]', person.id);
  await page.fill('input[name=mobile]', person.mobile);
  await page.click('button[value=send_code]:not(.default-submit)');
  await page.waitForSelector('p.notice');
  await page.fill('input[name=sms_code]', smsCode(server, person.mobile));
  await page.selectOption('select[name=occupation]', person.occupation);
  await page.selectOption('select[name=region_code]', person.region);
  await page.check('input[name=consent]');
  await page.click('button.primary[value=submit]');
  await page.waitForSelector('h1');
}

export async function login(page, base, username, password = PASSWORD) {
  await page.goto(`${base}/console/login`);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', password);
  await page.click('button.primary');
  await page.waitForURL((u) => !u.pathname.endsWith('/login'));
}

/// A full-page screenshot in e2e/screenshots/.
export const shot = (page, name) => page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });

/// YYYY-MM-DD in China, `days` from now.
export function chinaDay(days) {
  return new Date(Date.now() + 8 * 3600_000 + days * 86_400_000).toISOString().slice(0, 10);
}
