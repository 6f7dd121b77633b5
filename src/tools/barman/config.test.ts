import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DrillConfigError } from '../../errors.js';
import { barmanServerFolders, drillBarmanConfig } from './config.js';

describe('the Barman configuration a drill runs with', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'barman-conf-'));
    mkdirSync(path.join(dir, 'barman.d'));
    writeFileSync(
      path.join(dir, 'barman.conf'),
      ['[barman]', 'barman_home = /var/lib/barman', 'barman_user = barman', 'log_file = /var/log/barman/barman.log', `configuration_files_directory = ${dir}/barman.d`, 'compression = gzip', 'post_backup_script = /usr/local/bin/notify', ''].join('\n'),
    );
    writeFileSync(
      path.join(dir, 'barman.d', 'pg.conf'),
      ['[pg-prod]', 'conninfo = host=db1 user=barman', 'streaming_archiver = on', 'incoming_wals_directory = /var/lib/barman/pg-prod/incoming', 'recovery_staging_path = /srv/barman-staging', 'pre_recovery_script = /usr/local/bin/page-oncall', '  --with-a-continuation', 'backup_method = postgres', ''].join('\n'),
    );
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps the user\'s settings, finds the server in barman.d, and points every write and hook away', () => {
    const c = drillBarmanConfig(path.join(dir, 'barman.conf'), 'pg-prod', { dir: '/work/barman', user: 'postgres' });
    expect(c.barmanHome).to.equal('/var/lib/barman');
    expect(c.files).to.deep.equal([path.join(dir, 'barman.conf'), path.join(dir, 'barman.d', 'pg.conf')]);
    const lines = c.text.split('\n');
    expect(lines).to.include.members(['barman_home = /var/lib/barman', 'compression = gzip', 'conninfo = host=db1 user=barman', 'backup_method = postgres']);
    expect(lines).to.include.members(['barman_user = postgres', 'log_file = /work/barman/barman.log', 'barman_lock_directory = /work/barman/lock', 'incoming_wals_directory = /work/barman/incoming', 'streaming_wals_directory = /work/barman/streaming', 'errors_directory = /work/barman/errors', 'recovery_staging_path = /work/barman/staging']);
    expect(c.text).not.to.contain('/var/log/barman').and.not.contain('notify').and.not.contain('page-oncall').and.not.contain('continuation').and.not.contain('configuration_files_directory');
    expect(c.text).not.to.contain('/var/lib/barman/pg-prod/incoming').and.not.contain('/srv/barman-staging');
  });

  it('names the servers it knows when the one asked for is missing', () => {
    writeFileSync(path.join(dir, 'barman.conf'), '[barman]\nbarman_home = /b\n\n[main]\nconninfo = x\n');
    expect(() => drillBarmanConfig(path.join(dir, 'barman.conf'), 'nope', { dir: '/w', user: 'u' }))
      .to.throw(DrillConfigError)
      .with.property('message')
      .that.contains('no server [nope]');
  });

  it('knows a server\'s base and WAL folders before barman runs: the defaults under barman_home, and the user\'s own with %(key)s references', () => {
    expect(barmanServerFolders(path.join(dir, 'barman.conf'), 'pg-prod')).to.deep.equal({ baseDir: '/var/lib/barman/pg-prod/base', walsDir: '/var/lib/barman/pg-prod/wals' });
    writeFileSync(path.join(dir, 'barman.conf'), '[barman]\nbarman_home = /srv/b\n\n[main]\nbackup_directory = %(barman_home)s/clusters/%(name)s\nwals_directory = /fast/%(name)s-wal\n');
    expect(barmanServerFolders(path.join(dir, 'barman.conf'), 'main')).to.deep.equal({ baseDir: '/srv/b/clusters/main/base', walsDir: '/fast/main-wal' });
    expect(barmanServerFolders(path.join(dir, 'barman.conf'), 'nope')).to.equal(undefined);
  });
});
