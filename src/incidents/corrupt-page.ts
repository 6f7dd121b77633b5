// corrupt-page: bytes flip inside a heap page of a table's file on disk. The server is stopped first so the
// damage really lands (a page cached in shared buffers would be written back over it). pgdrill then shows
// the damage is detected, three ways: pg_checksums --check (server stopped), the data-checksum error on read,
// and pg_amcheck; recovery brings the table back from the base backup and the WAL, which never saw the damage.
import path from 'node:path';
import { flipBytes, FLIPPED_BYTES } from '../tools/common/flip-bytes.js';
import { PgdrillError } from '../errors.js';
import type { PostgresInstance } from '../providers/provider.js';
import type { RecoveryTarget } from '../pg/recovery-target.js';
import type { CheckResult } from '../model/check-result.js';
import { resolveTable } from '../pg/identifiers.js';
import { databaseMoment, type Incident, type IncidentContext, type IncidentRecord, type ProtectedTable } from './incident.js';


export class CorruptPageIncident implements Incident {
  readonly kind = 'corrupt-page';
  readonly primarySurvives = true;

  constructor(
    private table: string,
    private readonly block: number,
  ) {}

  describe(): string {
    return `flip ${FLIPPED_BYTES} bytes in block ${this.block} of ${this.table}'s file`;
  }

  async preflight(primary: PostgresInstance): Promise<ProtectedTable[]> {
    const resolved = await resolveTable(primary, this.table);
    if (!resolved) {
      throw new PgdrillError(`incident.table ${this.table} does not exist on the primary after the workload was loaded`, 'name a table the fixtures create');
    }
    this.table = resolved;
    const [row] = await primary.query<{ blocks: string }>('select (pg_relation_size($1::regclass) / current_setting($2)::int)::text as blocks', [resolved, 'block_size']);
    if (Number(row?.blocks) <= this.block) {
      throw new PgdrillError(`incident.block ${this.block} is beyond ${this.table}'s ${row?.blocks} block(s)`, 'choose a smaller block or load more rows');
    }
    return [{ table: this.table }];
  }

  async inject({ primary, backupContext: ctx }: IncidentContext): Promise<IncidentRecord> {
    const [rel] = await primary.query<{ file: string; block_size: string }>(
      `select pg_relation_filepath($1::regclass) as file, current_setting('block_size') as block_size`,
      [this.table],
    );
    const file = path.join(primary.dataDir, rel?.file ?? '');
    const blockSize = Number(rel?.block_size ?? 8192);
    const moment = await databaseMoment(primary);
    // Tuples fill a heap page from its end: damage lands in row data.
    const offset = this.block * blockSize + blockSize - 64;
    const detections: CheckResult[] = [];
    await primary.restart(async () => {
      flipBytes(file, offset, FLIPPED_BYTES);
      const checksums = await ctx.runner.run(ctx.provider.tool('pg_checksums'), ['--check', '-D', primary.dataDir], {
        label: 'pg_checksums-check',
        asServerUser: true,
        allowFailure: true,
      });
      const out = `${checksums.stdout}\n${checksums.stderr}`;
      const caught = checksums.exitCode !== 0 && /checksum verification failed/.test(out);
      detections.push({
        name: 'pg_checksums --check detects the damage',
        status: caught ? 'passed' : 'failed',
        detail: caught ? firstLine(out, /checksum verification failed/) : `pg_checksums exit ${checksums.exitCode}: ${out.trim().slice(0, 300)}`,
      });
    });
    try {
      await primary.query(`select count(*) from ${this.table}`);
      detections.push({ name: 'data checksum error on read', status: 'failed', detail: `reading ${this.table} raised no error: the damage went unnoticed` });
    } catch (error) {
      const message = (error as Error).message;
      const caught = /invalid page|checksum/.test(message);
      detections.push({ name: 'data checksum error on read', status: caught ? 'passed' : 'failed', detail: `select count(*) from ${this.table}: ERROR: ${message}` });
    }
    const amcheck = await ctx.runner.run(
      ctx.provider.tool('pg_amcheck'),
      ['-h', primary.host, '-p', String(primary.port), '-U', 'postgres', '-w', '--install-missing', '--heapallindexed', '-t', this.table, 'postgres'],
      { label: 'pg_amcheck', env: { PGPASSWORD: String(primary.connection.password) }, allowFailure: true },
    );
    const amOut = `${amcheck.stdout}\n${amcheck.stderr}`.trim();
    detections.push({
      name: 'pg_amcheck reports the damage',
      status: amcheck.exitCode !== 0 ? 'passed' : 'failed',
      detail: amcheck.exitCode !== 0 ? `pg_amcheck exit ${amcheck.exitCode}: ${amOut.split('\n').slice(0, 3).join(' | ')}` : 'pg_amcheck found nothing',
    });
    const after = await databaseMoment(primary);
    return {
      kind: this.kind,
      description: `${FLIPPED_BYTES} bytes of block ${this.block} of ${this.table} are corrupted on disk`,
      statement: `flip ${FLIPPED_BYTES} bytes at offset ${offset} of ${rel?.file} (server stopped)`,
      lsnBefore: moment.lsn,
      lsnAfter: after.lsn,
      commitTime: moment.commitTime,
      commitMicros: moment.commitMicros,
      details: { file: rel?.file ?? '', block: String(this.block), offset: String(offset) },
      detections,
    };
  }

  /** The damage is not in the WAL: replaying everything archived rebuilds the page from the backup. */
  beforeIncidentTarget(): RecoveryTarget {
    return { kind: 'latest' };
  }
}

function firstLine(text: string, re: RegExp): string {
  return text.split('\n').find((l) => re.test(l))?.trim() ?? text.trim();
}

