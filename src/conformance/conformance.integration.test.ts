// The conformance corpus: production-like set-ups built by scripts that know nothing of pgdrill
// (test/conformance/cases/*.sh, with the server's own tools), each with its answers known from construction
// (test/conformance/<case>/expect.json: which drills pass and which fail, and why). Every case runs both ways, intact
// and damaged, and every file under the user's backup, archive, repository and configuration is the same, with
// none added, before and after.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { worstExit } from '../model/exit-codes.js';
import type { DrillResult } from '../model/result-schema.js';
import { resultSchema } from '../model/result-schema.js';
import { BIN, ROOT, runCli, testFolders, workFoldersLeft, postgresProcessesUnder } from '../test-support/cli.js';
import { folders, hashes } from '../test-support/file-hashes.js';

const CASES = path.join(ROOT, 'test', 'conformance', 'cases');

interface Expectation {
  exit: number;
  status: DrillResult['status'];
  /** A check that must have failed (the cause named). */
  failedCheck?: string;
  /** Text the diagnosis must contain. */
  diagnosis?: string;
  /** Text one of the server-log evidence lines must contain. */
  evidence?: string;
  /** Text one of the warnings must contain. */
  warning?: string;
  /** Text no warning may contain (a false alarm). */
  noWarning?: string;
  /** objectives.rpoMet (null: does not apply). */
  rpoMet?: boolean | null;
  /** The measured RPO must lie in [min, max] seconds. */
  rpo?: [number, number];
  /** Finding codes that checks of the drill must have failed with (each cause named). */
  failedCodes?: string[];
  /** measured.discardedMarkers. */
  discarded?: number;
  /** Checks that must have passed, by name. */
  passedChecks?: string[];
  /** Text the result's sandbox overrides or warnings must contain. */
  sandbox?: string;
}

interface Case {
  userPaths: string[];
  drills: Record<string, Expectation>;
  /** Environment of the pgdrill run (a time zone, a live source's conninfo). */
  env?: Record<string, string>;
}

/** Every file below the user's paths (their list and their bytes): nothing may change, nothing may be added. */
function snapshot(paths: string[]): Record<string, string> {
  return { ...hashes(...paths), ...Object.fromEntries(Object.entries(folders(...paths)).map(([f, m]) => [`${f}/`, m])) };
}

describe('conformance corpus: set-ups built outside pgdrill, verdicts known from construction', function () {
  this.timeout(600_000);
  const { work } = testFolders();
  for (const script of readdirSync(CASES).filter((f) => f.endsWith('.sh')).sort()) {
    const name = script.replace(/\.sh$/, '');
    describe(name, () => {
      const dir = path.join(work, name);
      const checksAfter = readFileSync(path.join(CASES, script), 'utf8').includes('/after.sh"');
      let c: Case;
      let results: Map<string, DrillResult>;
      let run: Awaited<ReturnType<typeof runCli>>;
      let untouched: Record<string, string>;
      before(async () => {
        execFileSync('bash', [path.join(CASES, script), dir], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 300_000, env: { ...process.env, PGDRILL_BIN: BIN } });
        c = JSON.parse(readFileSync(path.join(dir, 'expect.json'), 'utf8')) as Case;
        untouched = snapshot(c.userPaths);
        const drills = Object.keys(c.drills).map((d) => path.join(dir, 'drills', `${d}.yaml`));
        const out = path.join(dir, 'out');
        run = await runCli(['run', ...drills, '--out', out, '--concurrency', '2'], { env: { PGDRILL_WORK_DIR: work, ...c.env } });
        const runDir = readdirSync(out, { withFileTypes: true }).find((e) => e.isDirectory())?.name ?? '';
        results = new Map(
          Object.keys(c.drills).map((d) => [d, resultSchema.parse(JSON.parse(readFileSync(path.join(out, runDir, d, 'result.json'), 'utf8')))]),
        );
      });

      it('the run exits with the worst of its drills\' codes', () => {
        expect(run.code, run.stderr).to.equal(worstExit(Object.values(c.drills).map((e) => e.exit)));
      });

      it('every verdict is the one known from construction', () => {
        for (const [drill, e] of Object.entries(c.drills)) {
          const r = results.get(drill) as DrillResult;
          const what = `${drill}: ${r.verdict}\n${r.diagnosis ?? ''}`;
          expect(r.status, what).to.equal(e.status);
          expect(r.exitCode, what).to.equal(e.exit);
          if (e.failedCheck) expect(r.checks.find((x) => x.name === e.failedCheck)?.status, what).to.equal('failed');
          for (const p of e.passedChecks ?? []) expect(r.checks.find((x) => x.name === p)?.status, `${what}\n${p}`).to.equal('passed');
          if (e.diagnosis) expect(r.diagnosis ?? '', what).to.contain(e.diagnosis);
          if (e.evidence) expect(r.recovery.evidence.join('\n'), what).to.contain(e.evidence);
          if (e.warning) expect((r.warnings ?? []).join('\n'), what).to.contain(e.warning);
          if (e.noWarning) expect((r.warnings ?? []).join('\n'), what).not.to.contain(e.noWarning);
          if (e.rpoMet !== undefined) expect(r.objectives.rpoMet, what).to.equal(e.rpoMet);
          if (e.rpo) expect(r.measured.rpoSeconds, what).to.be.within(e.rpo[0], e.rpo[1]);
          for (const code of e.failedCodes ?? []) expect(r.checks.filter((x) => x.status === 'failed').map((x) => x.code), `${what}\n${code}`).to.include(code);
          if (e.discarded !== undefined) expect(r.measured.discardedMarkers, what).to.equal(e.discarded);
          if (e.sandbox) expect(JSON.stringify(r.sandbox ?? {}), what).to.contain(e.sandbox);
        }
      });

      it('never wrote: every file of the user\'s backup, archive, repository and configuration is the same, none added', () => {
        expect(snapshot(c.userPaths)).to.deep.equal(untouched);
        for (const r of results.values()) if (r.readOnly) expect(r.readOnly.enforced, r.readOnly.why).to.equal(true);
        expect(workFoldersLeft(work)).to.deep.equal([]);
        expect(postgresProcessesUnder(work).filter((l) => !l.includes(`${dir}/`))).to.deep.equal([]);
        // An after.sh this file did not see coming (written some other way) would otherwise never run.
        expect(existsSync(path.join(dir, 'after.sh')), `${script} wrote an after.sh that is not run as a test`).to.equal(checksAfter);
      });

      // A case whose drills could touch something outside its declared paths (a live source's slot, a hook's trace)
      // checks it in the after.sh its script writes; a case without one has no such test.
      if (checksAfter) {
        it('what the drills must not have touched outside their paths is as it was (the case\'s own after.sh)', () => {
          execFileSync('bash', [path.join(dir, 'after.sh')], { stdio: ['ignore', 'inherit', 'inherit'], timeout: 60_000 });
        });
      }

      after(() => {
        // The case's own servers (a live source) stop with the case; then what it put outside its folder (cleanup.sh) goes.
        try {
          execFileSync('bash', ['-c', `for pid in $(cat '${dir}'/*.pid 2>/dev/null); do kill "$pid" 2>/dev/null || true; done`]);
        } catch {
          // none
        }
        const cleanup = path.join(dir, 'cleanup.sh');
        if (existsSync(cleanup)) execFileSync('bash', [cleanup], { stdio: ['ignore', 'inherit', 'inherit'], timeout: 60_000 });
      });
    });
  }
});
