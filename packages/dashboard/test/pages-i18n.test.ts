import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { catalogueKeys, CATALOGUES, clearMissingKeys, formatChinaTime, missingKeys } from '@receipt-sync/core';
import type { HealthServer } from '@receipt-sync/core';
import { rawJobId } from '@receipt-sync/pipeline';
import { createHarness, deadLetterRecord, PASSWORD, seedDeadLetter, USER, type Harness } from './harness';

/**
 * Every page in both languages, in a real browser: a screenshot of each, no catalogue
 * key missing, and no English left on a Chinese page (the rendered text walked, product names,
 * codes and the other systems' own words allowed).
 */
const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'];
/** UPDATE_SCREENSHOTS=1 refreshes the README's pictures in docs/screenshots; otherwise they go to the gitignored artifacts. */
const SHOTS = path.resolve(
  __dirname,
  process.env.UPDATE_SCREENSHOTS ? '../../../docs/screenshots' : '../../../test-artifacts/i18n',
);

jest.setTimeout(180_000);

let h: Harness;
let server: HealthServer;
let browser: Browser;

const LOCKED_REASON =
  'sales order XSDD000110 is locked (status C audited): K3Cloud refused the save: 单据编号为“XSDD000110”的销售订单，已审核，不能修改';

async function seed(): Promise<void> {
  const { store } = h;
  await store.checkpoints.advance('receipts', formatChinaTime(new Date(Date.now() - 240_000)), undefined);
  // Written: the K3Cloud row's values.
  await store.ledger.recordWritten({
    receiptId: '7001',
    receiptNo: 'SKHD7001',
    orderId: '4900000100',
    sourceVersion: '2025-04-15 10:00:00',
    removed: false,
    contentHash: 'h1',
    k3Fid: 100100,
    k3EntryId: 1,
    fields: {
      F_PBLH_Date: '2025-04-15',
      F_PBLH_Decimal: '1234567.50',
      F_PBLH_Amount: '1234600.00',
      F_PBLH_Currency: 'USD',
      F_PBLH_PayType: '电汇',
      F_PBLH_Remark: null,
    },
  });
  await store.orders.put('4900000100', { fid: 100100, billNo: 'XSDD000100' });
  // Dead-lettered: the order is audited in K3Cloud; OKKI's receipt is parked in the dead letter.
  const locked = deadLetterRecord({
    receiptId: '7002',
    receiptNo: 'SKHD7002',
    sourceQueue: 'raw',
    sourceJobId: rawJobId('7002', '2025-04-15 11:00:00', false),
    code: 'k3cloud.order-locked',
    reason: LOCKED_REASON,
    payload: {
      windowId: 'w1',
      removed: false,
      fetchedAt: new Date().toISOString(),
      receipt: {
        cash_collection_id: 7002,
        cash_collection_no: 'SKHD7002',
        update_time: '2025-04-15 11:00:00',
        order_id: 4900000110,
        amount: '8800.00',
        real_amount: '8750.00',
        currency: 'USD',
        collection_date: '2025-04-14',
        type: '电汇',
        company_info: { company_id: 1, name: '上海示例贸易有限公司' },
      },
    },
  });
  const lockedId = await seedDeadLetter(h.queues, locked);
  await store.ledger.recordOutcome('7002', {
    status: 'dead-lettered',
    receiptNo: 'SKHD7002',
    orderId: '4900000110',
    sourceVersion: '2025-04-15 11:00:00',
    deadLetterId: lockedId,
    lastError: { code: locked.code, message: locked.reason },
  });
  // Quarantined: no sales order; the fix is in OKKI.
  const noOrder = deadLetterRecord({
    kind: 'quarantined',
    receiptId: '7003',
    receiptNo: 'SKHD7003',
    sourceQueue: 'raw',
    sourceJobId: rawJobId('7003', '2025-04-15 12:00:00', false),
    code: 'receipt.quarantined',
    reason: 'receipt SKHD7003: receipt has no sales order',
    payload: {
      windowId: 'w1',
      removed: false,
      fetchedAt: new Date().toISOString(),
      receipt: { cash_collection_id: 7003, update_time: '2025-04-15 12:00:00', order_id: 0, real_amount: '500' },
    },
  });
  const noOrderId = await seedDeadLetter(h.queues, noOrder, 'quarantine');
  await store.ledger.recordOutcome('7003', {
    status: 'quarantined',
    receiptNo: 'SKHD7003',
    orderId: '',
    sourceVersion: '2025-04-15 12:00:00',
    deadLetterId: noOrderId,
    lastError: { code: noOrder.code, message: noOrder.reason },
  });
}

const PAGES: Array<{ name: string; path: string; expect: Record<'zh-CN' | 'en', string> }> = [
  { name: 'status', path: '/', expect: { 'zh-CN': '写入失败的回款单', en: 'Dead-lettered receipts' } },
  { name: 'search', path: '/receipts', expect: { 'zh-CN': '查找回款单', en: 'Find a receipt' } },
  { name: 'receipt-written', path: '/receipts/7001', expect: { 'zh-CN': 'USD 1,234,567.50', en: 'USD 1,234,567.50' } },
  {
    name: 'receipt-dead-lettered',
    path: '/receipts/7002',
    expect: { 'zh-CN': '重放（先反审核 XSDD000110）', en: 'Replay (after un-auditing XSDD000110)' },
  },
  {
    name: 'receipt-quarantined',
    path: '/receipts/7003',
    expect: { 'zh-CN': '无需重放：更正来自 OKKI', en: 'No replay: the fix arrives from OKKI' },
  },
  {
    name: 'dead-letters',
    path: '/dead-letters?queue=dead-letter',
    expect: { 'zh-CN': '4900000110', en: '4900000110' },
  },
  { name: 'quarantine', path: '/dead-letters?queue=quarantine', expect: { 'zh-CN': '隔离区', en: 'Quarantine' } },
  { name: 'causes', path: '/causes', expect: { 'zh-CN': '原因与下一步', en: 'Cause and next step' } },
];

