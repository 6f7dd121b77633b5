import { expect } from 'chai';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadDrills } from '../drill/loader.js';
import { tempDir } from '../test-support/temp-dirs.js';
import { containerInputs } from './container-inputs.js';

describe('what a drill takes into its container (docker provider)', () => {
  const dir = tempDir('inputs-');
  const drill = (name: string, body: string) => {
    const file = path.join(dir, `${name}.yaml`);
    writeFileSync(file, `name: ${name}\nobjectives: { rto: 5m, rpo: 5s }\n${body}`);
    return loadDrills([file])[0] as Parameters<typeof containerInputs>[0];
  };
  writeFileSync(path.join(dir, 'shop.sql'), 'create table t (id int);\n');

  it('a drill of its own: its file and fixtures copied, nothing mounted, no network needed', () => {
    const i = containerInputs(drill('own', 'workload: { fixtures: [shop.sql] }\nincident: { kind: drop-table, table: t }\n'), {});
    expect(i.files).to.deep.equal([path.join(dir, 'own.yaml'), path.join(dir, 'shop.sql')]);
    expect(i.readOnly).to.deep.equal([]);
    expect(i.reach).to.equal('none');
  });

  it('forwards the variables the tools read and nothing else (no webhook, signing key, token or database password)', () => {
    const env = { AWS_SECRET_ACCESS_KEY: 's', PGBACKREST_REPO1_CIPHER_PASS: 'c', PGDRILL_PROGRESS_SECONDS: '2', SLACK_WEBHOOK_URL: 'https://hooks/x', PGDRILL_SIGNING_KEY: '/k', GITHUB_TOKEN: 'g', PGPASSWORD: 'p', HOME: '/root', PATH: '/usr/bin' };
    const i = containerInputs(drill('env', 'incident: { kind: drop-table, table: t }\n'), env);
    expect(i.env).to.deep.equal({ AWS_SECRET_ACCESS_KEY: 's', PGBACKREST_REPO1_CIPHER_PASS: 'c', PGDRILL_PROGRESS_SECONDS: '2' });
  });

  it('an object store on this machine\'s loopback needs the host network; one elsewhere, a network with outbound access', () => {
    const repo = (endpoint: string) => `backup: { method: pgbackrest, repo: { type: s3, bucket: drills, endpoint: "${endpoint}" } }\nincident: { kind: drop-table, table: t }\n`;
    expect(containerInputs(drill('loop', repo('https://127.0.0.1:9000')), {}).reach).to.equal('loopback');
    expect(containerInputs(drill('far', repo('https://s3.eu-west-1.amazonaws.com')), {}).reach).to.equal('remote');
  });

  it('an existing backup: its folders mounted read-only, its owner taken for the servers', () => {
    const backup = path.join(dir, 'base');
    const archive = path.join(dir, 'wal');
    mkdirSync(backup);
    mkdirSync(archive);
    writeFileSync(path.join(backup, 'PG_VERSION'), '15\n');
    const i = containerInputs(drill('src', `source:\n  basebackup: { path: base, walArchive: wal }\n`), { PGDRILL_CACHE_DIR: path.join(dir, 'no-cache') });
    expect(i.readOnly).to.deep.equal([backup, archive]);
    expect(i.files).to.deep.equal([path.join(dir, 'src.yaml')]);
    expect(i.reach).to.equal('none');
  });

  it('a pgBackRest source: its posix repositories mounted, its object stores (stanza section over [global]) decide the network', () => {
    const repo = path.join(dir, 'pgbr-repo');
    mkdirSync(repo);
    const conf = path.join(dir, 'pgbackrest.conf');
    const write = (stanzaLines: string) =>
      writeFileSync(conf, `[global]\nrepo1-path=${repo}\nrepo2-type=s3\nrepo2-s3-endpoint=s3.eu-west-1.amazonaws.com\n\n[main]\npg1-path=/var/lib/postgresql/15/main\n${stanzaLines}`);
    const source = () => drill('pgbr', `source:\n  pgbackrest: { config: pgbackrest.conf, stanza: main }\n`);
    write('repo2-s3-endpoint=127.0.0.1\n');
    const near = containerInputs(source(), { PGDRILL_CACHE_DIR: path.join(dir, 'no-cache') });
    expect(near.readOnly).to.deep.equal([conf, repo]);
    expect(near.reach).to.equal('loopback');
    write('');
    expect(containerInputs(source(), {}).reach).to.equal('remote');
    // A GCS repository with no endpoint set reaches Google's.
    writeFileSync(conf, `[global]\nrepo1-type=gcs\nrepo1-gcs-bucket=b\n\n[main]\npg1-path=/x\n`);
    expect(containerInputs(source(), {}).reach).to.equal('remote');
  });
});
