// Writes the evidence of a drill (result.json, report.html) and of a run (summary.json). The report's renderer
// (Handlebars) is loaded when the first report is written, not when pgdrill starts.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { DrillResult, RunSummary } from '../model/result-schema.js';

export function writeResultFile(drillDir: string, result: DrillResult): string {
  const resultFile = path.join(drillDir, 'result.json');
  writeFileSync(resultFile, `${JSON.stringify(result, null, 2)}\n`);
  return resultFile;
}

export async function writeDrillFiles(drillDir: string, result: DrillResult): Promise<{ resultFile: string; reportFile: string }> {
  const resultFile = writeResultFile(drillDir, result);
  const reportFile = path.join(drillDir, 'report.html');
  const { writeReport } = await import('./html-report.js'); // loaded during the recovery already (runner/warm-up.ts)
  writeReport(reportFile, result);
  return { resultFile, reportFile };
}

export function writeSummary(runDir: string, summary: RunSummary): string {
  const file = path.join(runDir, 'summary.json');
  writeFileSync(file, `${JSON.stringify(summary, null, 2)}\n`);
  return file;
}
