import { expect } from 'chai';
import { DrillConfigError, EnvironmentError, InterruptedError, StepFailedError, TimeoutError } from '../errors.js';
import type { CheckResult } from './check-result.js';
import { worstExit as aggregateExitCode } from './exit-codes.js';
import { judge, objectiveMet, type JudgeInput } from './judge.js';

const ok = (name: string): CheckResult => ({ name, status: 'passed', detail: 'fine' });
const bad = (name: string, detail = 'broken'): CheckResult => ({ name, status: 'failed', detail });

function input(over: Partial<JudgeInput> = {}): JudgeInput {
  return {
    name: 'd',
    expect: 'recovered',
    objectives: { rtoSeconds: 60, rpoSeconds: 5 },
    rtoSeconds: 10,
    rpo: { seconds: 1, lowerBound: false, lostMarkers: 2 },
    recoveryVerified: true,
    checks: [ok('recovery target reached'), ok('table orders restored')],
    detectedBy: [],
    findings: [],
    error: undefined,
    ...over,
  };
}

describe('judge: the one place a drill is judged', () => {
  // status x expect x objective x lower bound, each row: what goes in, what must come out.
  const table: Array<{ case: string; in: Partial<JudgeInput>; status: string; rto: boolean; rpo: boolean | null; exit: number; expectation: boolean }> = [
    { case: 'recovered, both objectives met', in: {}, status: 'passed', rto: true, rpo: true, exit: 0, expectation: true },
    { case: 'RTO over the objective', in: { rtoSeconds: 61 }, status: 'failed', rto: false, rpo: true, exit: 1, expectation: false },
    { case: 'RTO exactly the objective', in: { rtoSeconds: 60 }, status: 'passed', rto: true, rpo: true, exit: 0, expectation: true },
    { case: 'RPO over the objective', in: { rpo: { seconds: 6, lowerBound: false, lostMarkers: 9 } }, status: 'failed', rto: true, rpo: false, exit: 1, expectation: false },
    { case: 'RPO a lower bound, within the objective', in: { rpo: { seconds: 1, lowerBound: true, lostMarkers: 3 } }, status: 'failed', rto: true, rpo: false, exit: 1, expectation: false },
    {
      case: 'fast recovery that failed verification: RTO not met',
      in: { rtoSeconds: 1, recoveryVerified: false, checks: [ok('recovery target reached'), bad('table orders restored')] },
      status: 'failed',
      rto: false,
      rpo: true,
      exit: 1,
      expectation: false,
    },
    // An objective that applies but could not be judged is no pass: unverified, with its own exit code.
    { case: 'RPO not measured', in: { rpo: null }, status: 'unverified', rto: true, rpo: false, exit: 4, expectation: false },
    { case: 'RPO does not apply (a chosen past point)', in: { rpo: { notApplicable: 'recovery to a chosen past point' } }, status: 'passed', rto: true, rpo: null, exit: 0, expectation: true },
    { case: 'RPO measured within the objective but not provable (one sample of a longer archive cycle)', in: { rpo: { seconds: 1, lowerBound: false, lostMarkers: 1, notProven: 'archive_timeout = 300s is longer than the RPO objective' } }, status: 'failed', rto: true, rpo: false, exit: 1, expectation: false },
    { case: 'a check that could not be judged', in: { checks: [{ name: 'role app_rw can log in', status: 'unverified', detail: 'no role to run as' }] }, status: 'unverified', rto: true, rpo: true, exit: 4, expectation: false },
    { case: 'recovery failed (finding)', in: { rtoSeconds: 2, recoveryVerified: false, error: new StepFailedError('pg_ctl failed', { command: 'x', outputTail: '', durationSeconds: 1 }) }, status: 'failed', rto: false, rpo: true, exit: 1, expectation: false },
    { case: 'environment error', in: { rtoSeconds: null, rpo: null, recoveryVerified: false, error: new EnvironmentError('no binaries') }, status: 'error', rto: false, rpo: false, exit: 3, expectation: false },
    { case: 'drill mistake found while running', in: { rtoSeconds: null, rpo: null, recoveryVerified: false, error: new DrillConfigError([{ file: 'f', path: 'recovery.lsn', message: 'before the backup' }]) }, status: 'error', rto: false, rpo: false, exit: 2, expectation: false },
    { case: 'interrupted by SIGINT', in: { rtoSeconds: null, rpo: null, recoveryVerified: false, error: new InterruptedError('SIGINT'), interruptedBy: 'SIGINT' }, status: 'error', rto: false, rpo: false, exit: 130, expectation: false },
    { case: 'interrupted by SIGTERM', in: { rtoSeconds: null, rpo: null, recoveryVerified: false, error: new InterruptedError('SIGTERM'), interruptedBy: 'SIGTERM' }, status: 'error', rto: false, rpo: false, exit: 143, expectation: false },
    // expect: detected
    {
      case: 'detected by the check meant to find it',
      in: { expect: 'detected', detectedBy: ['WAL archive continuous'], recoveryVerified: false, checks: [bad('WAL archive continuous', 'segment 0000000100000000000000004 is missing'), bad('last pre-incident marker present')] },
      status: 'passed',
      rto: false,
      rpo: true,
      exit: 0,
      expectation: true,
    },
    {
      case: 'a timeout is not a detection',
      in: { expect: 'detected', detectedBy: ['WAL archive continuous'], rtoSeconds: null, rpo: null, recoveryVerified: false, checks: [], error: new TimeoutError('WAL segment did not reach the repository within 30s') },
      status: 'failed',
      rto: false,
      rpo: false,
      exit: 1,
      expectation: false,
    },
    {
      case: 'another failed check is not a detection',
      in: { expect: 'detected', detectedBy: ['backup-verified'], rtoSeconds: 200, recoveryVerified: false, checks: [ok('backup-verified'), bad('sum(total) equals pre-incident')] },
      status: 'failed',
      rto: false,
      rpo: true,
      exit: 1,
      expectation: false,
    },
    {
      case: 'nothing failed: the damage would go unnoticed',
      in: { expect: 'detected', detectedBy: ['backup-verified'], checks: [ok('backup-verified')] },
      status: 'failed',
      rto: true,
      rpo: true,
      exit: 1,
      expectation: false,
    },
    {
      case: 'detected, but pgdrill itself could not run',
      in: { expect: 'detected', detectedBy: ['backup-verified'], rtoSeconds: null, rpo: null, recoveryVerified: false, checks: [], error: new EnvironmentError('disk full') },
      status: 'error',
      rto: false,
      rpo: false,
      exit: 3,
      expectation: false,
    },
  ];
  for (const row of table) {
    it(row.case, () => {
      const j = judge(input(row.in));
      expect(j.status, 'status').to.equal(row.status);
      expect(j.rto.met, 'rto met').to.equal(row.rto);
      expect(j.rpo.met, 'rpo met').to.equal(row.rpo);
      expect(j.exitCode, 'exit code').to.equal(row.exit);
      expect(j.expectation.met, 'expectation').to.equal(row.expectation);
      expect(j.verdict.startsWith(row.status.toUpperCase())).to.equal(true);
    });
  }

  it('shows the time spent but never as met when the recovery was not verified', () => {
    const j = judge(input({ rtoSeconds: 1.5, recoveryVerified: false, checks: [bad('table orders restored')] }));
    expect(j.verdict).to.contain('RTO not met (1.5s spent, recovery not verified)');
    expect(j.objectiveChecks.find((c) => c.name === 'RTO objective')).to.deep.include({ status: 'failed' });
    expect(j.rto.detail).to.contain('not achieved');
  });

  it('names the check that detected the damage, and why a drill was not a detection', () => {
    expect(judge(input({ expect: 'detected', detectedBy: ['backup-verified'], checks: [bad('backup-verified', 'pg_verifybackup exit 1: checksum mismatch')] })).expectation.detail).to.contain('detected by "backup-verified"');
    const notIt = judge(input({ expect: 'detected', detectedBy: ['WAL archive continuous'], checks: [], error: new TimeoutError('WAL segment X did not reach the backup repository within 30s') }));
    expect(notIt.expectation.detail).to.contain('none of the checks meant to find this damage (WAL archive continuous) found it');
    expect(notIt.verdict).to.contain('NOT detected');
  });

  it('reads objective results from result.json, and judges old files the same way', () => {
    const r = { objectives: { rtoSeconds: 60, rpoSeconds: 5, rtoMet: false, rpoMet: true }, measured: { rtoSeconds: 1, rpoSeconds: 9, rpoLowerBound: false }, status: 'failed' };
    expect(objectiveMet(r, 'rto')).to.equal(false);
    expect(objectiveMet(r, 'rpo')).to.equal(true);
    const old = { objectives: { rtoSeconds: 60, rpoSeconds: 5 }, measured: { rtoSeconds: 1, rpoSeconds: 1, rpoLowerBound: true }, status: 'failed' };
    expect(objectiveMet(old, 'rto')).to.equal(false);
    expect(objectiveMet(old, 'rpo')).to.equal(false);
  });

  it('aggregates a run: interrupted first, then environment, drill mistakes, failures', () => {
    expect(aggregateExitCode([0, 1, 3])).to.equal(3);
    expect(aggregateExitCode([1, 143])).to.equal(143);
    expect(aggregateExitCode([2, 1])).to.equal(2);
    expect(aggregateExitCode([0, 0])).to.equal(0);
  });
});
