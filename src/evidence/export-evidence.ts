// `pgdrill evidence export`: the runs of a period in one .tar.gz for an auditor, with an index.html summary
// (drills, verdicts, RTO/RPO against objectives, the command that verifies the archive) and EXPORT.json, which
// records where the hash chain starts so the export verifies on its own.
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Handlebars from 'handlebars';
import * as tar from 'tar';
import { formatSeconds } from '../model/format.js';
import { UsageError } from '../errors.js';
import { readManifest } from './manifest.js';
import { EXPORT_FILE, isRunFolder, verifyEvidence } from './verify-evidence.js';

const esc = Handlebars.escapeExpression;

/** A UTC day (2026-03-31) or an ISO timestamp; with `endOfDay`, a day means its last moment (--until). */
export function parseDay(text: string, flag: string, endOfDay = false): Date {
  const day = /^\d{4}-\d{2}-\d{2}$/.test(text);
  const d = new Date(day ? `${text}T${endOfDay ? '23:59:59.999' : '00:00:00'}Z` : text);
  if (Number.isNaN(d.getTime())) throw new UsageError(`${flag} ${text} is not a date`, `write ${flag} 2026-01-31 (UTC day) or a full ISO timestamp`);
  return d;
}

export async function exportEvidence(outDir: string, opts: { since: Date; until?: Date | undefined; to: string }): Promise<{ runs: string[]; file: string }> {
  const until = opts.until ?? new Date();
  const all = readdirSync(outDir).filter((d) => isRunFolder(path.join(outDir, d))).sort();
  const chosen = all.filter((run) => {
    const started = Date.parse(readManifest(path.join(outDir, run)).startedAt);
    return started >= opts.since.getTime() && started <= until.getTime();
  });
  if (chosen.length === 0) throw new UsageError(`no run with evidence between ${opts.since.toISOString()} and ${until.toISOString()} in ${outDir}`, 'widen --since/--until');
  const firstManifest = readManifest(path.join(outDir, chosen[0] as string));
  const staging = mkdtempSync(path.join(os.tmpdir(), 'pgdrill-export-'));
  try {
    const root = path.join(staging, 'pgdrill-evidence');
    for (const run of chosen) cpSync(path.join(outDir, run), path.join(root, run), { recursive: true });
    writeFileSync(
      path.join(root, EXPORT_FILE),
      `${JSON.stringify({ exportedAt: new Date().toISOString(), since: opts.since.toISOString(), until: until.toISOString(), runs: chosen, chainStart: firstManifest.previous }, null, 2)}\n`,
    );
    const check = verifyEvidence(root);
    writeFileSync(path.join(root, 'index.html'), exportIndex(root, chosen, check.ok, opts.since, until));
    await tar.c({ gzip: true, file: path.resolve(opts.to), cwd: staging, portable: true }, ['pgdrill-evidence']);
    return { runs: chosen, file: path.resolve(opts.to) };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

function exportIndex(root: string, runs: string[], verified: boolean, since: Date, until: Date): string {
  const rows = runs.flatMap((run) => {
    const m = readManifest(path.join(root, run));
    return m.results.map(
      (r) =>
        `<tr><td>${esc(run)}</td><td>${esc(m.startedAt)}</td><td>${esc(r.drill)}</td><td class="${r.status === 'passed' ? 'pass' : r.status === 'unverified' ? 'unverified' : 'fail'}">${esc(r.status)}</td>` +
        `<td>${r.rtoSeconds === null ? 'n/a' : esc(formatSeconds(r.rtoSeconds))} / ${esc(formatSeconds(r.objectives.rtoSeconds))}</td>` +
        `<td>${r.rpoSeconds === null ? 'n/a' : esc(formatSeconds(r.rpoSeconds))} / ${esc(formatSeconds(r.objectives.rpoSeconds))}</td>` +
        `<td>${m.signing ? esc(m.signing.fingerprint) : 'unsigned'}</td><td>${esc(m.ranBy.ci?.runUrl ?? `${m.ranBy.user}@${m.ranBy.host}`)}</td></tr>`,
    );
  });
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>pgdrill evidence ${esc(since.toISOString().slice(0, 10))} to ${esc(until.toISOString().slice(0, 10))}</title>
<style>body{font:15px/1.5 -apple-system,"Segoe UI",Helvetica,Arial,sans-serif;margin:24px;color:#1f2328}table{border-collapse:collapse;width:100%;font-size:14px}th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #d0d7de}th{color:#656d76}.pass{color:#1a7f37;font-weight:600}.fail{color:#cf222e;font-weight:600}code,pre{background:#f6f8fa;padding:2px 4px}</style></head><body>
<h1>pgdrill restore-drill evidence</h1>
<p>${runs.length} run(s) from ${esc(since.toISOString())} to ${esc(until.toISOString())}. Every file of every run is listed with its SHA-256 in the run's <code>evidence/manifest.json</code>; each manifest records the SHA-256 of the previous run's manifest, and signed runs carry <code>evidence/manifest.sig</code> (Ed25519).
At export, verification ${verified ? '<b class="pass">passed</b>' : '<b class="fail">FAILED</b>'}.</p>
<h2>Verify it yourself</h2>
<pre>tar -xzf THIS-FILE.tar.gz
npx pgdrill evidence verify pgdrill-evidence --public-key SIGNING-KEY.pub</pre>
<p>Exit code 0 means every hash, the chain and every signature hold; anything else names the file or run that does not.</p>
<h2>Drills</h2>
<table><tr><th>Run</th><th>Started (UTC)</th><th>Drill</th><th>Verdict</th><th>RTO measured / objective</th><th>RPO measured / objective</th><th>Signing key</th><th>Ran by</th></tr>
${rows.join('\n')}
</table>
<p>What this proves and what it does not: see docs/compliance.md in pgdrill.</p>
</body></html>
`;
}
