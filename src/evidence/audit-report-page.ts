// The auditor's report as people and spreadsheets read it: one HTML page (per drill: runs, passes, last verified,
// gaps flagged; then every run with who, what and which backup) and one CSV row per drill run.
import Handlebars from 'handlebars';
import { formatSeconds } from '../model/format.js';
import type { AuditReport, AuditRow } from './audit-report.js';

const CSV_COLUMNS: Array<[string, (r: AuditRow) => string | number | null]> = [
  ['drill', (r) => r.drill],
  ['run_id', (r) => r.runId],
  ['started_at', (r) => r.startedAt],
  ['ended_at', (r) => r.endedAt],
  ['status', (r) => r.status],
  ['verdict', (r) => r.verdict],
  ['rto_seconds', (r) => r.rtoSeconds],
  ['rto_objective_seconds', (r) => r.rtoObjectiveSeconds],
  ['rpo_seconds', (r) => r.rpoSeconds],
  ['rpo_objective_seconds', (r) => r.rpoObjectiveSeconds],
  ['ran_by', (r) => r.ranBy],
  ['trigger', (r) => r.trigger],
  ['backup', (r) => r.backup],
  ['drill_sha256', (r) => r.drillSha256],
  ['pgdrill_version', (r) => r.pgdrillVersion],
  ['image', (r) => r.image],
  ['signed_by', (r) => r.signedBy],
];

/** RFC 4180: every field quoted, quotes doubled; a leading = + - @ made inert for spreadsheets. */
export function auditCsv(report: AuditReport): string {
  const field = (v: string | number | null) => {
    const text = v === null ? '' : String(v);
    return `"${(/^[=+\-@]/.test(text) ? `'${text}` : text).replace(/"/g, '""')}"`;
  };
  return [CSV_COLUMNS.map(([h]) => h).join(','), ...report.rows.map((r) => CSV_COLUMNS.map(([, get]) => field(get(r))).join(','))].join('\r\n') + '\r\n';
}

const PAGE = Handlebars.compile(`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>pgdrill restore tests {{from}} to {{until}}</title>
<style>body{font:15px/1.5 -apple-system,"Segoe UI",Helvetica,Arial,sans-serif;margin:24px;color:#1f2328}table{border-collapse:collapse;width:100%;font-size:13px;margin-bottom:24px}th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #d0d7de;vertical-align:top}th{color:#656d76}.pass{color:#1a7f37;font-weight:600}.fail{color:#cf222e;font-weight:600}.gap{background:#fff1e5}.ok{background:#dafbe1;padding:8px 12px;border-radius:6px}.bad{background:#ffebe9;padding:8px 12px;border-radius:6px}code{background:#f6f8fa;padding:1px 4px;font-size:12px}</style></head><body>
<h1>Restore tests from {{from}} to {{until}}</h1>
<p class="{{#if verified}}ok{{else}}bad{{/if}}">Evidence verification: {{#if verified}}<b>passed</b>: every hash, the chain, the head and the signatures hold ({{runCount}} run(s) in the folder){{#unless pinned}}; no public key was pinned, so the signer is not proven{{/unless}}{{else}}<b>FAILED</b> ({{problems.length}} problem(s)): {{#each problems}}<br><code>{{this}}</code>{{/each}}{{/if}}</p>
<h2>Per drill</h2>
<table><tr><th>Drill</th><th>Runs in period</th><th>Passed</th><th>Last verified</th><th>Required every</th><th>Periods without a passing drill</th></tr>
{{#each drills}}<tr class="{{#if gaps.length}}gap{{/if}}"><td>{{drill}}</td><td>{{runs}}</td><td>{{passed}}</td><td>{{#if lastVerified}}{{lastVerified}}{{else}}<span class="fail">never</span>{{/if}}</td><td>{{#if window}}{{window}}{{else}}not set (no validateEvery, no --every): gaps not judged{{/if}}</td><td>{{#each gaps}}<span class="fail">{{from}} to {{until}}</span> ({{length}})<br>{{else}}{{#if window}}none{{/if}}{{/each}}</td></tr>
{{/each}}</table>
<h2>Every run</h2>
<table><tr><th>Drill</th><th>Run</th><th>Ended (UTC)</th><th>Verdict</th><th>RTO / objective</th><th>RPO / objective</th><th>Ran by</th><th>Trigger</th><th>Backup restored</th><th>Drill file SHA-256</th><th>pgdrill</th><th>Signed by</th></tr>
{{#each rows}}<tr><td>{{drill}}</td><td><code>{{runId}}</code></td><td>{{endedAt}}</td><td class="{{#if pass}}pass{{else}}fail{{/if}}" title="{{verdict}}">{{statusText}}</td><td>{{rto}}</td><td>{{rpo}}</td><td>{{ranBy}}</td><td>{{trigger}}</td><td>{{backup}}</td><td><code>{{sha}}</code></td><td>{{pgdrillVersion}}{{#if image}}<br><code>{{image}}</code>{{/if}}</td><td><code title="{{signedBy}}">{{signedShort}}</code></td></tr>
{{/each}}</table>
<p>Read from each run's <code>evidence/manifest.json</code>. Check it yourself: <code>npx pgdrill evidence verify &lt;folder&gt; --public-key SIGNING-KEY.pub</code>. What this proves and what it does not: docs/compliance.md in pgdrill.</p>
</body></html>
`);

export function auditHtml(report: AuditReport, pinned: boolean): string {
  const pair = (m: number | null, o: number) => `${m === null ? 'n/a' : formatSeconds(m)} / ${formatSeconds(o)}`;
  return PAGE({
    from: report.from,
    until: report.until,
    verified: report.verification.ok,
    pinned,
    runCount: report.verification.runs.length,
    problems: report.verification.problems,
    drills: report.drills.map((d) => ({ ...d, window: d.windowSeconds === null ? '' : windowText(d.windowSeconds), gaps: d.gaps.map((g) => ({ ...g, length: formatSeconds(g.seconds) })) })),
    rows: report.rows.map((r) => ({ ...r, pass: r.status === 'passed', rto: pair(r.rtoSeconds, r.rtoObjectiveSeconds), rpo: pair(r.rpoSeconds, r.rpoObjectiveSeconds), sha: r.drillSha256.slice(0, 16), statusText: r.status.toUpperCase(), signedShort: r.signedBy.length > 24 ? `${r.signedBy.slice(0, 23)}…` : r.signedBy })),
  });
}

/** A required interval as policies write it: whole days as days (7d), else as any duration. */
function windowText(seconds: number): string {
  return seconds >= 86_400 && seconds % 86_400 === 0 ? `${seconds / 86_400}d` : formatSeconds(seconds);
}
