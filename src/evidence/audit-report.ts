// `pgdrill evidence report`: what an auditor asks for ("every restore test of these databases in Q3, who ran it,
// and prove none is missing"), read from the signed manifests alone: per drill, every run in the period with
// who or what started it, the backup restored, the drill file's hash, the verdict and RTO/RPO against the
// objectives; its last verified date; and the gaps: stretches of the period not covered by a pass within the
// drill's validateEvery (or --every). The evidence is verified first and the report says whether it held.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { readManifest, type Manifest } from './manifest.js';
import { isRunFolder, verifyEvidence, type Verification } from './verify-evidence.js';

export interface AuditRow {
  drill: string;
  runId: string;
  startedAt: string;
  endedAt: string;
  status: string;
  verdict: string;
  rtoSeconds: number | null;
  rtoObjectiveSeconds: number;
  rpoSeconds: number | null;
  rpoObjectiveSeconds: number;
  ranBy: string;
  trigger: string;
  backup: string;
  drillSha256: string;
  pgdrillVersion: string;
  image: string;
  signedBy: string;
}

export interface AuditGap {
  from: string;
  until: string;
  seconds: number;
}

export interface AuditDrill {
  drill: string;
  runs: number;
  passed: number;
  /** The newest pass at or before the end of the period (from any run of the folder). */
  lastVerified: string | null;
  windowSeconds: number | null;
  gaps: AuditGap[];
}

export interface AuditReport {
  from: string;
  until: string;
  rows: AuditRow[];
  drills: AuditDrill[];
  verification: Verification;
}

export function auditReport(outDir: string, opts: { from: Date; until: Date; drills?: readonly string[] | undefined; everySeconds?: number | undefined; publicKeyPem?: string | undefined }): AuditReport {
  const verification = verifyEvidence(outDir, { publicKeyPem: opts.publicKeyPem });
  const manifests = readdirSync(outDir)
    .filter((d) => isRunFolder(path.join(outDir, d)))
    .sort()
    .flatMap((run) => {
      try {
        return [readManifest(path.join(outDir, run))];
      } catch {
        return []; // named by the verification above
      }
    });
  const all = manifests.flatMap((m) => m.results.map((r) => rowOf(m, r)));
  const wanted = (d: string) => !opts.drills || opts.drills.includes(d);
  const inPeriod = (r: AuditRow) => Date.parse(r.endedAt) >= opts.from.getTime() && Date.parse(r.startedAt) <= opts.until.getTime();
  const rows = all.filter((r) => wanted(r.drill) && inPeriod(r));
  const names = [...new Set([...(opts.drills ?? []), ...rows.map((r) => r.drill)])].sort();
  const drills = names.map((drill): AuditDrill => {
    const mine = all.filter((r) => r.drill === drill);
    const passes = mine.filter((r) => r.status === 'passed' && Date.parse(r.endedAt) <= opts.until.getTime()).map((r) => Date.parse(r.endedAt)).sort((a, b) => a - b);
    const windowSeconds = opts.everySeconds ?? windowOf(manifests, drill);
    return {
      drill,
      runs: rows.filter((r) => r.drill === drill).length,
      passed: rows.filter((r) => r.drill === drill && r.status === 'passed').length,
      lastVerified: passes.length ? new Date(passes.at(-1) as number).toISOString() : null,
      windowSeconds,
      gaps: windowSeconds === null ? [] : gaps(passes, windowSeconds * 1000, opts.from.getTime(), opts.until.getTime()),
    };
  });
  return { from: opts.from.toISOString(), until: opts.until.toISOString(), rows, drills, verification };
}

function rowOf(m: Manifest, r: Manifest['results'][number]): AuditRow {
  const env = m.environment.find((e) => e.drill === r.drill);
  const ci = m.ranBy.ci;
  return {
    drill: r.drill,
    runId: m.runId,
    startedAt: m.startedAt,
    endedAt: m.endedAt,
    status: r.status,
    verdict: r.verdict,
    rtoSeconds: r.rtoSeconds,
    rtoObjectiveSeconds: r.objectives.rtoSeconds,
    rpoSeconds: r.rpoSeconds,
    rpoObjectiveSeconds: r.objectives.rpoSeconds,
    ranBy: ci ? `${ci.actor ?? 'unknown actor'} (${ci.provider}${ci.runUrl ? ` ${ci.runUrl}` : ''}) on ${m.ranBy.host}` : `${m.ranBy.user}@${m.ranBy.host}`,
    trigger: ci ? (ci.event ?? ci.provider) : 'by hand',
    backup: r.backup ? `${r.backup.label} of ${r.backup.location}${r.backup.stopTime ? `, stopped ${r.backup.stopTime}` : ''}` : `built by the drill (${env?.backupMethod ?? 'unknown method'})`,
    drillSha256: r.drillSha256 ?? m.drills.find((d) => d.name === r.drill)?.sha256 ?? '',
    pgdrillVersion: m.pgdrillVersion,
    image: env?.image ? `${env.image.name}${env.image.id ? ` ${env.image.id}` : ''}` : '',
    signedBy: m.signing?.fingerprint ?? 'unsigned',
  };
}

/** The drill's validateEvery, from its newest manifest that has one. */
function windowOf(manifests: readonly Manifest[], drill: string): number | null {
  for (const m of [...manifests].reverse()) {
    const v = m.results.find((r) => r.drill === drill)?.objectives.validateEverySeconds;
    if (v !== undefined) return v;
  }
  return null;
}

/** The parts of [from, until] that no pass covers, a pass covering [its end, its end + window]. */
export function gaps(passes: readonly number[], windowMs: number, from: number, until: number): AuditGap[] {
  const spans: Array<[number, number]> = [];
  let covered = from;
  for (const p of passes) {
    if (p > covered) spans.push([covered, Math.min(p, until)]);
    covered = Math.max(covered, p + windowMs);
    if (covered >= until) break;
  }
  if (covered < until) spans.push([covered, until]);
  return spans.filter(([a, b]) => b > a).map(([a, b]) => ({ from: new Date(a).toISOString(), until: new Date(b).toISOString(), seconds: Math.round((b - a) / 1000) }));
}
