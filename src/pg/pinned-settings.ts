// Settings pgdrill pins on every instance it starts, whatever the drill or the backup's configuration says.

/**
 * Settings pgdrill depends on and pins on every instance: English log lines at LOG level (readiness and target
 * confirmation follow the server log), commits that never wait for a standby, writable sessions.
 */
export const PINNED_SETTINGS = { lc_messages: 'C', log_min_messages: 'warning', synchronous_standby_names: '', default_transaction_read_only: 'off' } as const;

/**
 * What every restored instance runs with, whatever the backup's configuration says, and why: it never archives or
 * connects anywhere, never runs the cluster's recovery hooks (PostgreSQL runs archive_cleanup_command at every
 * restartpoint of archive recovery: a standby's `pg_archivecleanup /archive %r` would delete the user's WAL), never
 * starts logical replication apply workers (a restored subscription would connect to its publisher and advance
 * its slot), and never hides damage (ignore_checksum_failure, zero_damaged_pages would read a broken page as fine).
 * https://www.postgresql.org/docs/15/runtime-config-wal.html#RUNTIME-CONFIG-WAL-ARCHIVE-RECOVERY
 */
export const RESTORED_PINS: ReadonlyArray<readonly [setting: string, value: string, why: string]> = [
  ['archive_mode', 'off', 'the restored instance never archives into the source archive or repository'],
  ['archive_command', '', 'the restored instance never archives'],
  ['archive_cleanup_command', '', 'the cluster\'s hook would run at every restartpoint and could delete WAL from the user\'s archive'],
  ['recovery_end_command', '', 'the cluster\'s hook would run at the end of recovery, outside the work folder'],
  ['primary_conninfo', '', 'the restored instance never connects anywhere'],
  ['primary_slot_name', '', 'the restored instance uses no replication slot'],
  ['max_logical_replication_workers', '0', 'a restored subscription would connect to its publisher and advance its slot'],
  ['ignore_checksum_failure', 'off', 'a damaged page must fail, not be read as fine'],
  ['zero_damaged_pages', 'off', 'a damaged page must fail, not be zeroed and hidden'],
];

/** RESTORED_PINS as settings. */
export function restoredPins(): Record<string, string> {
  return Object.fromEntries(RESTORED_PINS.map(([k, v]) => [k, v]));
}
