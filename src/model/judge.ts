// The one place that judges a drill: its status, whether each objective was met, whether the expectation
// (recovered / detected) held, the verdict line and the exit code. Reports, metrics, JUnit, Slack, compare and
// the history page only read what this decided (result.json carries it).
import { formatSeconds } from './format.js';
import { isFinding, PgdrillError, RecoveryFailedError, StepFailedError } from '../errors.js';
import { drillExit } from './exit-codes.js';
import type { CheckResult } from './check-result.js';

export type DrillStatus = 'passed' | 'failed' | 'unverified' | 'error';

export interface ObjectiveJudgement {
  /** null: the objective does not apply to this drill (a recovery to a chosen past point has no data loss to judge). */
  met: boolean | null;
  /** One line: measured against the objective, and why it is not met when it is not. */
  detail: string;
}

export interface JudgeInput {
  name: string;
  expect: 'recovered' | 'detected';
  objectives: { rtoSeconds: number; rpoSeconds: number };
  /** Time spent from the declaration to the end of verification (null when recovery never got that far). */
  rtoSeconds: number | null;
  /**
   * The data loss measured; `notProven`: why the objective cannot be shown met whatever this run measured (one
   * sample of an archive cycle longer than the objective); `notApplicable`: why it does not apply; null: it
   * applies but could not be measured (the drill is then unverified).
   */
  rpo: { seconds: number; lowerBound: boolean; lostMarkers: number | null; notProven?: string | undefined } | { notApplicable: string } | null;
  /** True only when the recovered instance was verified: every verification check ran and passed. */
  recoveryVerified: boolean;
  /** Every check the drill ran (backup, archive, recovery, SQL), without the objective checks. */
  checks: CheckResult[];
  /**
   * For expect: detected, the names of the checks meant to find this incident's damage: the drill passes only
   * when one of them failed (found it). Any other failure is not a detection.
   */
  detectedBy: readonly string[];
  /** Plain-language findings that lead the diagnosis (a missing WAL segment...). */
  findings: string[];
  error: unknown;
  /** Signal that interrupted the run, when one did. */
  interruptedBy?: 'SIGINT' | 'SIGTERM' | undefined;
  /** The RTO estimated at production size (objectives.forecast), when one was. */
  forecastRtoSeconds?: number | undefined;
}

export interface Judgement {
  status: DrillStatus;
  rto: ObjectiveJudgement;
  rpo: ObjectiveJudgement;
  /** The objective checks, in the order reports show them. */
  objectiveChecks: CheckResult[];
  expectation: { expect: 'recovered' | 'detected'; met: boolean; detail: string };
  verdict: string;
  diagnosis?: string;
  exitCode: number;
  /** Whether the production-size estimate is within the RTO objective (it is an estimate: it never fails the drill). */
  forecast?: { met: boolean };
}

export function judge(input: JudgeInput): Judgement {
  const rto = judgeRto(input);
  const rpo = judgeRpo(input);
  const objectiveChecks: CheckResult[] = [];
  if (input.rtoSeconds !== null) objectiveChecks.push({ name: 'RTO objective', status: rto.met ? 'passed' : 'failed', detail: rto.detail });
  // An RPO that applies but is unknown makes the drill unverified, unless it already failed for what it knows.
  if (rpo.met !== null && (input.rpo || !input.error)) {
    const notProven = input.rpo && 'seconds' in input.rpo && input.rpo.notProven;
    objectiveChecks.push({ name: 'RPO objective', status: input.rpo ? (rpo.met ? 'passed' : 'failed') : 'unverified', detail: rpo.detail, ...(input.rpo ? (notProven ? { code: 'rpo-not-proven' } : {}) : { code: 'rpo-unmeasured' }) });
  }
  const all = [...input.checks, ...objectiveChecks];

  const error = input.error;
  const raw: DrillStatus = error
    ? isFinding(error)
      ? 'failed'
      : 'error'
    : all.some((c) => c.status === 'failed')
      ? 'failed'
      : all.some((c) => c.status === 'unverified')
        ? 'unverified'
        : 'passed';
  const problem = raw === 'passed' ? undefined : diagnose(error, all, input.findings);

  let status = raw;
  let expectation: Judgement['expectation'];
  if (input.expect === 'detected') {
    const finder = input.checks.find((c) => input.detectedBy.includes(c.name) && c.status === 'failed');
    status = finder ? 'passed' : raw === 'error' || (error && !isFinding(error)) ? 'error' : 'failed';
    expectation = {
      expect: 'detected',
      met: Boolean(finder),
      detail: finder
        ? `detected by "${finder.name}": ${finder.detail.split('\n')[0]}`
        : raw === 'passed'
          ? 'not detected: recovery reached its target and every check passed, so this damage would go unnoticed'
          : `not detected: none of the checks meant to find this damage (${input.detectedBy.join(', ') || 'none'}) found it${problem ? `; the drill failed for another reason: ${problem.split('\n')[0]}` : ''}`,
    };
  } else {
    expectation = {
      expect: 'recovered',
      met: raw === 'passed',
      detail: raw === 'passed' ? 'recovered to the target with every check passed' : raw === 'unverified' ? 'not verified: nothing failed, but what is listed could not be judged' : 'not recovered as expected',
    };
  }
  if (input.interruptedBy) status = 'error';

  const diagnosis =
    input.expect === 'detected' ? (status === 'passed' ? `Detected as expected.\n${problem ?? ''}`.trimEnd() : `${expectation.detail}.${problem && !expectation.detail.includes(problem.split('\n')[0] ?? '') ? `\n${problem}` : ''}`) : problem;

  const fmt = (s: number | null) => (s === null ? 'n/a' : formatSeconds(s));
  const rtoText = input.rtoSeconds === null ? 'n/a' : rto.met ? fmt(input.rtoSeconds) : `not met (${fmt(input.rtoSeconds)} spent${input.recoveryVerified ? '' : ', recovery not verified'})`;
  const verdict =
    `${status.toUpperCase()} ${input.name}  RTO ${rtoText} (objective ${formatSeconds(input.objectives.rtoSeconds)})  ` +
    `RPO ${input.rpo && 'seconds' in input.rpo ? `${input.rpo.lowerBound ? '>=' : ''}${formatSeconds(input.rpo.seconds)}${input.rpo.notProven ? ' not proven' : ''}` : 'n/a'} (objective ${formatSeconds(input.objectives.rpoSeconds)})` +
    (input.expect === 'detected' ? `  expected detection: ${expectation.met ? 'detected' : 'NOT detected'}` : '');

  return {
    status,
    rto,
    rpo,
    objectiveChecks,
    expectation,
    verdict,
    ...(diagnosis ? { diagnosis } : {}),
    exitCode: drillExit(status, error, input.interruptedBy),
    ...(input.forecastRtoSeconds !== undefined ? { forecast: { met: input.forecastRtoSeconds <= input.objectives.rtoSeconds } } : {}),
  };
}

