import type { Locale, Translate } from '@receipt-sync/core';
import { html, SafeHtml } from './html';
import type { PageLanguage } from './i18n';

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans CJK SC",sans-serif;margin:0;color:#1d2330;background:#f5f6f8}
header{background:#1d2330;color:#fff;padding:10px 24px;display:flex;align-items:center;gap:20px;flex-wrap:wrap}
header h1{font-size:18px;margin:0}header h1 a{color:#fff;text-decoration:none}header a{color:#9cc4ff}header .muted{color:#aab}
header form{margin-left:auto;display:flex;gap:6px}
header nav{display:flex;gap:14px;flex-wrap:wrap}header nav a[aria-current]{color:#fff;font-weight:600;text-decoration:underline}
header a.lang{border:1px solid #556;border-radius:4px;padding:2px 8px}
footer{padding:0 24px 16px;color:#889;font-size:12px}
.step{background:#f3f8ff;border-left:3px solid #2f6fde;padding:6px 10px;margin:6px 0}.step .where{font-weight:600;color:#2f6fde}
.money{font-variant-numeric:tabular-nums;white-space:nowrap}
.headline{font-size:22px;font-weight:600}
header input[type=search]{font:inherit;width:220px;padding:4px 8px;border-radius:4px;border:1px solid #556;background:#fff;color:#1d2330}
main{padding:16px 24px;max-width:1400px}
.banner{background:#fef3f2;border:1px solid #b42318;color:#7a271a;padding:10px 14px;margin:0 0 12px;border-radius:6px}
section{background:#fff;border:1px solid #dde1e7;border-radius:6px;padding:12px 16px;margin:0 0 16px}
h2{font-size:15px;margin:0 0 8px}h3{font-size:13px;margin:12px 0 6px;color:#445}
.section-head{display:flex;justify-content:space-between;align-items:center;gap:12px;flex-wrap:wrap}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #eceef2;vertical-align:top}
th{font-weight:600;color:#556;background:#fafbfc;white-space:nowrap}
td.empty{color:#889;font-style:italic}
code{font-size:12px;background:#f0f2f5;padding:1px 4px;border-radius:3px}
td>code:first-child{white-space:nowrap}
.nowrap{white-space:nowrap}
.cards{display:flex;gap:12px;flex-wrap:wrap;background:none;border:0;padding:0}
.card{background:#fff;border:1px solid #dde1e7;border-radius:6px;padding:10px 14px;min-width:150px}
.card .label{color:#667;font-size:12px}.card .value{font-size:20px;font-weight:600}.card .note{color:#889;font-size:12px}
.card.bad{border-color:#e0a0a0;background:#fff5f5}.card.bad .value{color:#b42318}
.card.good .value{color:#17803d}
button,.button{white-space:nowrap;font:inherit;padding:3px 10px;border-radius:4px;border:1px solid #2f6fde;background:#2f6fde;color:#fff;cursor:pointer;text-decoration:none;display:inline-block}
button.secondary{background:#fff;color:#b42318;border-color:#d9a0a0}
button.plain,.button.plain{background:#fff;color:#2f6fde}
button:disabled{opacity:.45;cursor:default}
.st.failed,.sev.critical,.outcome.dead-lettered,.outcome.quarantined{color:#b42318;font-weight:600}
.st.completed,.outcome.written,.outcome.unchanged{color:#17803d;font-weight:600}
.outcome.pending,.sev.warning{color:#b54708;font-weight:600}
.note{color:#667}
#notice{display:none;margin:0 0 16px;padding:10px 14px;border-radius:6px;background:#eef4ff;border:1px solid #b6ccf5}
#notice.error{background:#fff5f5;border-color:#e0a0a0}
form.filters{display:flex;gap:8px;flex-wrap:wrap;align-items:center;margin:0 0 8px}
form.filters input,form.filters select{font:inherit;padding:2px 6px;border:1px solid #ccd;border-radius:4px}
form.filters input[name=code]{width:200px}
.pager{display:flex;gap:12px;align-items:center;margin-top:8px;color:#556}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:12px}
.chart{border:1px solid #eceef2;border-radius:4px;padding:8px}
.chart>svg{width:100%;height:auto;display:block}
.chart h3{margin:0}
.legend{display:flex;gap:12px;font-size:12px;color:#556;flex-wrap:wrap}
.legend span{display:inline-flex;align-items:center;gap:4px;white-space:nowrap}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:0}
dl.facts dt{color:#667}dl.facts dd{margin:0}
.grid2{display:grid;grid-template-columns:repeat(auto-fit,minmax(460px,1fr));gap:0 16px}
.actions{display:flex;gap:8px;align-items:center;flex-wrap:wrap}
`;

/**
 * Buttons (and the reconcile form) POST with the CSRF header, then reload; the outcome survives the
 * reload through sessionStorage. Pages marked data-refresh replace their <main> every 30 s (or the
 * attribute's milliseconds) in place (no reload), so the scroll position stays; not while the
 * operator is typing in a field of the page; and no more once the fresh page is no longer marked.
 */
const SCRIPT = `
(function () {
  var base = document.body.getAttribute('data-base') || '';
  var notice = document.getElementById('notice');
  function show(text, isError) { notice.textContent = text; notice.className = isError ? 'error' : ''; notice.style.display = 'block'; }
  var saved = sessionStorage.getItem('rs-notice');
  if (saved) { sessionStorage.removeItem('rs-notice'); var n = JSON.parse(saved); show(n.text, n.error); }
  function post(url, body) {
    return fetch(url, { method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json', 'X-Requested-With': 'receipt-sync' }, body: JSON.stringify(body) })
      .then(function (res) { return res.json().then(function (data) { return { ok: res.ok, data: data }; }); });
  }
  var msg = JSON.parse(document.body.getAttribute('data-msg') || '{}');
  function fill(text, values) { return text.replace(/[{](n|error)[}]/g, function (_, k) { return values[k]; }); }
  document.addEventListener('click', function (ev) {
    var btn = ev.target.closest ? ev.target.closest('button[data-action]') : null;
    if (!btn) return;
    var action = btn.getAttribute('data-action'), queue = btn.getAttribute('data-queue'), id = btn.getAttribute('data-id');
    var question = btn.getAttribute('data-confirm');
    if (question && !confirm(question)) return;
    var url, body;
    if (action === 'replay-cause') { url = base + '/api/causes/' + encodeURIComponent(id) + '/replay'; body = {}; }
    else if (action === 'discard') { url = base + '/api/dead-letters/discard'; body = { queue: queue, ids: [id] }; }
    else { url = base + '/api/dead-letters/replay'; body = action === 'replay-all' ? { queue: queue, all: true } : { queue: queue, ids: [id] }; }
    btn.disabled = true;
    post(url, body)
      .then(function (r) {
        var done = r.data.replayed || r.data.discarded || [];
        var failed = r.data.failed || [];
        var text = r.ok
          ? fill(action === 'discard' ? msg.discarded : msg.replayed, { n: done.length }) + (failed.length ? ' ' + fill(msg.failed, { n: failed.length }) + ' ' + failed.map(function (f) { return (f.deadLetterId || f.id) + ' (' + (f.error || f.reason) + ')'; }).join(', ') : '')
          : fill(msg.refused, { error: r.data.error || '' });
        sessionStorage.setItem('rs-notice', JSON.stringify({ text: text, error: !r.ok || failed.length > 0 }));
        location.reload();
      })
      .catch(function (err) { btn.disabled = false; show(fill(msg.requestFailed, { error: String(err) }), true); });
  });
  document.addEventListener('submit', function (ev) {
    var form = ev.target;
    var kind = form.getAttribute ? form.getAttribute('data-action') : null;
    if (kind !== 'reconcile' && kind !== 'rehearse') return;
    ev.preventDefault();
    var btn = form.querySelector('button');
    var fix = kind === 'reconcile' && form.querySelector('input[name=fix]').checked;
    var body = kind === 'reconcile' ? { fix: fix } : { from: form.querySelector('input[name=from]').value, to: form.querySelector('input[name=to]').value };
    btn.disabled = true;
    post(form.getAttribute('action'), body)
      .then(function (r) {
        var asked = kind === 'rehearse' ? msg.rehearse : fix ? msg.reconcileFix : msg.reconcile;
        var text = r.ok ? asked : fill(msg.refused, { error: r.data.error || '' });
        sessionStorage.setItem('rs-notice', JSON.stringify({ text: text, error: !r.ok }));
        location.reload();
      })
      .catch(function (err) { btn.disabled = false; show(fill(msg.requestFailed, { error: String(err) }), true); });
  });
  if (document.body.hasAttribute('data-refresh')) {
    var timer = setInterval(function () {
      var main = document.querySelector('main');
      var active = document.activeElement;
      if (!main || (active && main.contains(active) && /INPUT|SELECT|TEXTAREA/.test(active.tagName))) return;
      fetch(location.href, { credentials: 'same-origin' })
        .then(function (res) { return res.ok ? res.text() : null; })
        .then(function (text) {
          if (!text) return;
          var doc = new DOMParser().parseFromString(text, 'text/html');
          var fresh = doc.querySelector('main');
          if (!fresh) return;
          // A page that no longer asks for refreshing (a reconcile request answered) stops here.
          if (!doc.body.hasAttribute('data-refresh')) clearInterval(timer);
          var keep = notice.outerHTML;
          main.innerHTML = fresh.innerHTML;
          var placeholder = document.getElementById('notice');
          if (placeholder) placeholder.outerHTML = keep;
          notice = document.getElementById('notice');
        })
        .catch(function () {});
    }, Number(document.body.getAttribute('data-refresh')) || 30000);
  }
})();
`;

export interface LayoutInput {
  title: string;
  base: string;
  nonce: string;
  /** The page's language (translate function, locale, pinned by DASHBOARD_LOCALE or not). */
  language: PageLanguage;
  /** The path of this page below `base` (for the language switch and the current tab), e.g. `/dead-letters`. */
  path?: string;
  /** Text next to the title (e.g. the status time). */
  subtitle?: string;
  /** The search box's current value. */
  query?: string;
  /** Replace <main> every 30 s, or every this many seconds. */
  refresh?: boolean | number;
  body: SafeHtml;
}

function refreshAttribute(refresh: boolean | number | undefined): SafeHtml | string {
  if (typeof refresh === 'number') return new SafeHtml(`data-refresh="${Math.round(refresh * 1000)}"`);
  return refresh ? new SafeHtml('data-refresh') : '';
}

/** The texts the page's script shows (notices after a POST), in the page's language. */
function scriptMessages(t: Translate): string {
  const keys = ['replayed', 'discarded', 'failed', 'refused', 'requestFailed', 'reconcile', 'reconcileFix', 'rehearse'];
  // The script fills {n} and {error} in itself.
  return JSON.stringify(Object.fromEntries(keys.map((k) => [k, t(`script.${k}`, { n: '{n}', error: '{error}' })])));
}

/** The header's links to every page, the current one marked. */
function navigation(base: string, path: string | undefined, t: Translate): SafeHtml {
  const links: Array<[string, string]> = [
    ['/', t('nav.status')],
    ['/dead-letters?queue=dead-letter', t('nav.deadLetters')],
    ['/dead-letters?queue=quarantine', t('nav.quarantine')],
    ['/causes', t('nav.causes')],
    ['/receipts', t('nav.search')],
    ['/rehearsal', t('nav.rehearsal')],
    ['/queues', t('nav.queues')],
  ];
  return html`<nav>
    ${links.map(
      ([href, label]) => html`<a href="${base}${href}" ${path === href ? html`aria-current="page"` : ''}>${label}</a>`,
    )}
  </nav>`;
}

function languageSwitch(input: LayoutInput): SafeHtml | string {
  const { language, base, path } = input;
  if (language.pinned) return '';
  const other: Locale = language.locale === 'zh-CN' ? 'en' : 'zh-CN';
  const target = `${base}${(path ?? '/').split('#')[0]}`;
  const sep = target.includes('?') ? '&' : '?';
  // The other language's name in that language, so a reader who cannot read this page finds it.
  return html`<a class="lang" href="${target}${sep}lang=${other}" hreflang="${other}" lang="${other}"
    >${other === 'en' ? 'English' : '中文'}</a
  >`;
}

/** The frame of every dashboard page: header with navigation, search and language switch, notice area, one nonce'd style and script. */
export function layout(input: LayoutInput): string {
  const { base, nonce } = input;
  const t = input.language.t;
  return html`<!doctype html>
    <html lang="${input.language.locale}">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${input.title} · receipt-sync</title>
        <style nonce="${nonce}">
          ${new SafeHtml(STYLE)}
        </style>
      </head>
      <body data-base="${base}" data-msg="${scriptMessages(t)}" ${refreshAttribute(input.refresh)}>
        <header>
          <h1><a href="${base}/">receipt-sync</a></h1>
          <span class="muted">${input.subtitle ?? t('layout.tagline')}</span>
          ${navigation(base, input.path, t)} ${languageSwitch(input)}
          <form method="get" action="${base}/receipts" role="search">
            <input
              type="search"
              name="q"
              value="${input.query ?? ''}"
              placeholder="${t('layout.searchPlaceholder')}"
              aria-label="${t('layout.searchLabel')}"
              required
            />
            <button type="submit">${t('layout.find')}</button>
          </form>
        </header>
        <main>
          <div id="notice" role="status"></div>
          ${input.body}
        </main>
        <footer>${t('layout.timesNote')}</footer>
        <script nonce="${nonce}">
          ${new SafeHtml(SCRIPT)};
        </script>
      </body>
    </html>`.value;
}

/** Only our own nonce'd style and script run; no external assets, no framing. */
export function pageSecurityPolicy(nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src 'nonce-${nonce}'`,
    "connect-src 'self'",
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}
