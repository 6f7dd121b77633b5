// The source's side of the pipeline, read with the `live` role (read-only queries, nothing written): WAL
// settings, whether archiving keeps up (pg_stat_archiver), archive_timeout against the RPO objective, slots
// that hold WAL, data checksums. https://www.postgresql.org/docs/15/continuous-archiving.html
import type pg from 'pg';
import { failed, passed, warning, type PipelineFinding } from './finding.js';

interface Settings {
  wal_level: string;
  archive_mode: string;
  archive_command: string | null;
  archive_library: string | null;
  archive_timeout: string;
  data_checksums: string;
}

interface Archiver {
  archived_count: string;
  last_archived_wal: string | null;
  last_archived_time: string | null;
  failed_count: string;
  last_failed_wal: string | null;
  last_failed_time: string | null;
  current_wal: string;
}

const seconds = (s: number) => (s % 60 === 0 && s >= 60 ? `${s / 60}m` : `${s}s`);

/** `streamed`: the backup system receives WAL by streaming (Barman), so no archive_command is needed and segment switches do not bound the loss. */
export async function sourceHealth(client: pg.Client, rpoMs: number, o: { streamed?: boolean } = {}): Promise<PipelineFinding[]> {
  const out: PipelineFinding[] = [];
  const { rows: settingRows } = await client.query<{ name: string; setting: string | null }>(
    `select name, setting from pg_settings where name in ('wal_level', 'archive_mode', 'archive_command', 'archive_library', 'archive_timeout', 'data_checksums')`,
  );
  const s = Object.fromEntries(settingRows.map((r) => [r.name, r.setting])) as unknown as Settings;
  out.push(s.wal_level === 'minimal' ? failed('wal_level', 'wal_level = minimal: no WAL for archiving or point-in-time recovery', "set wal_level = replica in postgresql.conf and restart") : passed('wal_level', `wal_level = ${s.wal_level}`));
  // Roles without pg_read_all_settings may not see archive_command: unknown is not empty.
  const visible = settingRows.some((r) => r.name === 'archive_command');
  const shipping = (s.archive_command ?? '').trim() !== '' || (s.archive_library ?? '').trim() !== '';
  if (o.streamed && (s.archive_mode === 'off' || !shipping)) out.push(passed('archive_mode', `archive_mode = ${s.archive_mode}: WAL reaches the backup system by streaming (pg_receivewal on a replication slot), not archive_command`));
  else if (s.archive_mode === 'off') out.push(failed('archive_mode', 'archive_mode = off: no WAL leaves the server (unless streamed by pg_receivewal / Barman)', 'set archive_mode = on and archive_command in postgresql.conf and restart'));
  else if (visible && !shipping) out.push(failed('archive_command', `archive_mode = ${s.archive_mode} but archive_command is empty: WAL accumulates in pg_wal and is never archived`, 'set archive_command (e.g. pgbackrest ... archive-push %p) and reload'));
  else out.push(passed('archive_mode', `archive_mode = ${s.archive_mode}${visible ? `, archive_command = ${s.archive_command}` : ' (archive_command is not visible to this role: grant it pg_read_all_settings to have it checked)'}`));

  const timeout = Number(s.archive_timeout);
  const rpo = rpoMs / 1000;
  if (o.streamed) {
    out.push(passed('archive_timeout vs RPO', `WAL is streamed as it is written: archive_timeout (${seconds(timeout)}) does not bound the loss`));
  } else if (timeout === 0) {
    out.push(failed('archive_timeout vs RPO', `archive_timeout = 0 (off): on a quiet database the newest changes can wait in an unarchived segment for as long as no 16 MB fills up; the RPO objective ${seconds(rpo)} cannot be guaranteed`, `set archive_timeout = ${seconds(rpo)} (or less) in postgresql.conf and reload, or stream WAL (pg_receivewal, Barman streaming_archiver)`));
  } else if (timeout > rpo) {
    out.push(failed('archive_timeout vs RPO', `archive_timeout = ${seconds(timeout)} is longer than the RPO objective ${seconds(rpo)}: a loss on a quiet database can cost up to ${seconds(timeout)} of commits`, `set archive_timeout = ${seconds(rpo)} (or less) in postgresql.conf and reload`));
  } else {
    out.push(passed('archive_timeout vs RPO', `archive_timeout = ${seconds(timeout)} <= RPO objective ${seconds(rpo)}`));
  }

  const { rows: archiverRows } = await client.query<Archiver>(
    `select archived_count::text, last_archived_wal, last_archived_time::text, failed_count::text, last_failed_wal, last_failed_time::text,
            pg_walfile_name(pg_current_wal_lsn()) as current_wal
       from pg_stat_archiver`,
  );
  const a = archiverRows[0] as Archiver;
  const failingNow = a.last_failed_time !== null && (a.last_archived_time === null || a.last_failed_time > a.last_archived_time);
  if (failingNow) {
    out.push(failed('archiver', `archiving is failing: ${a.failed_count} failure(s) so far, the last for segment ${a.last_failed_wal} at ${a.last_failed_time}${a.last_archived_wal ? `; the last success was ${a.last_archived_wal} at ${a.last_archived_time}` : '; no segment was ever archived'}`, 'read the server log for the archive_command error (permissions, a full disk, the repository unreachable) and fix archive_command'));
  } else {
    const behind = a.last_archived_wal ? segmentsBetween(a.last_archived_wal, a.current_wal) - 1 : undefined;
    if (behind !== undefined && behind > 1) {
      out.push(warning('archiver', `the archiver is ${behind} completed segment(s) behind (last archived ${a.last_archived_wal}, writing ${a.current_wal})`, 'check archive_command throughput (parallel or asynchronous archiving: pgBackRest archive-async)'));
    } else {
      out.push(passed('archiver', a.last_archived_wal ? `last archived ${a.last_archived_wal} at ${a.last_archived_time} (${a.archived_count} archived, ${a.failed_count} failed since the statistics reset)` : 'nothing archived yet and no failure'));
    }
  }

  const { rows: slots } = await client.query<{ slot_name: string; retained: string | null; bytes: string | null }>(
    `select slot_name, pg_size_pretty(pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)) as retained, pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::text as bytes
       from pg_replication_slots where not active order by restart_lsn nulls last`,
  );
  if (slots.length > 0) {
    out.push(warning('replication slots', `inactive slot(s) holding WAL on the source: ${slots.map((x) => `${x.slot_name} (${x.retained ?? 'no WAL'})`).join(', ')}`, `drop a slot nobody uses (select pg_drop_replication_slot('<name>')) before pg_wal fills the disk, or restart its consumer`));
  } else {
    out.push(passed('replication slots', 'no inactive slot holds WAL'));
  }
  out.push(s.data_checksums === 'on' ? passed('data checksums', 'data_checksums = on') : warning('data checksums', 'data_checksums = off: a corrupted page is restored and replayed silently; neither the backup tool nor a drill can tell', 'enable them (pg_checksums --enable on a stopped cluster; minutes per 100 GB)'));
  return out;
}

/** Segments from a to b on one timeline (b - a), by their numbers. */
function segmentsBetween(a: string, b: string): number {
  const n = (s: string) => Number.parseInt(s.slice(8, 16), 16) * 256 + Number.parseInt(s.slice(16, 24), 16);
  return n(b) - n(a);
}
