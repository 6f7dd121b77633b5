import { expect } from 'chai';
import path from 'node:path';
import { DrillConfigError } from '../errors.js';
import { ROOT } from '../test-support/cli.js';
import { writeDrill } from '../test-support/drill-files.js';
import { inspectDrill, loadDrill, loadDrills } from './loader.js';

const VALID = `name: t
objectives: { rto: 2m, rpo: 5s }
workload:
  fixtures: [$FIXTURES/shop.sql]
incident: { kind: drop-table, table: orders }
`;

function problemsOf(yaml: string) {
  return inspectDrill(writeDrill(yaml)).problems;
}

describe('drill loader', () => {
  it('loads the quickstart drill with defaults filled in', () => {
    const drill = loadDrill(path.join(ROOT, 'drills/quickstart.yaml'));
    expect(drill.name).to.equal('quickstart-drop-table');
    expect(drill.objectives).to.deep.equal({ rto: 120_000, rpo: 5_000 });
    expect(drill.workload.heartbeat).to.equal(200);
    expect(drill.recovery.target).to.equal('before-incident');
    expect(drill.fixturePaths[0]).to.equal(path.join(ROOT, 'fixtures/shop.sql'));
    expect(drill.verify).to.have.length(3);
  });

  it('applies defaults to a minimal drill', () => {
    const drill = loadDrill(writeDrill(VALID));
    expect(drill.provider).to.equal('auto');
    expect(drill.backup.method).to.equal('pg_basebackup');
    expect(drill.postgres.settings).to.deep.equal({});
  });

  it('reports every problem at once, each with its line and a fix', () => {
    const problems = problemsOf(`name: t
objectives: { rto: 7 minutes, rpo: 5s }
workload:
  fixtures: [missing.sql]
  heartbat: 200ms
incident: { kind: drop-table, table: orders }
colour: blue
`);
    const byPath = Object.fromEntries(problems.map((p) => [p.path, p]));
    expect(problems).to.have.length(4);
    expect(byPath['objectives.rto']?.line).to.equal(2);
    expect(byPath['objectives.rto']?.message).to.contain('"7 minutes" is not a duration').and.contain('7m');
    expect(byPath['workload.heartbat']?.line).to.equal(5);
    expect(byPath['workload.heartbat']?.message).to.contain('unknown key');
    expect(byPath['colour']?.line).to.equal(7);
    expect(byPath['colour']?.fix).to.contain('allowed here');
  });

  it('reports a missing fixture at its line, relative to the drill file', () => {
    const problems = problemsOf(`name: t
objectives: { rto: 2m, rpo: 5s }
workload:
  fixtures:
    - nope.sql
incident: { kind: drop-table, table: orders }
`);
    expect(problems).to.have.length(1);
    expect(problems[0]?.line).to.equal(5);
    expect(problems[0]?.message).to.contain('fixture file nope.sql not found');
  });

  it('rejects settings pgdrill manages and unknown incident kinds', () => {
    const problems = problemsOf(`name: t
objectives: { rto: 2m, rpo: 5s }
postgres:
  settings:
    port: 5432
    wal_level: minimal
incident: { kind: drop-everything, table: orders }
`);
    const text = problems.map((p) => `${p.line} ${p.path}: ${p.message}`).join('\n');
    expect(text).to.contain('5 postgres.settings.port: port is managed by pgdrill');
    expect(text).to.contain('6 postgres.settings.wal_level: wal_level minimal cannot be archived');
    expect(text).to.contain('7 incident.kind: "drop-everything" is not an incident kind; use one of: drop-table');
  });

  it('checks recovery target options against the target kind', () => {
    const problems = problemsOf(`name: t
objectives: { rto: 2m, rpo: 5s }
incident: { kind: drop-table, table: orders }
recovery:
  target: xid
  at: 2026-11-23 19:00:00
  lsn: 0/3000000
  inclusive: true
`);
    const text = problems.map((p) => `${p.line} ${p.path}: ${p.message}`).join('\n');
    expect(text).to.contain('6 recovery.at: must be a timestamp with an explicit time zone');
    expect(text).to.contain('7 recovery.lsn: lsn only applies to target lsn');
    expect(problems).to.have.length(3); // at: no zone, at: wrong target, lsn: wrong target
  });

  it('requires expect: detected for drills whose point is detection, and latest for a primary loss', () => {
    const missingWal = problemsOf(`name: t
objectives: { rto: 2m, rpo: 5s }
incident: { kind: missing-wal }
`);
    expect(missingWal.map((p) => p.message).join()).to.contain('a missing-wal drill proves the damage is caught: add expect: detected');
    const loss = problemsOf(`name: t
objectives: { rto: 2m, rpo: 5s }
incident: { kind: primary-loss }
recovery: { target: xid }
`);
    expect(loss[0]?.path).to.equal('recovery.target');
    expect(loss[0]?.message).to.contain('use target latest');
  });

  it('accepts every incident kind and target kind shipped in drills/', () => {
    const drill = loadDrill(path.join(ROOT, 'drills/time-target.yaml'));
    expect(drill.recovery).to.include({ target: 'time', marker: 5, inclusive: true });
    expect(drill.lines['recovery.target']).to.be.a('number');
  });

  it('says which required keys are missing', () => {
    const problems = problemsOf('name: t\n');
    expect(problems.map((p) => p.path)).to.have.members(['objectives', 'incident']);
    expect(problems.every((p) => p.message.startsWith('is required'))).to.equal(true);
  });

  it('reports YAML syntax errors with a line', () => {
    const problems = problemsOf('name: t\nobjectives: { rto: 2m\n  rpo 5s\n');
    expect(problems[0]?.message).to.match(/^YAML syntax/);
    expect(problems[0]?.line).to.be.a('number');
  });

  it('throws one DrillConfigError for several files, and refuses duplicate names', () => {
    const a = writeDrill(VALID);
    const b = writeDrill(VALID.replace('rto: 2m', 'rto: soon'));
    expect(() => loadDrills([a, b])).to.throw(DrillConfigError, /rto: "soon" is not a duration/);
    expect(() => loadDrills([a, writeDrill(VALID)])).to.throw(DrillConfigError, /also used by/);
  });

  it('says when the file does not exist', () => {
    const { problems } = inspectDrill('drills/nope.yaml');
    expect(problems[0]?.message).to.equal('drill file not found');
  });
});
