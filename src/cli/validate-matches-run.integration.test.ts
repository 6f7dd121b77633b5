// `pgdrill validate` and `pgdrill run` on the same battery of bad drill files: both refuse every one with exit 2,
// nothing starts, and they name the same problems (file, line, key, message) in the same words.
import { expect } from 'chai';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli, testFolders, workFoldersLeft } from '../test-support/cli.js';

const OBJ = 'objectives: { rto: 2m, rpo: 5s }';
const INCIDENT = 'incident: { kind: drop-table, table: orders }';

/** Each case: the drill files of one invocation (name -> text). */
const BATTERY: Record<string, Record<string, string>> = {
  'YAML syntax': { 'a.yaml': `name: a\n${OBJ}\n${INCIDENT}\nverify: [\n` },
  'unknown key': { 'a.yaml': `name: a\n${OBJ}\n${INCIDENT}\nrecovery: { target: latest, tagret: x }\n` },
  'a duration that is not one': { 'a.yaml': `name: a\nobjectives: { rto: "7 minutes", rpo: 5s }\n${INCIDENT}\n` },
  'a fixture that is not there': { 'a.yaml': `name: a\n${OBJ}\nworkload: { fixtures: [missing.sql] }\n${INCIDENT}\n` },
  'a setting pgdrill owns': { 'a.yaml': `name: a\n${OBJ}\npostgres: { settings: { archive_command: 'true' } }\n${INCIDENT}\n` },
  'detected without a detectable incident': { 'a.yaml': `name: a\n${OBJ}\n${INCIDENT}\nexpect: detected\n` },
  'two names, one folder': { 'a.yaml': `name: nightly drop\n${OBJ}\n${INCIDENT}\n`, 'b.yaml': `name: nightly-drop\n${OBJ}\n${INCIDENT}\n` },
  'the same name twice': { 'a.yaml': `name: same\n${OBJ}\n${INCIDENT}\n`, 'b.yaml': `name: same\n${OBJ}\n${INCIDENT}\n` },
  'two sources': { 'a.yaml': `name: a\n${OBJ}\nsource:\n  dump: { path: . }\n  basebackup: { path: . }\n` },
  'a source path that is not there': { 'a.yaml': `name: a\n${OBJ}\nsource:\n  basebackup: { path: ./nowhere }\n` },
  'compare: pre-incident without an incident': { 'a.yaml': `name: a\n${OBJ}\nsource:\n  dump: { path: . }\nverify:\n  - sql: select 1\n    compare: pre-incident\n` },
  'a time target of an existing backup without at': { 'a.yaml': `name: a\n${OBJ}\nsource:\n  basebackup: { path: ., walArchive: . }\nrecovery: { target: time }\n` },
  'a conninfo in the file': { 'a.yaml': `name: a\n${OBJ}\nsource:\n  basebackup: { path: ., walArchive: . }\n  live: { conninfo: "postgresql://u:secret@db/x" }\n` },
  'one good file beside a bad one': { 'good.yaml': `name: good\n${OBJ}\n${INCIDENT}\n`, 'bad.yaml': `name: bad\n${OBJ}\nincident: { kind: drop-tabel }\n` },
};

describe('validate refuses exactly what run refuses (the same checks, one loader)', function () {
  this.timeout(120_000);
  const { work } = testFolders();

  for (const [name, files] of Object.entries(BATTERY)) {
    it(name, async () => {
      const dir = path.join(work, name.replace(/[^a-z0-9]+/gi, '-'));
      mkdirSync(dir, { recursive: true });
      const paths = Object.entries(files).map(([file, text]) => {
        writeFileSync(path.join(dir, file), text);
        return path.join(dir, file);
      });
      const validate = await runCli(['validate', ...paths]);
      const run = await runCli(['run', ...paths, '--out', path.join(dir, 'out')], { env: { PGDRILL_WORK_DIR: work } });
      expect(validate.code, validate.stderr).to.equal(2);
      expect(run.code, run.stderr).to.equal(2);
      // The same problems: every line validate prints is in what run prints.
      const problems = validate.stderr.trim().split('\n');
      expect(problems.length).to.be.greaterThan(0);
      for (const line of problems) expect(run.stderr, line).to.contain(line);
      expect(workFoldersLeft(work)).to.deep.equal([]);
    });
  }

  it('a valid file passes validate', async () => {
    const file = path.join(work, 'valid.yaml');
    writeFileSync(file, `name: valid\n${OBJ}\n${INCIDENT}\nworkload: { fixtures: [${path.resolve('fixtures/shop.sql')}] }\n`);
    const validate = await runCli(['validate', file]);
    expect(validate.code, validate.stderr).to.equal(0);
    expect(validate.stderr).to.contain('1 drill file(s) valid');
  });
});
