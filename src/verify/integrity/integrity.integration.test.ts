// The integrity pass on a real instance with real damage, and in real drills of a base-backup folder: a clean
// database passes everything (the page read meets every compressed value and timestamp the server counts); an
// index made inconsistent with its table, a TOAST chunk removed, compressed values that no longer decompress and
// timestamps no server can store (their page checksums rewritten, so only decoding finds them) and a heap page
// flipped are each found and named (database, relation, block, the tool's message); a page flipped in a table
// quick does not scan fails the quick drill on pg_checksums; a backup 70% smaller than the previous runs fails
// the size sanity check.
import { expect } from 'chai';
import { closeSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { IntegritySpec } from '../../drill/integrity-schema.js';
import { LocalProvider } from '../../providers/local/local-provider.js';
import type { PostgresInstance } from '../../providers/provider.js';
import { readHistory } from '../../report/history.js';
import { postgresProcessesUnder, runCli, workFoldersLeft } from '../../test-support/cli.js';
import { hashes } from '../../test-support/file-hashes.js';
import { own, sh } from '../../test-support/host.js';
import { testBench, type TestBench } from '../../test-support/instances.js';
import { flipBytes } from '../../tools/common/flip-bytes.js';
import { checkIntegrity, type IntegrityPass } from './integrity.js';
import { PAGES_CHECK } from './check-names.js';
import { scanStoppedCopy, type PageScanOutcome } from './page-scan.js';

/** The server must be stopped, or a cached page would be written back over the damage. */
const flip = (file: string, offset: number) => flipBytes(file, offset, 16);

describe('integrity: every page, index and row of a restored copy (real PostgreSQL 15, real damage)', function () {
  this.timeout(240_000);
  let bench: TestBench;
  let pg: PostgresInstance;
  let shop: (sql: string) => Promise<Array<Record<string, unknown>>>;
  const signal = new AbortController().signal;
  // blockProof: pg_checksums will check every block after the stop, as in a drill (false: these binaries lack it).
  const check = (level: 'quick' | 'full', jobs = 2, blockProof = true): Promise<IntegrityPass> =>
    checkIntegrity(pg, { integrity: level, jobs, inRto: false } as IntegritySpec & { integrity: typeof level }, { signal, protectedTables: ['shop: heap_t'], pgChecksums: blockProof });
  // quick's page read of the tables it left to it, over the stopped copy, as stage-integrity.ts runs it beside pg_checksums.
  const readPages = async (quick: IntegrityPass): Promise<PageScanOutcome> => {
    let read: PageScanOutcome | undefined;
    await pg.restart(async () => {
      read = await scanStoppedCopy(quick.pageScan ?? [], pg.dataDir);
    });
    return read as PageScanOutcome;
  };
  const heapFile = () => shop(`select pg_relation_filepath('heap_t') as f`).then((r) => path.join(pg.dataDir, String(r[0]?.['f'])));
  const out = () => path.join(bench.work, 'reports');

  function basebackup(dir: string): void {
    own(path.dirname(dir));
    sh(new LocalProvider().tool('pg_basebackup'), ['-D', dir, '-Fp', '-X', 'stream', '-c', 'fast', '-d', `host=127.0.0.1 port=${pg.port} user=${pg.connection.user}`], { env: { ...process.env, PGPASSWORD: String(pg.connection.password) } });
  }

  async function drill(name: string, backupDir: string, verify: string, objectives = '{ rto: 5m, rpo: 1d }'): Promise<{ code: number | null; stderr: string }> {
    const file = path.join(bench.work, `${name}.yaml`);
    writeFileSync(file, `name: ${name}\nobjectives: ${objectives}\nsource:\n  basebackup: { path: ${backupDir} }\nverify:\n${verify}`);
    const run = await runCli(['run', file, '--out', out()], { env: { PGDRILL_WORK_DIR: bench.work } });
    expect(postgresProcessesUnder(bench.work).filter((p) => !p.includes(pg.dataDir)), 'sandbox left running').to.deep.equal([]);
    expect(workFoldersLeft(bench.work).filter((f) => f !== 'pgdrill-bench'), 'work folder left').to.deep.equal([]);
    return run;
  }
  const newest = () => readHistory(out()).entries[0]!.result;

  before(async () => {
    bench = testBench();
    pg = await new LocalProvider().initPrimary(bench.ctx, { name: 'integrity', settings: {}, deadlineMs: 60_000, password: bench.password });
    await pg.query('create database shop');
    shop = async (sql) => {
      const c = await pg.connect('shop');
      try {
        return (await c.query(sql)).rows as Array<Record<string, unknown>>;
      } finally {
        await c.end();
      }
    };
    // heap_t, big_t and range_t hold a numeric (only the server can say whether one prints): quick reads them
    // through the server, in block ranges. page_t, comp_t and narrow_t hold only byte strings and timestamps:
    // quick leaves them to the page read after the stop.
    await shop(`create table heap_t (id int primary key, v text, amount numeric default 1);
                insert into heap_t select g, 'row ' || g from generate_series(1, 5000) g;
                create table toast_t (id int primary key, doc text);
                alter table toast_t alter column doc set storage external;
                insert into toast_t select g, repeat(md5(g::text), 200) from generate_series(1, 20) g;
                create function twin(int) returns int immutable language sql as 'select $1';
                create table idx_t (id int);
                insert into idx_t select g from generate_series(1, 2000) g;
                create index idx_t_twin on idx_t (twin(id));
                create table big_t (id int, filler text, n numeric);
                insert into big_t select g, repeat('x', 1000), g from generate_series(1, 100000) g;
                create table fixed_t (id int, amount bigint, booked date, ok bool, code varchar(5));
                insert into fixed_t select g, g * 100, date '2026-01-01' + g % 365, g % 2 = 0, 'c' || g from generate_series(1, 3000) g;
                create table comp_t (id int, doc text);
                alter table comp_t alter column doc set compression pglz;
                insert into comp_t select g, 'HEAD' || lpad(g::text, 4, '0') || repeat('abc', 3000) from generate_series(1, 10) g;
                -- A value compressed in a wide row keeps its compressed form when copied into a narrow table.
                create table wide_src (v varchar(100), w text, f bytea);
                alter table wide_src alter column f set storage main, alter column v set compression pglz, alter column w set compression pglz;
                insert into wide_src select 'TAIL0007' || repeat('abc', 30), repeat('c', 100), decode(string_agg(md5(i::text), ''), 'hex') from generate_series(1, 120) i;
                create table narrow_t (id int, v varchar(100));
                insert into narrow_t select 1, v from wide_src;
                drop table wide_src;
                -- Every shape the page read must walk: lz4 and pglz values, 1- and 4-byte headers, nulls, infinities,
                -- a dropped numeric still on the pages, a column added after the first rows (shorter tuples).
                create table page_t (id int, note text compression lz4, at timestamptz, gone numeric, code varchar(5));
                insert into page_t select g,
                    case g % 3 when 0 then repeat('lz' || g, 1000) when 1 then 'short ' || g end,
                    case when g % 5 = 0 then null when g = 7 then 'infinity' when g = 8 then '-infinity'
                         else timestamptz '2026-12-03 08:00:00+00' + g * interval '1 minute' end,
                    g, 'c' || (g % 100) from generate_series(1, 600) g;
                alter table page_t drop column gone;
                alter table page_t add column later text;
                insert into page_t (id, note, code, later) select g, repeat(md5(g::text), 40), 'x', repeat('p', 3000) from generate_series(601, 650) g`);
    // Analyzed: the planner knows fixed_t's rows, so quick needs no scan of it (nothing in it can fail to decode).
    await shop('vacuum analyze fixed_t');
    await shop('checkpoint');
  });
  after(async () => {
    await pg?.stop();
    bench?.dispose();
  });

  it('a clean database passes quick and full: quick scans only what checksums cannot prove, full reads and checks everything, row counts kept', async () => {
    const quick = await check('quick');
    expect(quick.checks.map((c) => [c.name, c.status])).to.deep.equal([['integrity: TOAST chunks and every value that can fail to decode', 'passed']]);
    expect(quick.blockProof).to.equal(true);
    // fixed_t (integers, a date, a bool, a varchar(5)): nothing in it can fail to decode, so no scan; the
    // planner's count, marked as such. toast_t's TOAST holds data: verify_heapam follows its chunks.
    expect(quick.rowCounts.find((r) => r.table === 'fixed_t')).to.deep.include({ rows: 3000, estimated: true });
    expect(quick.rowCounts.find((r) => r.table === 'toast_t')).to.deep.include({ rows: 20 });
    expect(quick.rowCounts.find((r) => r.table === 'toast_t')?.estimated).to.equal(undefined);
    expect(quick.heapsChecked).to.be.within(1, quick.tablesRead - 1);
    expect(quick.checks[0]?.detail).to.match(/\d+ scanned for the \d+ column\(s\) whose values can fail to decode, \d+ checked with their TOAST \(verify_heapam\), 0 read end to end; [1-9]\d* left to the page read after the stop \(\d+ column\(s\) of compressed byte strings or timestamps\); [1-9]\d* proven by their page checksums alone/);
    // The page read, over the stopped copy: nothing damaged, and it met every compressed value and every
    // timestamp the server counts in those tables (catalogs included), no more, no less.
    const paged = quick.pageScan ?? [];
    expect(paged.filter((t) => t.relation.database === 'shop').map((t) => t.relation.name)).to.include.members(['page_t', 'comp_t', 'narrow_t']);
    expect(paged.map((t) => t.relation.name)).to.not.include.members(['heap_t', 'big_t', 'toast_t', 'fixed_t']);
    const expected = { compressed: 0, timestamps: 0 };
    for (const t of paged) {
      const counts = t.columns.filter((c) => c.check !== 'none').map((c) => {
        const col = `"${c.name.replace(/"/g, '""')}"`;
        return c.check === 'value' ? `count(*) filter (where pg_column_compression(${col}) is not null)` : `count(${col})`;
      });
      const kinds = t.columns.filter((c) => c.check !== 'none').map((c) => c.check);
      const client = await pg.connect(t.relation.database);
      try {
        const { rows } = await client.query(`select ${counts.map((c, i) => `${c} as c${i}`).join(', ')} from only ${t.relation.name}`);
        kinds.forEach((k, i) => (expected[k === 'value' ? 'compressed' : 'timestamps'] += Number(rows[0]?.[`c${i}`])));
      } finally {
        await client.end();
      }
    }
    const [made] = await shop(`select count(*) filter (where pg_column_compression(note) = 'lz4') as lz4, count(*) filter (where pg_column_compression(later) = 'pglz') as pglz, count(at) as at from page_t`);
    expect([made?.['lz4'], made?.['pglz'], made?.['at']].map(Number), 'page_t as built: 200 lz4 notes, 50 pglz, 480 timestamps').to.deep.equal([200, 50, 480]);
    const pages = await readPages(quick);
    expect(pages.findings).to.deep.equal([]);
    expect(pages.tally.compressed).to.equal(expected.compressed);
    expect(pages.tally.timestamps).to.equal(expected.timestamps);
    expect(expected.compressed, 'page_t, comp_t and the one row of narrow_t').to.be.at.least(200 + 50 + 10 + 1);
    // Without a block proof every table is checked tuple by tuple instead, and the report says so.
    const unproven = await check('quick', 2, false);
    expect(unproven.heapsChecked).to.equal(unproven.tablesRead);
    expect(unproven.notes.join(' ')).to.match(/no block was proven by a checksum/);
    expect(unproven.findings).to.deep.equal([]);
    expect(quick.databases).to.include.members(['postgres', 'shop', 'template1']);
    expect(quick.findings).to.deep.equal([]);
    // Catalogs included: far more tables than the four of the fixture.
    expect(quick.tablesRead).to.be.greaterThan(4 * 3);
    expect(quick.rowCounts[0]).to.deep.include({ database: 'shop', table: 'heap_t', rows: 5000 });
    expect(quick.rowCounts.map((r) => r.table)).to.include.members(['big_t', 'toast_t', 'idx_t']);
    // idx_t was never analyzed (no estimate): counted. big_t (a text column, over 64 MiB) is scanned in two
    // block ranges by two connections: every row counted once.
    expect(quick.rowCounts.find((r) => r.table === 'idx_t')).to.deep.include({ rows: 2000 });
    expect(quick.rowCounts.find((r) => r.table === 'big_t')?.rows).to.equal(100_000);
    expect(quick.bytesRead).to.be.greaterThan(100_000 * 1000);
    const full = await check('full');
    expect(full.checks.map((c) => [c.name, c.status])).to.deep.equal([
      ['integrity: every table read end to end', 'passed'],
      ['integrity: amcheck on every B-tree index (heapallindexed)', 'passed'],
      ['integrity: verify_heapam on every table', 'passed'],
    ]);
    // quick read only the tables it scanned or checked (fixed_t was left to pg_checksums); full read them all.
    expect(quick.bytesRead).to.be.lessThan(full.bytesRead);
    expect(full.indexesChecked).to.be.greaterThan(3);
    expect(full.heapsChecked).to.equal(full.tablesRead);
    expect(full.checks.every((c) => (c.seconds ?? -1) >= 0)).to.equal(true);
  });

  it('a base-backup folder drilled three times: the third, 70% smaller than the first two, fails the size sanity check with the numbers', async () => {
    const big = path.join(bench.work, 'backups', 'big');
    basebackup(big);
    for (const n of [1, 2]) {
      const run = await drill('nightly', big, '  - integrity: quick\n');
      expect(run.code, run.stderr).to.equal(0);
      const r = newest();
      expect(r.status, r.diagnosis).to.equal('passed');
      expect(r.integrity?.level).to.equal('quick');
      expect(r.integrity?.rowCounts[0]).to.deep.include({ database: 'shop', table: 'big_t', rows: 100_000 });
      expect(r.checks.filter((c) => c.name.startsWith('sanity:')).length, `run ${n}`).to.equal(n === 1 ? 0 : 2);
      // Beside pg_checksums, the page read of the tables quick left to it: page_t's 250 compressed values among them.
      const pages = r.checks.find((c) => c.name === PAGES_CHECK);
      expect(pages?.status).to.equal('passed');
      expect(Number(/(\d+) compressed value\(s\) decompress/.exec(pages?.detail ?? '')?.[1])).to.be.at.least(261);
    }
    // Outside the RTO by default: the phase is there, and not counted.
    expect(newest().phases.find((p) => p.name === 'integrity')?.inRto).to.equal(false);
    await shop('drop table big_t; checkpoint');
    const small = path.join(bench.work, 'backups', 'small');
    basebackup(small);
    const before = hashes(small);
    const run = await drill('nightly', small, '  - integrity: quick\n');
    expect(run.code).to.equal(1);
    const r = newest();
    expect(r.status).to.equal('failed');
    const sanity = r.checks.find((c) => c.name === 'sanity: backup size against earlier runs');
    expect(sanity?.status, sanity?.detail).to.equal('failed');
    expect(sanity?.detail).to.match(/MiB against a median of [\d.]+ MiB over the last 2 run\(s\): -[6-9]\d%/);
    expect(r.sanity?.backupMedian).to.be.greaterThan((r.sanity?.backupBytes ?? 0) * 2);
    expect(r.checks.find((c) => c.name === 'sanity: restored database size against earlier runs')?.status).to.equal('failed');
    // The restore itself was sound: everything else passed.
    expect(r.checks.filter((c) => c.status === 'failed').every((c) => c.name.startsWith('sanity:'))).to.equal(true);
    expect(hashes(small)).to.deep.equal(before);
  });

  it('a heap page flipped in a backup folder: the full drill fails, naming table and block (read, verify_heapam, pg_checksums) in result.json and the report', async () => {
    const small = path.join(bench.work, 'backups', 'small');
    const bad = path.join(bench.work, 'backups', 'bit-rot');
    sh('cp', ['-a', small, bad]);
    const rel = path.relative(pg.dataDir, await heapFile());
    flip(path.join(bad, rel), 2 * 8192 + 8192 - 64);
    const before = hashes(bad);
    const run = await drill('bit-rot', bad, '  - integrity: full\n    jobs: 2\n');
    expect(run.code, run.stderr).to.equal(1);
    const r = newest();
    expect(r.status).to.equal('failed');
    const found = (tool: string) => r.integrity?.findings.find((f) => f.tool === tool && f.relation === 'heap_t');
    expect(found('read')).to.deep.include({ database: 'shop', block: 2 });
    expect(found('read')?.message).to.match(/invalid page in block 2/);
    expect(found('read')?.message).to.match(/page verification failed, calculated checksum/);
    expect(found('verify_heapam')).to.deep.include({ database: 'shop', block: 2 });
    expect(found('pg_checksums')).to.deep.include({ database: 'shop', block: 2 });
    expect(r.integrity?.checksums?.ran).to.equal(true);
    expect(r.checks.find((c) => c.name === 'integrity: pg_checksums --check (server stopped)')?.status).to.equal('failed');
    expect(r.checks.find((c) => c.name === 'integrity: amcheck on every B-tree index (heapallindexed)')?.detail).to.contain('heap_t_pkey');
    expect(r.objectives.rtoMet, 'a damaged copy is not a verified recovery').to.equal(false);
    expect(r.phases.map((p) => p.name)).to.include.members(['integrity', 'checksums']);
    const html = readFileSync(path.join(out(), r.runId, 'bit-rot', 'report.html'), 'utf8');
    expect(html).to.match(/<table class="findings">[\s\S]*heap_t[\s\S]*<td class="num">2<\/td>[\s\S]*invalid page in block 2/);
    expect(hashes(bad), 'the backup folder is read only').to.deep.equal(before);
  });

  it('a page flipped in a table quick does not scan (nothing in it can fail to decode): the quick drill fails on pg_checksums, naming table and block', async () => {
    const small = path.join(bench.work, 'backups', 'small');
    const bad = path.join(bench.work, 'backups', 'bit-rot-fixed');
    sh('cp', ['-a', small, bad]);
    const [row] = await shop(`select pg_relation_filepath('fixed_t') as f`);
    flip(path.join(bad, String(row?.['f'])), 3 * 8192 + 8192 - 64);
    const before = hashes(bad);
    const run = await drill('bit-rot-fixed', bad, '  - integrity: quick\n');
    expect(run.code, run.stderr).to.equal(1);
    const r = newest();
    expect(r.status).to.equal('failed');
    expect(r.integrity?.level).to.equal('quick');
    expect(r.integrity?.findings.find((f) => f.tool === 'pg_checksums' && f.relation === 'fixed_t')).to.deep.include({ database: 'shop', block: 3 });
    expect(r.checks.find((c) => c.name === 'integrity: pg_checksums --check (server stopped)')?.status).to.equal('failed');
    expect(r.objectives.rtoMet, 'a damaged copy is not a verified recovery').to.equal(false);
    expect(hashes(bad), 'the backup folder is read only').to.deep.equal(before);
  });

  it('objectives.maxBackupAge: a backup that finished longer ago than that fails the drill, whatever the restore did', async () => {
    const small = path.join(bench.work, 'backups', 'small');
    await new Promise((r) => setTimeout(r, 1100));
    const run = await drill('stale', small, '  - integrity: off\n', '{ rto: 5m, rpo: 1d, maxBackupAge: 1s }');
    expect(run.code).to.equal(1);
    const r = newest();
    const age = r.checks.find((c) => c.name === 'newest backup age (objectives.maxBackupAge)');
    expect(age?.status).to.equal('failed');
    expect(age?.detail).to.match(/the newest backup finished [\d.]+s ago .* more than objectives.maxBackupAge 1s/);
    expect(r.checks.filter((c) => c.status === 'failed').map((c) => c.name)).to.deep.equal(['newest backup age (objectives.maxBackupAge)']);
    expect(r.integrity, 'integrity: off').to.equal(undefined);
    expect(r.phases.map((p) => p.name)).to.not.include('integrity');
  });

  it('an index made inconsistent with its table (its immutable function changed): full names the index; quick reads tables only', async () => {
    await shop(`create or replace function twin(int) returns int immutable language sql as 'select -$1'`);
    expect((await check('quick')).findings).to.deep.equal([]);
    const full = await check('full');
    const f = full.findings.find((x) => x.relation === 'idx_t_twin');
    expect(f?.tool).to.equal('amcheck');
    expect(f?.database).to.equal('shop');
    expect(f?.message).to.match(/lacks matching index tuple within index "idx_t_twin"/);
    expect(full.checks.find((c) => c.name.startsWith('integrity: amcheck'))?.status).to.equal('failed');
    await shop('reindex index idx_t_twin');
  });

  it('compressed values that no longer decompress, on pages whose checksums are right (pglz in a wide table and in a narrow one a compressed value was copied into, lz4): the page read after the stop names all three tables; pg_checksums cannot see it', async () => {
    // The damage a checksum cannot prove: the page was written with the wrong bytes. pg_checksums itself
    // rewrites the checksums after the flip (disable, damage, enable), as a page written that way would be.
    const [row] = await shop(`select pg_relation_filepath('comp_t') as f, pg_relation_filepath('narrow_t') as n, pg_relation_filepath('page_t') as p,
                                     (select pg_column_compression(doc) from comp_t limit 1) as c, (select pg_column_compression(v) from narrow_t) as nc,
                                     (select pg_column_compression(note) from page_t where id = 300) as pc`);
    expect([row?.['c'], row?.['nc'], row?.['pc']]).to.deep.equal(['pglz', 'pglz', 'lz4']);
    const checksums = new LocalProvider().tool('pg_checksums');
    await pg.restart(async () => {
      sh(checksums, ['--disable', '-D', pg.dataDir]);
      for (const [rel, marker] of [['f', 'HEAD0007'], ['n', 'TAIL0007']] as const) {
        const file = path.join(pg.dataDir, String(row?.[rel]));
        const at = readFileSync(file).indexOf(marker);
        expect(at, `the compressed value starts with its literal bytes ${marker}`).to.be.greaterThan(0);
        // pglz: a control byte, the 8 literal bytes of the marker, a control byte, "abc", then the back-reference
        // that repeats them; flipped, it points before the value's start, which pglz refuses ("compressed pglz
        // data is corrupt"). Inside the file: the value may end its page.
        flipBytes(file, at + 12, 3);
      }
      // lz4: a token, the 5 literal bytes "lz300", then the 2-byte offset of the match that repeats them; set to
      // 65535 it reaches before the value's start, which LZ4 refuses ("compressed lz4 data is corrupt").
      const file = path.join(pg.dataDir, String(row?.['p']));
      const at = readFileSync(file).indexOf('lz300');
      expect(at, 'the lz4 value starts with its literal bytes').to.be.greaterThan(0);
      const fd = openSync(file, 'r+');
      writeSync(fd, Buffer.from([0xff, 0xff]), 0, 2, at + 5);
      closeSync(fd);
      sh(checksums, ['--enable', '-D', pg.dataDir]);
      sh(checksums, ['--check', '-D', pg.dataDir]);
    });
    // The server agrees: each damaged value fails to decompress when it is read.
    const decoded = (sql: string) => shop(sql).then(() => 'decoded', (e: Error) => e.message);
    expect(await decoded('select md5(doc) from comp_t where id = 7')).to.equal('compressed pglz data is corrupt');
    expect(await decoded('select md5(note) from page_t where id = 300')).to.equal('compressed lz4 data is corrupt');
    expect(await decoded('select md5(note) from page_t where id = 303')).to.equal('decoded');
    const quick = await check('quick');
    expect(quick.findings, 'left to the page read: the server scanned none of them').to.deep.equal([]);
    const pages = await readPages(quick);
    expect(pages.findings.map((f) => [f.tool, f.database, f.relation]).sort()).to.deep.equal([['page-scan', 'shop', 'comp_t'], ['page-scan', 'shop', 'narrow_t'], ['page-scan', 'shop', 'page_t']]);
    expect(pages.findings.find((f) => f.relation === 'page_t')?.message).to.match(/^compressed lz4 data is corrupt \(tuple \(\d+,\d+\), column note\)$/);
    expect(pages.findings.filter((f) => f.relation !== 'page_t').every((f) => /^compressed pglz data is corrupt \(tuple \(\d+,\d+\), column (doc|v)\)$/.test(f.message))).to.equal(true);
    // The tid named is the damaged row's.
    const lz = pages.findings.find((f) => f.relation === 'page_t');
    const [tid] = await shop(`select ctid::text as t from page_t where id = 300`);
    expect(lz?.message).to.contain(`tuple ${String(tid?.['t'])}`);
    expect(lz?.block).to.equal(Number(/\((\d+),/.exec(String(tid?.['t']))?.[1]));
    // In a drill: a base backup of those pages restores, pg_checksums passes, the page read fails the drill.
    const undecodable = path.join(bench.work, 'backups', 'undecodable');
    basebackup(undecodable);
    const before = hashes(undecodable);
    const run = await drill('undecodable', undecodable, '  - integrity: quick\n');
    expect(run.code, run.stderr).to.equal(1);
    const r = newest();
    expect(r.checks.find((c) => c.name === 'integrity: pg_checksums --check (server stopped)')?.status).to.equal('passed');
    expect(r.checks.find((c) => c.name === PAGES_CHECK)).to.deep.include({ status: 'failed' });
    expect(r.checks.find((c) => c.name === PAGES_CHECK)?.detail).to.match(/^3 of \d+ tables damaged \(3 finding\(s\)\): shop: /);
    expect(r.integrity?.findings.filter((f) => f.tool === 'page-scan').map((f) => f.relation).sort()).to.deep.equal(['comp_t', 'narrow_t', 'page_t']);
    expect(r.objectives.rtoMet, 'a damaged copy is not a verified recovery').to.equal(false);
    expect(r.diagnosis).to.match(/integrity/);
    expect(hashes(undecodable), 'the backup folder is read only').to.deep.equal(before);
    await shop('delete from comp_t where id = 7');
    await shop('vacuum comp_t');
    await shop('truncate narrow_t');
    await shop('delete from page_t where id = 300');
    await shop('vacuum page_t');
  });

  it('timestamps PostgreSQL cannot have stored, on a page whose checksum is right: quick finds both with an integer comparison (one prints as year 294277, one does not print at all); full finds both too', async () => {
    // Two marked rows; the timestamptz after each mark (both 8-aligned) is overwritten: 2^63 - 256 microseconds
    // after 2000 (past 294276-12-31, yet not the infinity 2^63 - 1) and -2^63 + 256 (before 4714 BC, not -infinity).
    const marks = { 42: 0x1122334455667788n, 43: 0x1122334455667799n };
    await shop(`create table ts_t (id int, mark bigint, at timestamptz);
                insert into ts_t select g, case g when 42 then ${marks[42]} when 43 then ${marks[43]} else g end, timestamptz '2026-12-03 08:00:00+00' + g * interval '1 minute' from generate_series(1, 500) g;
                checkpoint`);
    const [row] = await shop(`select pg_relation_filepath('ts_t') as f`);
    const file = path.join(pg.dataDir, String(row?.['f']));
    const checksums = new LocalProvider().tool('pg_checksums');
    await pg.restart(async () => {
      sh(checksums, ['--disable', '-D', pg.dataDir]);
      const fd = openSync(file, 'r+');
      for (const [mark, micros] of [[marks[42], 2n ** 63n - 256n], [marks[43], -(2n ** 63n) + 256n]] as const) {
        const needle = Buffer.alloc(8);
        needle.writeBigInt64LE(mark);
        const at = readFileSync(file).indexOf(needle);
        expect(at, 'the marked row is in the file').to.be.greaterThan(0);
        const value = Buffer.alloc(8);
        value.writeBigInt64LE(micros);
        writeSync(fd, value, 0, 8, at + 8);
      }
      closeSync(fd);
      sh(checksums, ['--enable', '-D', pg.dataDir]);
      sh(checksums, ['--check', '-D', pg.dataDir]);
    });
    const printed = async (id: number) => shop(`select at::text from ts_t where id = ${id}`).then((r) => String(r[0]?.['at']), (e: Error) => e.message);
    expect(await printed(42)).to.match(/^294277-/);
    expect(await printed(43)).to.equal('timestamp out of range');
    const quick = await check('quick');
    expect(quick.findings, 'left to the page read').to.deep.equal([]);
    const pages = await readPages(quick);
    expect(pages.findings).to.have.length(1);
    const [first] = await shop(`select ctid::text as t from ts_t where id = 42`);
    const block = Number(/\((\d+),/.exec(String(first?.['t']))?.[1]);
    expect(pages.findings[0]).to.deep.include({ tool: 'page-scan', database: 'shop', relation: 'ts_t', block });
    expect(pages.findings[0]?.message).to.equal(`2 value(s) of column at outside the range PostgreSQL can store (4714-11-24 BC to 294276-12-31): damaged bytes (first at tuple ${String(first?.['t'])})`);
    // full prints every row: the read meets the value that does not print and stops (one finding, the error).
    const full = (await check('full')).findings.filter((f) => f.relation === 'ts_t');
    expect(full.map((f) => f.message)).to.deep.equal(['timestamp out of range']);
    await shop('delete from ts_t where id = 43');
    const fullAgain = (await check('full')).findings.filter((f) => f.relation === 'ts_t');
    expect(fullAgain.map((f) => f.message)).to.deep.equal(['1 value(s) of column at outside the range PostgreSQL can store (4714-11-24 BC to 294276-12-31): damaged bytes']);
    await shop('drop table ts_t');
  });

  it('a TOAST chunk removed: quick (verify_heapam over the tables whose TOAST holds data) names the table and the missing chunk', async () => {
    // A TOAST table cannot be changed with SQL, even by a superuser: pg_surgery kills the tuple, as lost data would.
    await shop(`create extension pg_surgery;
                do $$ declare t regclass := (select reltoastrelid::regclass from pg_class where oid = 'toast_t'::regclass);
                declare victim tid;
                begin
                  execute format('select ctid from %s where chunk_seq = 1 order by chunk_id limit 1', t) into victim;
                  perform heap_force_kill(t, array[victim]);
                end $$`);
    const quick = await check('quick');
    expect(quick.findings).to.have.length(1);
    expect(quick.findings[0]).to.deep.include({ tool: 'verify_heapam', database: 'shop', relation: 'toast_t' });
    // verify_heapam follows the value's chunks: "toast value N index scan returned chunk 2 when expecting chunk 1".
    expect(quick.findings[0]?.message).to.match(/toast value \d+ .*chunk \d+/);
    expect(quick.checks[0]?.detail).to.match(/^1 of \d+ tables damaged \(1 finding\(s\)\): shop: toast_t\b.*toast value \d+/);
    const full = await check('full');
    expect(full.findings.some((f) => f.tool === 'verify_heapam' && f.relation === 'toast_t')).to.equal(true);
  });

  it('a heap page flipped in place: quick and full both name table and block, with one connection or two', async () => {
    const file = await heapFile();
    await pg.restart(async () => flip(file, 1 * 8192 + 8192 - 64));
    for (const jobs of [1, 2]) {
      const quick = await check('quick', jobs);
      expect(quick.findings.find((f) => f.relation === 'heap_t')).to.deep.include({ tool: 'read', database: 'shop', block: 1 });
    }
    const full = await check('full');
    expect(full.findings.find((f) => f.relation === 'heap_t' && f.tool === 'verify_heapam')).to.deep.include({ block: 1 });
  });

  it('a large table with two damaged pages: read in block ranges, both are found (one connection stops at the first it meets)', async () => {
    await shop(`create table range_t as select g, repeat('y', 1000) as f, g::numeric as n from generate_series(1, 80000) g; checkpoint`);
    const [row] = await shop(`select pg_relation_filepath('range_t') as f, pg_relation_size('range_t') / 8192 as blocks`);
    expect(Number(row?.['blocks'])).to.be.greaterThan(8192);
    const file = path.join(pg.dataDir, String(row?.['f']));
    await pg.restart(async () => {
      flip(file, 100 * 8192 + 8192 - 64);
      flip(file, 9000 * 8192 + 8192 - 64);
    });
    const ranged = (await check('quick', 2)).findings.filter((f) => f.relation === 'range_t');
    expect(ranged.map((f) => f.block).sort((a, b) => (a ?? 0) - (b ?? 0))).to.deep.equal([100, 9000]);
    expect(ranged.map((f) => f.message).join('\n')).to.match(/\(blocks 0-8191\)/);
    // One connection reads the table in one query (PostgreSQL's parallel workers may reach either page first):
    // the first damaged page ends it, so only one of the two is found.
    const whole = (await check('quick', 1)).findings.filter((f) => f.relation === 'range_t');
    expect(whole).to.have.length(1);
    expect([100, 9000]).to.include(whole[0]?.block);
    const heap = (await check('full', 2)).findings.filter((f) => f.relation === 'range_t' && f.tool === 'verify_heapam');
    expect(heap.map((f) => f.block).sort((a, b) => (a ?? 0) - (b ?? 0))).to.deep.equal([100, 9000]);
  });
});
