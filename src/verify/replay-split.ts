// The wal-replay phase as the restored server's log splits it (its `%m` timestamps): the start-up before redo
// (the server fsyncs the whole restored folder first, since the backup was not shut down cleanly: its time grows
// with the restored bytes still in the page cache), the redo loop (grows with the WAL), and what follows it to
// readiness (the end-of-recovery checkpoint, which writes at most shared_buffers, and promotion). The forecast
// scales each by what it grows with; the report shows them.
import { logLineTime } from '../providers/readiness.js';

export interface ReplaySplit {
  /** "starting PostgreSQL" -> "redo starts at": reading the backup label, fsync of the restored folder. */
  startupSeconds: number;
  /** "redo starts at" -> "redo done at". */
  redoSeconds: number;
  /** "redo done at" -> "ready to accept connections": the end-of-recovery checkpoint, promotion. */
  endSeconds: number;
}

/** Undefined when the log does not show one whole recovery (no redo: a logical restore; an older prefix). */
export function replaySplit(log: string): ReplaySplit | undefined {
  const lines = log.split('\n');
  const at = (re: RegExp, from = 0): { index: number; time: number } | undefined => {
    for (let i = from; i < lines.length; i++) {
      const line = lines[i] ?? '';
      if (!re.test(line)) continue;
      const time = logLineTime(line)?.getTime();
      return time === undefined ? undefined : { index: i, time };
    }
    return undefined;
  };
  const start = at(/LOG: {2}starting PostgreSQL /);
  const redo = start && at(/LOG: {2}redo starts at /, start.index);
  const done = redo && at(/LOG: {2}redo done at /, redo.index);
  const ready = done && at(/LOG: {2}database system is ready to accept connections/, done.index);
  if (!start || !redo || !done || !ready) return undefined;
  return { startupSeconds: (redo.time - start.time) / 1000, redoSeconds: (done.time - redo.time) / 1000, endSeconds: (ready.time - done.time) / 1000 };
}