/**
 * Latin words allowed on a Chinese page: product and system names, K3Cloud and OKKI field names,
 * units and formats. Text inside <code> (error codes, queue names, keys) and the other systems'
 * own words (.upstream) are data, not our wording, and are skipped.
 */
const ALLOWED =
  /^(receipt-sync|OKKI|K3Cloud|Bull|Board|FID|FEntryID|FBillNo|HTTP|BatchSave|ExecuteBillQuery|MAPPING_FILE|XIAOMAN_\*?|KINGDEE_\*?|npm|run|cli|doctor|--|--fix|F_\w+|cash_collection_no|English|p50|p95|YYYY-MM-DD|HH:mm:ss|Asia\/Shanghai|UTC\+8|ID|USD|CNY|IT|SKHD\w+|XSDD\w+|s|ms)$/;

/** Every word of the page's text nodes and of its placeholder, title and aria-label attributes. */
const WALK_TEXT = `(() => {
  const out = [];
  const split = (text) => out.push(...(text || '').split(/[^A-Za-z0-9_*+/:.-]+/));
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || el.closest('code, script, style, .upstream, [lang="en"], svg text')) continue;
    split(n.textContent);
  }
  for (const el of document.querySelectorAll('[placeholder], [title], [aria-label]'))
    for (const a of ['placeholder', 'title', 'aria-label']) split(el.getAttribute(a));
  split(document.title);
  return out;
})()`;

async function englishLeftOnPage(context: BrowserContext, url: string): Promise<string[]> {
  const page = await context.newPage();
  try {
    await page.goto(url);
    // A string, run in the page: the test's own TypeScript has no DOM types.
    const words = (await page.evaluate(WALK_TEXT)) as string[];
    return [...new Set(words.filter((w) => /[A-Za-z]{2,}/.test(w)).map((w) => w.replace(/[.:]+$/, '')))];
  } finally {
    await page.close();
  }
}

beforeAll(async () => {
  h = await createHarness();
  await seed();
  server = await h.serveDashboard({ locale: undefined });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  mkdirSync(SHOTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

describe('catalogues', () => {
  const base = (k: string) => k.replace(/_(zero|one|two|few|many|other)$/, '');
  it('zh-CN and en hold the same keys (plural forms aside)', () => {
    const zh = new Set(catalogueKeys(CATALOGUES['zh-CN']).map(base));
    const en = new Set(catalogueKeys(CATALOGUES.en).map(base));
    expect([...zh].filter((k) => !en.has(k))).toEqual([]);
    expect([...en].filter((k) => !zh.has(k))).toEqual([]);
  });
});

describe.each(['zh-CN', 'en'] as const)('every page in %s', (locale) => {
  let context: BrowserContext;
  beforeAll(async () => {
    context = await browser.newContext({
      httpCredentials: { username: USER, password: PASSWORD },
      viewport: { width: 1280, height: 860 },
      locale: locale === 'zh-CN' ? 'zh-CN' : 'en-US',
      timezoneId: 'America/New_York',
    });
    clearMissingKeys();
  });
  afterAll(() => context?.close());

  it.each(PAGES)('$name renders in the language with its facts, and a screenshot', async (p) => {
    const page = await context.newPage();
    const response = await page.goto(`${server.url}${p.path}`);
    expect(response?.status()).toBe(200);
    expect(await page.locator('html').getAttribute('lang')).toBe(locale);
    await expect(page.locator('body').textContent()).resolves.toContain(p.expect[locale]);
    await page.screenshot({ path: path.join(SHOTS, `${p.name}.${locale}.png`) });
    await page.close();
  });

  it('Bull Board follows the language and shows China time', async () => {
    const page = await context.newPage();
    await page.goto(`${server.url}/queues`);
    await page.getByText('quarantine').first().waitFor({ timeout: 30_000 });
    await page.waitForLoadState('networkidle');
    const back = page.locator('#rs-back');
    await expect(back.textContent()).resolves.toContain(
      locale === 'zh-CN' ? '返回 receipt-sync 状态页' : 'status page',
    );
    const text = await page.locator('body').textContent();
    expect(text).not.toContain(locale === 'zh-CN' ? 'No workers' : '没有');
    await page.screenshot({ path: path.join(SHOTS, `bull-board.${locale}.png`) });
    await page.close();
  });

  it('asks for a login in both languages', async () => {
    const res = await fetch(`${server.url}/`);
    expect(res.status).toBe(401);
    expect(await res.text()).toContain(locale === 'zh-CN' ? '需要登录' : 'authentication required');
  });

  it('uses no key missing from its catalogue', () => {
    expect(missingKeys()).toEqual([]);
  });

  if (locale === 'zh-CN') {
    it.each(PAGES)('$name leaves no English words on the Chinese page', async (p) => {
      const left = (await englishLeftOnPage(context, `${server.url}${p.path}`)).filter((w) => !ALLOWED.test(w));
      expect(left).toEqual([]);
    });
  }
});

describe('the language switch', () => {
  it('sticks through a cookie and overrides Accept-Language', async () => {
    const context = await browser.newContext({
      httpCredentials: { username: USER, password: PASSWORD },
      locale: 'zh-CN',
    });
    const page = await context.newPage();
    await page.goto(`${server.url}/causes`);
    await page.getByRole('link', { name: 'English' }).click();
    await page.waitForURL(`${server.url}/causes`);
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await page.goto(`${server.url}/`);
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await context.close();
  });
});
