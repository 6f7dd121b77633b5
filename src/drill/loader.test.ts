import { expect } from 'chai';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { DrillConfigError, formatProblem } from '../errors.js';
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

  describe('objectives from a policy file (objectives: { from })', () => {
    const withPolicy = (policy: string, objectives = '{ from: policy/tier1.yaml }') => {
      const file = writeDrill(VALID.replace('objectives: { rto: 2m, rpo: 5s }', `objectives: ${objectives}`));
      mkdirSync(path.join(path.dirname(file), 'policy'), { recursive: true });
      writeFileSync(path.join(path.dirname(file), 'policy', 'tier1.yaml'), policy);
      return inspectDrill(file);
    };
    it('takes rto, rpo, maxBackupAge and validateEvery from the named policy, with its name, owner and hash', () => {
      const text = 'name: tier1\nowner: dba-team\nrto: 7m\nrpo: 5m\nvalidateEvery: 7d\n';
      const { drill, problems } = withPolicy(text);
      expect(problems).to.deep.equal([]);
      expect(drill?.objectives).to.deep.equal({ rto: 420_000, rpo: 300_000, validateEvery: 7 * 86_400_000 });
      expect(drill?.policy).to.deep.include({ name: 'tier1', owner: 'dba-team', text, sha256: createHash('sha256').update(text).digest('hex') });
    });
    it('names the policy file and line of a bad value or an unknown key; refuses objectives next to from; a missing file', () => {
      const bad = withPolicy('name: tier1\nrto: 7 minutes\nrpo: 5m\nretention: 30d\n').problems.map(formatProblem);
      expect(bad.some((p) => /tier1\.yaml:2: rto: "7 minutes" is not a duration/.test(p)), bad.join('\n')).to.equal(true);
      expect(bad.some((p) => /tier1\.yaml:4: retention: unknown key "retention"/.test(p)), bad.join('\n')).to.equal(true);
      const mixed = withPolicy('name: tier1\nrto: 7m\nrpo: 5m\n', '{ from: policy/tier1.yaml, rto: 1m }').problems.map(formatProblem);
      expect(mixed.join('\n')).to.match(/:2: objectives: rto next to from: the policy's objectives are used as written/);
      const missing = withPolicy('name: x\nrto: 1m\nrpo: 1m\n', '{ from: policy/nope.yaml }').problems.map(formatProblem);
      expect(missing.join('\n')).to.match(/:2: objectives.from: policy file policy\/nope.yaml not found/);
    });
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

  describe('combinations that cannot run are refused before anything starts', () => {
    const base = (extra: string) => `name: t
objectives: { rto: 2m, rpo: 5s }
workload:
  fixtures: [$FIXTURES/shop.sql]
${extra}`;
    const text = (yaml: string) =>
      problemsOf(yaml)
        .map((p) => `${p.line} ${p.path}: ${p.message}`)
        .join('\n');

    it('an RTO objective of zero', () => {
      expect(text(base('incident: { kind: drop-table, table: orders }\n').replace('rto: 2m', 'rto: 0s'))).to.contain('2 objectives.rto: must be more than 0');
    });

    it('missing-wal with a method whose archive it cannot reach, and expect: detected where no check looks', () => {
      const t = text(base('backup: { method: barman }\nincident: { kind: missing-wal }\nexpect: detected\n'));
      expect(t).to.contain('backup.method: incident missing-wal cannot damage a barman backup (it works with pg_basebackup, pgbackrest, barman-cloud)');
      expect(text(base('backup: { method: pg_dump }\nincident: { kind: missing-wal }\nexpect: detected\n'))).to.contain('incident missing-wal cannot damage a pg_dump backup');
      expect(text(base('backup: { method: barman }\nincident: { kind: corrupt-backup }\nexpect: detected\n'))).to.contain('incident corrupt-backup cannot damage a barman backup');
      expect(text(base('incident: { kind: drop-table, table: orders }\nexpect: detected\n'))).to.contain('expect: detected applies to incidents that a check is meant to find (missing-wal, corrupt-backup)');
    });

    it('an explicit point-in-time target for a method without WAL; no target means the dump itself', () => {
      expect(text(base('backup: { method: pg_dump }\nincident: { kind: drop-table, table: orders }\nrecovery: { target: before-incident }\n'))).to.contain(
        'recovery.target: backup method pg_dump keeps no WAL, so it cannot recover to a point in time (before-incident)',
      );
      expect(loadDrill(writeDrill(base('backup: { method: pg_dump }\nincident: { kind: drop-table, table: orders }\n'))).recovery.target).to.equal('immediate');
      expect(loadDrill(writeDrill(base('incident: { kind: drop-table, table: orders }\n'))).recovery.target).to.equal('before-incident');
    });

    it('a command-line --provider is validated like the file and kept on the drill (the docker provider hands it to the run inside)', () => {
      const file = writeDrill(base('backup: { method: pgbackrest }\nincident: { kind: drop-table, table: orders }\n'));
      const overrides = { provider: 'docker' as const, by: '--provider docker on the command line' };
      const { drill, problems } = inspectDrill(file, overrides);
      expect(problems).to.deep.equal([]);
      expect(drill?.provider).to.equal('docker');
      expect(drill?.overrides).to.deep.equal(overrides);
      expect(inspectDrill(file).drill?.overrides).to.equal(undefined);
      const [p] = inspectDrill(file, { provider: 'docker', backup: 'oldest', by: '--provider docker --backup oldest on the command line' }).problems;
      expect(p?.message).to.contain('--provider docker --backup oldest on the command line: --backup chooses among the backups of a pgBackRest stanza');
    });

    it('two drills whose names map to one folder', () => {
      const a = writeDrill(base('incident: { kind: drop-table, table: orders }\n').replace('name: t', 'name: nightly drop'));
      const b = writeDrill(base('incident: { kind: drop-table, table: orders }\n').replace('name: t', 'name: nightly-drop'));
      expect(() => loadDrills([a, b])).to.throw(DrillConfigError, 'drill name "nightly-drop" and "nightly drop"').with.property('message').that.contains('both write to the folder nightly-drop');
    });

    it('settings pgdrill pins, a fixture that is a folder, and values named in messages', () => {
      const t = text(
        base('postgres: { settings: { lc_messages: de_DE.UTF-8, synchronous_standby_names: "*" } }\nincident: { kind: drop-table, table: orders }\nprovider: kubernetes\n').replace(
          '$FIXTURES/shop.sql',
          '$FIXTURES',
        ),
      );
      expect(t).to.contain('postgres.settings.lc_messages: lc_messages is managed by pgdrill');
      expect(t).to.contain('postgres.settings.synchronous_standby_names: synchronous_standby_names is managed by pgdrill');
      expect(t).to.match(/workload.fixtures\[0\]: fixture .* is a folder, not a SQL file/);
      expect(t).to.contain('provider: "kubernetes" is not a provider; use one of: auto, local, docker');
    });
  });

  it('accepts table names as SQL writes them and refuses what is not one', () => {
    const ok = (table: string) => problemsOf(`name: t\nobjectives: { rto: 2m, rpo: 5s }\nincident: { kind: drop-table, table: orders }\nverify:\n  - table: '${table}'\n`);
    for (const t of ['orders', 'Orders', 'sales.orders', 'public."Audit Trail"', '"User"', '"we""ird"', '"Sales"."Order Lines"']) expect(ok(t), t).to.deep.equal([]);
    for (const t of ['bad name', 'orders;drop', '"unclosed', 'a..b', '1abc', 'db.s.t']) {
      expect(ok(t).map((p) => p.message).join(), t).to.contain('is not a table name');
    }
  });
});
