import { expect } from 'chai';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { inspectDrill } from '../drill/loader.js';
import { UsageError } from '../errors.js';
import { tempDir } from '../test-support/temp-dirs.js';
import { PGDRILL_VERSION } from '../version.js';
import { initProject } from './init.js';

describe('pgdrill init', () => {
  it('writes a valid starter drill, its fixture and a weekly workflow', () => {
    const dir = tempDir('drilltest-init-');
    const written = initProject(dir, { force: false });
    expect(written.map((f) => path.relative(dir, f))).to.deep.equal(['drills/starter.yaml', 'fixtures/starter.sql', '.github/workflows/pgdrill-weekly.yml']);
    expect(inspectDrill(path.join(dir, 'drills/starter.yaml')).problems).to.deep.equal([]);
    const workflow = readFileSync(path.join(dir, '.github/workflows/pgdrill-weekly.yml'), 'utf8');
    expect(workflow).to.contain('schedule:').and.contain(`pgdrill@${PGDRILL_VERSION} run drills/*.yaml`).and.contain('secrets.SLACK_WEBHOOK_URL');
  });

  it('refuses to overwrite without --force, and overwrites with it', () => {
    const dir = tempDir('drilltest-init-');
    initProject(dir, { force: false });
    const drill = path.join(dir, 'drills/starter.yaml');
    writeFileSync(drill, 'mine');
    expect(() => initProject(dir, { force: false })).to.throw(UsageError, /would overwrite .*starter\.yaml/);
    expect(readFileSync(drill, 'utf8')).to.equal('mine');
    initProject(dir, { force: true });
    expect(readFileSync(drill, 'utf8')).to.contain('name: starter-drop-table');
    expect(existsSync(path.join(dir, 'fixtures/starter.sql'))).to.equal(true);
  });
});