/** Met only when measured within the objective *and* the recovery was verified (the RTO is "promoted and verified"). */
function judgeRto(input: JudgeInput): ObjectiveJudgement {
  const objective = formatSeconds(input.objectives.rtoSeconds);
  if (input.rtoSeconds === null) return { met: false, detail: `not measured: recovery did not get as far as verification (objective ${objective})` };
  const spent = formatSeconds(input.rtoSeconds);
  if (!input.recoveryVerified) {
    return { met: false, detail: `not achieved: the recovery failed verification, so there is no recovery time to compare (${spent} spent; objective ${objective})` };
  }
  const within = input.rtoSeconds <= input.objectives.rtoSeconds;
  return { met: within, detail: `measured ${spent} ${within ? '<=' : '>'} objective ${objective}` };
}

/** A lower bound is never "met": the real loss may be larger; nor is one sample of an archive cycle longer than the objective. */
function judgeRpo(input: JudgeInput): ObjectiveJudgement {
  const objective = formatSeconds(input.objectives.rpoSeconds);
  const rpo = input.rpo;
  if (rpo && 'notApplicable' in rpo) return { met: null, detail: `does not apply: ${rpo.notApplicable} (objective ${objective})` };
  if (!rpo) return { met: false, detail: `not measured: nothing this drill saw says how much data a loss would cost, so the objective ${objective} could not be judged` };
  if (rpo.notProven) return { met: false, detail: `not proven: ${rpo.notProven}; this run measured ${formatSeconds(rpo.seconds)}, one sample (objective ${objective})` };
  const met = rpo.seconds <= input.objectives.rpoSeconds && !rpo.lowerBound;
  const lost = rpo.lostMarkers === null ? '' : ` (${rpo.lostMarkers} marker(s) lost)`;
  if (rpo.lowerBound && rpo.seconds <= input.objectives.rpoSeconds) {
    return { met, detail: `not confirmed: no marker survived, so the loss is only known to be at least ${formatSeconds(rpo.seconds)} (objective ${objective})${lost}` };
  }
  return { met, detail: `measured ${rpo.lowerBound ? 'at least ' : ''}${formatSeconds(rpo.seconds)} ${met ? '<=' : '>'} objective ${objective}${lost}` };
}

/** The first thing a reader of a failed drill needs: what went wrong and what to do. */
function diagnose(error: unknown, checks: CheckResult[], findings: string[]): string {
  const lead = findings.length > 0 ? `${findings.join('\n')}\n` : '';
  return lead + explain(error, checks);
}

function explain(error: unknown, checks: CheckResult[]): string {
  if (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    const suggestion = e instanceof PgdrillError && e.suggestion ? `\nWhat to do: ${e.suggestion}` : '';
    const logTail = e instanceof RecoveryFailedError ? `\nServer log (last lines):\n${e.logTail}` : '';
    const step = e instanceof StepFailedError && e.details.logFile ? `\nCommand log: ${e.details.logFile}` : '';
    return `${e.message}${suggestion}${step}${logTail}`;
  }
  return checks
    .filter((c) => c.status === 'failed')
    .map((c) => `${c.name}: ${c.detail}`)
    .join('\n');
}

/** Whether an objective was met, for any result.json: read from the judgement, or judged the same way for old files. */
type JudgedResult = { objectives: { rtoSeconds: number; rpoSeconds: number; rtoMet?: boolean | undefined; rpoMet?: boolean | null | undefined }; measured: { rtoSeconds: number | null; rpoSeconds: number | null; rpoLowerBound: boolean }; status: string };
export function objectiveMet(r: JudgedResult, which: 'rto'): boolean;
export function objectiveMet(r: JudgedResult, which: 'rpo'): boolean | null;
export function objectiveMet(
  r: { objectives: { rtoSeconds: number; rpoSeconds: number; rtoMet?: boolean | undefined; rpoMet?: boolean | null | undefined }; measured: { rtoSeconds: number | null; rpoSeconds: number | null; rpoLowerBound: boolean }; status: string },
  which: 'rto' | 'rpo',
): boolean | null {
  if (which === 'rto') {
    if (r.objectives.rtoMet !== undefined) return r.objectives.rtoMet;
    return r.measured.rtoSeconds !== null && r.measured.rtoSeconds <= r.objectives.rtoSeconds && r.status === 'passed';
  }
  if (r.objectives.rpoMet !== undefined) return r.objectives.rpoMet;
  return r.measured.rpoSeconds !== null && !r.measured.rpoLowerBound && r.measured.rpoSeconds <= r.objectives.rpoSeconds;
}
