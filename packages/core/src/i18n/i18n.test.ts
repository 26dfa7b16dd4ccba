import { K3CloudOrderLockedError } from '../errors';
import {
  CATALOGUES,
  catalogueKeys,
  clearMissingKeys,
  groupedAmount,
  localeFromAcceptLanguage,
  missingKeys,
  money,
  nextStep,
  pageLocale,
  reasonText,
  replayLabel,
  terminalLocale,
  translator,
} from '.';

const zh = translator('zh-CN');
const en = translator('en');

describe('choosing the language', () => {
  it('pages: DASHBOARD_LOCALE pins, then the switch cookie, then Accept-Language (zh-* → Chinese), else Chinese', () => {
    expect(pageLocale({ acceptLanguage: 'zh-TW,zh;q=0.9,en;q=0.8' })).toBe('zh-CN');
    expect(pageLocale({ acceptLanguage: 'en-US,en;q=0.9' })).toBe('en');
    expect(pageLocale({ acceptLanguage: 'de-DE, en;q=0.5' })).toBe('en');
    expect(pageLocale({ acceptLanguage: 'fr-FR' })).toBe('zh-CN');
    expect(pageLocale({})).toBe('zh-CN');
    expect(pageLocale({ cookie: 'en', acceptLanguage: 'zh-CN' })).toBe('en');
    expect(pageLocale({ pinned: 'zh-CN', cookie: 'en', acceptLanguage: 'en' })).toBe('zh-CN');
    expect(localeFromAcceptLanguage('en;q=0.2, zh-CN;q=0.8')).toBe('zh-CN');
  });

  it('terminals: --lang forces; else LC_ALL, LC_MESSAGES, LANG (zh_* → Chinese); else English', () => {
    expect(terminalLocale({ LANG: 'zh_CN.UTF-8' })).toBe('zh-CN');
    expect(terminalLocale({ LC_ALL: 'en_US.UTF-8', LANG: 'zh_CN.UTF-8' })).toBe('en');
    expect(terminalLocale({ LANG: 'C' })).toBe('en');
    expect(terminalLocale({ LANG: 'zh_CN.UTF-8' }, ['status', '--lang', 'en'])).toBe('en');
    expect(terminalLocale({}, ['--lang=zh-CN'])).toBe('zh-CN');
  });
});

describe('catalogue lookups', () => {
  it('records a key a catalogue lacks instead of falling back silently', () => {
    clearMissingKeys();
    expect(zh('nav.status')).toBe('状态');
    expect(zh('count.receipts', { count: 3 })).toBe('3 张回款单');
    expect(en('count.receipts', { count: 1 })).toBe('1 receipt');
    expect(missingKeys()).toEqual([]);
    zh('no.such.key');
    expect(missingKeys()).toEqual(['zh-CN:no.such.key']);
    clearMissingKeys();
  });
});

describe('money as finance writes it', () => {
  it('groups thousands exactly, with the currency', () => {
    expect(groupedAmount('1234567.5')).toBe('1,234,567.50');
    expect(groupedAmount(-1000)).toBe('-1,000.00');
    expect(groupedAmount('0.005')).toBe('0.01');
    expect(groupedAmount('not money')).toBeUndefined();
    expect(money('8750', 'USD', zh)).toBe('USD 8,750.00');
  });
});

const LOCKED = new K3CloudOrderLockedError(
  'XSDD000110',
  'C',
  'K3Cloud refused the save: 单据编号为“XSDD000110”的销售订单，已审核，不能修改',
);

