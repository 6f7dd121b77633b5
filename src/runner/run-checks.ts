// `pgdrill check <drill...>`: the pipeline checks of drills of existing backups, without restoring anything.
// Each drill gets a session (the tools' locks and logs go to its work folder, removed at the end); no server
// starts. Exit 0 when nothing failed (warnings allowed), 1 otherwise.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isSourceDrill } from '../drill/drill.js';
import { loadDrills } from '../drill/loader.js';
import { DrillConfigError, PgdrillError } from '../errors.js';
import { resolveServerUser } from '../exec/os-user.js';
import type { DrillChecks } from '../pipeline/finding.js';
import { LocalProvider } from '../providers/local/local-provider.js';
import { createSource } from '../tools/registry.js';
import { checkPipeline } from './plans/check-pipeline.js';
import { findingsExit } from '../model/exit-codes.js';
import { DrillSession } from './session/drill-session.js';

export type { DrillChecks } from '../pipeline/finding.js';

export async function runChecks(files: string[], opts: { signal: AbortSignal; workRoot?: string | undefined; env?: NodeJS.ProcessEnv }): Promise<{ drills: DrillChecks[]; exitCode: number }> {
  const drills = loadDrills(files);
  const selfContained = drills.filter((d) => !isSourceDrill(d));
  if (selfContained.length > 0) {
    throw new DrillConfigError(selfContained.map((d) => ({ file: d.file, path: '', message: 'pgdrill check looks at the pipeline of a backup you already have (source:); this drill builds its own', fix: 'run it with pgdrill run' })));
  }
  const serverUser = resolveServerUser();
  const out: DrillChecks[] = [];
  for (const drill of drills.filter(isSourceDrill)) {
    const logDir = mkdtempSync(path.join(os.tmpdir(), 'pgdrill-check-logs-'));
    const source = createSource(drill.source);
    try {
      await using session = new DrillSession({ runId: 'check', logDir, provider: new LocalProvider(), signal: opts.signal, serverUser, workRoot: opts.workRoot, stepTimeoutMs: drill.timeouts.step, secrets: source.secrets?.() ?? [] });
      const backup = await source.inspect(session.ctx);
      out.push({ drill: drill.name, file: drill.file, backup: backup.label, findings: await checkPipeline(drill, source, session.ctx, backup, opts.env ?? process.env) });
    } catch (error) {
      const e = error as Error;
      const fix = error instanceof PgdrillError ? error.suggestion : undefined;
      out.push({ drill: drill.name, file: drill.file, findings: [{ check: 'repository readable', status: 'failed', detail: e.message, ...(fix ? { fix } : {}) }] });
    } finally {
      rmSync(logDir, { recursive: true, force: true });
    }
  }
  return { drills: out, exitCode: findingsExit(out.some((d) => d.findings.some((f) => f.status === 'failed'))) };
}
