// Stable codes for what each check is and what it found, so teams alert on `sequence-behind`, not on a sentence
// that may be reworded. A check that sets its own code keeps it; the others get theirs from their name here. The
// README's "Finding codes" table lists the same.
import type { CheckResult } from './check-result.js';

/** [check name, code when it passed, code when it failed or could not be judged]. */
const BY_NAME: ReadonlyArray<readonly [RegExp, string, string]> = [
  [/^recovery target reached$/, 'target-reached', 'target-not-reached'],
  [/^instance promoted$/, 'promoted', 'not-promoted'],
  [/^restored instance does not archive$/, 'no-archiving', 'archiving-on'],
  [/^table .* restored$/, 'table-restored', 'table-mismatch'],
  [/^table .* readable$/, 'table-readable', 'table-unreadable'],
  [/^recovered markers are a prefix of history$/, 'markers-prefix', 'marker-hole'],
  [/^last pre-incident marker present$/, 'marker-present', 'marker-lost'],
  [/^markers match the time target$/, 'markers-match-target', 'markers-wrong-side'],
  [/^WAL archive continuous$/, 'wal-continuous', 'wal-missing'],
  [/^backup-verified$/, 'backup-verified', 'backup-not-verified'],
  [/^newest backup age/, 'backup-age', 'backup-too-old'],
  [/^integrity|^amcheck|^pg_checksums|checksums/, 'integrity', 'integrity-damage'],
  [/size/, 'size-sanity', 'size-change'],
  [/^barman check|^barman-cloud/, 'tool-check', 'tool-check-failed'],
  [/^RTO objective$/, 'rto-met', 'rto-missed'],
  [/^RPO objective$/, 'rpo-met', 'rpo-missed'],
];

/** The check with its code (its own, or its name's). */
export function withCode(c: CheckResult): CheckResult {
  if (c.code) return c;
  const hit = BY_NAME.find(([re]) => re.test(c.name));
  const code = hit ? (c.status === 'passed' ? hit[1] : hit[2]) : c.status === 'passed' ? 'check' : 'check-failed';
  return { ...c, code };
}

/** Every code pgdrill gives a check that did not pass, with its meaning (the README table, and bounded metric labels). */
export const FINDING_CODES: Readonly<Record<string, string>> = {
  'target-not-reached': 'recovery did not stop at the target: the server log does not prove it, or replay ended early (a hole, damaged WAL)',
  'not-promoted': 'the restored instance is still in recovery',
  'archiving-on': 'the restored instance would archive into the source archive',
  'table-mismatch': 'a protected table differs from its pre-incident fingerprint',
  'table-unreadable': 'a table named in verify cannot be read end to end',
  'marker-hole': 'a marker is missing but a later one is back: the recovered history has a hole',
  'marker-lost': 'the last marker before the incident is missing',
  'markers-wrong-side': 'markers on the wrong side of a time target',
  'wal-missing': 'a WAL segment the recovery needs is not in the archive',
  'backup-not-verified': 'the backup tool\'s own verification failed',
  'backup-too-old': 'the newest backup is older than objectives.maxBackupAge, or its age cannot be read',
  'integrity-damage': 'the integrity pass found damage (a page, an index, a checksum, TOAST)',
  'size-change': 'the backup or the restored data changed size beyond sanity.sizeChange against earlier runs',
  'tool-check-failed': 'the backup tool\'s own check failed (barman check, barman-cloud)',
  'rto-missed': 'the RTO objective was not met, or the recovery was not verified',
  'rpo-missed': 'the data a loss would cost is more than the RPO objective, or only a lower bound is known',
  'rpo-not-proven': 'the archive cycle is longer than the RPO objective: one loss measured proves nothing',
  'rpo-unmeasured': 'the RPO objective applies but nothing measured the data loss (the drill is unverified)',
  'sql-failed': 'a verify query failed',
  'sql-mismatch': 'a verify query returned something else than expected',
  'relation-elsewhere': 'a verify query names a relation that is in another database (the message names it)',
  'check-place': 'a check could not run where it says: its database or role is missing, or the role may not connect',
  'sequence-behind': 'a sequence is behind the largest value of the column it serves: the next insert collides',
  'extension-missing': 'an installed extension\'s files or library are not on this machine',
  'collation-mismatch': 'a database or collation was built under another collation version than this machine\'s',
  'role-missing': 'a role the drill names does not exist in the restored cluster',
  'role-cannot-login': 'a role the drill names cannot log in',
  'privilege-missing': 'a role the drill names lost CONNECT or a schema\'s USAGE',
  'schema-drift': 'the restored schema differs from the committed snapshot',
  'source-mismatch': 'a compare: source query answers differently on the live source and on the restored copy',
  'source-unreachable': 'a compare: source query could not be asked of the live source (the check is unverified)',
  'check-failed': 'any other check that failed',
};