describe('one wording per reason (issue 17, problem 2)', () => {
  it('a locked-order error wrapped again by its caller says the reason once', () => {
    const again = new K3CloudOrderLockedError('XSDD000110', 'C', `K3Cloud refused the save: ${LOCKED.message}`);
    expect(again.message).toBe(LOCKED.message);
    expect(again.message.match(/is locked/g)).toHaveLength(1);
    expect(again.message.match(/K3Cloud refused the save/g)).toHaveLength(1);
  });

  it('a reason stored twice-wrapped (before the fix) is shown once', () => {
    const stored = `${LOCKED.message.replace(/K3Cloud refused the save: .*$/, '')}K3Cloud refused the save: ${LOCKED.message}`;
    expect(stored.match(/is locked/g)).toHaveLength(2);
    expect(reasonText({ code: LOCKED.code, message: stored }, en)).toEqual({
      text: 'Sales order XSDD000110 is locked (audited); K3Cloud refused the save:',
      upstream: '单据编号为“XSDD000110”的销售订单，已审核，不能修改',
    });
  });

  it('translates our words and keeps K3Cloud’s text verbatim, once', () => {
    const r = reasonText({ code: LOCKED.code, message: LOCKED.message }, zh);
    expect(r.text).toBe('销售订单 XSDD000110 已锁定（已审核），K3Cloud 拒绝保存：');
    expect(r.upstream).toBe('单据编号为“XSDD000110”的销售订单，已审核，不能修改');
  });
});

describe('next steps (issue 17, problem 1)', () => {
  it('locked order: un-audit it in K3Cloud, then replay; the button says so', () => {
    const cause = { code: LOCKED.code, message: LOCKED.message, orderId: '4900000110' };
    expect(nextStep(cause, zh)).toEqual({
      where: 'k3cloud',
      replay: 'after-fix',
      text: expect.stringContaining('在 K3Cloud 中反审核销售订单 XSDD000110'),
    });
    expect(replayLabel(cause, en)).toBe('Replay (after un-auditing XSDD000110)');
  });

  it('missing order: create it with F_Cash_Collection_Id = the order id', () => {
    const step = nextStep({ code: 'k3cloud.order-not-found', message: 'x', orderId: '4900000148' }, en);
    expect(step.text).toContain('F_Cash_Collection_Id = 4900000148');
    expect(step.replay).toBe('after-fix');
  });

  it('no sales order in OKKI: fixed in OKKI, never replayed', () => {
    const step = nextStep({ code: 'receipt.quarantined', message: 'receipt SK1: receipt has no sales order' }, zh);
    expect(step).toMatchObject({ where: 'okki', replay: 'never' });
  });

  it('passing faults: replay now', () => {
    expect(nextStep({ code: 'network.timeout' }, en)).toMatchObject({ where: 'here', replay: 'now' });
  });
});

describe('catalogue completeness', () => {
  const base = (k: string) => k.replace(/_(zero|one|two|few|many|other)$/, '');
  const leaves = (locale: 'zh-CN' | 'en') => {
    const out = new Map<string, string>();
    const walk = (c: Record<string, unknown>, prefix: string) => {
      for (const [k, v] of Object.entries(c))
        if (typeof v === 'string') out.set(`${prefix}${k}`, v);
        else walk(v as Record<string, unknown>, `${prefix}${k}.`);
    };
    walk(CATALOGUES[locale], '');
    return out;
  };
  const vars = (text: string) => [...new Set(text.match(/\{\{\w+\}\}/g) ?? [])].sort();

  it('zh-CN and en hold the same keys (plural forms aside): a key missing in either fails', () => {
    const zhKeys = new Set(catalogueKeys(CATALOGUES['zh-CN']).map(base));
    const enKeys = new Set(catalogueKeys(CATALOGUES.en).map(base));
    expect([...zhKeys].filter((k) => !enKeys.has(k))).toEqual([]);
    expect([...enKeys].filter((k) => !zhKeys.has(k))).toEqual([]);
  });

  it('every plural has its _other form, and both languages fill in the same values', () => {
    const zhLeaves = leaves('zh-CN');
    const enLeaves = leaves('en');
    const other = (m: Map<string, string>, k: string) => m.get(k) ?? m.get(`${base(k)}_other`);
    const differing = [...enLeaves.keys()]
      .filter((k) => vars(other(enLeaves, k) ?? '').join() !== vars(other(zhLeaves, k) ?? '').join())
      .filter((k) => !k.endsWith('_one'));
    expect(differing).toEqual([]);
    for (const m of [zhLeaves, enLeaves])
      for (const k of m.keys()) if (/_(one|other)$/.test(k)) expect(m.has(`${base(k)}_other`)).toBe(true);
  });
});
