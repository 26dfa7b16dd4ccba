import type { DeadLetterPage } from './dead-letters';
import { html, SafeHtml } from './html';
import {
  deadLetterSection,
  errorsSection,
  failedCallsSection,
  freshnessSection,
  incidentsSection,
  k3cloudBanner,
  ledgerSection,
  queuesSection,
  summarySection,
  windowsSection,
} from './page-sections';
import type { DashboardStatus } from './status';

export interface PageInput {
  status: DashboardStatus;
  deadLetters: DeadLetterPage[];
  /** Public path the dashboard is mounted at, '' for the root. */
  base: string;
  /** Per-response CSP nonce for the one inline style and script. */
  nonce: string;
  /** Lag above this is shown in red (the alert threshold). */
  lagWarnSeconds: number;
}

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans CJK SC",sans-serif;margin:0;color:#1d2330;background:#f5f6f8}
header{background:#1d2330;color:#fff;padding:12px 24px;display:flex;align-items:baseline;gap:24px;flex-wrap:wrap}
header h1{font-size:18px;margin:0}header a{color:#9cc4ff}header .muted{color:#aab}
main{padding:16px 24px;max-width:1400px}
.banner{background:#fef3f2;border:1px solid #b42318;color:#7a271a;padding:10px 14px;margin:0 0 12px;border-radius:6px}
section{background:#fff;border:1px solid #dde1e7;border-radius:6px;padding:12px 16px;margin:0 0 16px}
h2{font-size:15px;margin:0 0 8px}
.section-head{display:flex;justify-content:space-between;align-items:center}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #eceef2;vertical-align:top}
th{font-weight:600;color:#556;background:#fafbfc;white-space:nowrap}
td.empty{color:#889;font-style:italic}
code{font-size:12px;background:#f0f2f5;padding:1px 4px;border-radius:3px}
.cards{display:flex;gap:12px;flex-wrap:wrap;background:none;border:0;padding:0}
.card{background:#fff;border:1px solid #dde1e7;border-radius:6px;padding:10px 14px;min-width:150px}
.card .label{color:#667;font-size:12px}.card .value{font-size:20px;font-weight:600}.card .note{color:#889;font-size:12px}
.card.bad{border-color:#e0a0a0;background:#fff5f5}.card.bad .value{color:#b42318}
button{font:inherit;padding:3px 10px;border-radius:4px;border:1px solid #2f6fde;background:#2f6fde;color:#fff;cursor:pointer}
button.secondary{background:#fff;color:#b42318;border-color:#d9a0a0}
button:disabled{opacity:.45;cursor:default}
.st.failed,.sev.critical{color:#b42318;font-weight:600}.st.completed{color:#17803d}.sev.warning{color:#b54708;font-weight:600}
.note{color:#667}
#notice{display:none;margin:0 0 16px;padding:10px 14px;border-radius:6px;background:#eef4ff;border:1px solid #b6ccf5}
#notice.error{background:#fff5f5;border-color:#e0a0a0}
`;

/**
 * Buttons POST with the CSRF header, then reload; the outcome survives the reload through
 * sessionStorage so the operator sees what happened.
 */
const SCRIPT = `
(function () {
  var base = document.body.getAttribute('data-base') || '';
  var notice = document.getElementById('notice');
  function show(text, isError) { notice.textContent = text; notice.className = isError ? 'error' : ''; notice.style.display = 'block'; }
  var saved = sessionStorage.getItem('rs-notice');
  if (saved) { sessionStorage.removeItem('rs-notice'); var n = JSON.parse(saved); show(n.text, n.error); }
  document.addEventListener('click', function (ev) {
    var btn = ev.target.closest ? ev.target.closest('button[data-action]') : null;
    if (!btn) return;
    var action = btn.getAttribute('data-action'), queue = btn.getAttribute('data-queue'), id = btn.getAttribute('data-id');
    if (action === 'discard' && !confirm('Discard ' + id + '? It will never be written to K3Cloud.')) return;
    var body = action === 'replay-all' ? { queue: queue, all: true } : { queue: queue, ids: [id] };
    var url = base + (action === 'discard' ? '/api/dead-letters/discard' : '/api/dead-letters/replay');
    btn.disabled = true;
    fetch(url, { method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json', 'X-Requested-With': 'receipt-sync' }, body: JSON.stringify(body) })
      .then(function (res) { return res.json().then(function (data) { return { ok: res.ok, data: data }; }); })
      .then(function (r) {
        var done = r.data.replayed || r.data.discarded || [];
        var failed = r.data.failed || [];
        var verb = action === 'discard' ? 'Discarded' : 'Replayed';
        var text = r.ok ? verb + ' ' + done.length + ' job(s)' + (failed.length ? '; ' + failed.length + ' failed: ' + failed.map(function (f) { return (f.deadLetterId || f.id) + ' (' + f.reason + ')'; }).join(', ') : '.') : 'Request refused: ' + (r.data.error || 'error');
        sessionStorage.setItem('rs-notice', JSON.stringify({ text: text, error: !r.ok || failed.length > 0 }));
        location.reload();
      })
      .catch(function (err) { btn.disabled = false; show('Request failed: ' + err, true); });
  });
})();
`;

export function renderPage(input: PageInput): string {
  const { status: s, base, nonce } = input;
  const doc = html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>receipt-sync dashboard</title>
        <style nonce="${nonce}">
          ${new SafeHtml(STYLE)}
        </style>
      </head>
      <body data-base="${base}">
        <header>
          <h1>receipt-sync</h1>
          <span class="muted">OKKI receipts → K3Cloud · status at ${s.now} (China time)</span>
          <a href="${base}/queues">Queues (Bull Board)</a><a href="${base}/api/status">Status JSON</a>
        </header>
        <main>
          ${k3cloudBanner(s)}
          <div id="notice" role="status"></div>
          ${summarySection(s, input.lagWarnSeconds)} ${freshnessSection(s)} ${incidentsSection(s)}
          ${input.deadLetters.map(deadLetterSection)} ${windowsSection(s)} ${errorsSection(s)} ${failedCallsSection(s)}
          ${ledgerSection(s)} ${queuesSection(s, base)}
        </main>
        <script nonce="${nonce}">
          ${new SafeHtml(SCRIPT)};
        </script>
      </body>
    </html>`;
  return doc.value;
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
