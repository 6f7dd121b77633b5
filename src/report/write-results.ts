// Writes the evidence of a drill (result.json, report.html) and of a run (summary.json).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { writeReport } from './html-report.js';
import type { DrillResult, RunSummary } from '../model/result-schema.js';

export function writeDrillFiles(drillDir: string, result: DrillResult): { resultFile: string; reportFile: string } {
  const resultFile = path.join(drillDir, 'result.json');
  const reportFile = path.join(drillDir, 'report.html');
  writeFileSync(resultFile, `${JSON.stringify(result, null, 2)}\n`);
  writeReport(reportFile, result);
  return { resultFile, reportFile };
}

export function writeSummary(runDir: string, summary: RunSummary): string {
  const file = path.join(runDir, 'summary.json');
  writeFileSync(file, `${JSON.stringify(summary, null, 2)}\n`);
  return file;
}
