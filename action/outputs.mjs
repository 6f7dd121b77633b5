// The action's outputs from pgdrill's --json summary, kept apart: ok (every drill passed), verified (every drill
// judged), failed, RTO and RPO per drill. When pgdrill could not start a run (bad input, exit 2 or 3) there is no
// summary: the outputs say so and the job summary gets pgdrill's own error, so the job page is never empty.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const [jsonFile, out, codeText, errLog] = process.argv.slice(2);
const code = Number(codeText);
let summary;
try {
  summary = JSON.parse(readFileSync(jsonFile, 'utf8'));
} catch {
  summary = undefined;
}
const drills = summary?.drills ?? [];
const runDir = summary ? path.join(out, summary.runId) : '';
const outputs = {
  ok: String(summary !== undefined && drills.length > 0 && drills.every((d) => d.status === 'passed')),
  verified: String(summary !== undefined && drills.every((d) => d.status === 'passed' || d.status === 'failed')),
  failed: JSON.stringify(drills.filter((d) => d.status !== 'passed').map((d) => d.drill)),
  'rto-seconds': JSON.stringify(Object.fromEntries(drills.map((d) => [d.drill, d.rtoSeconds]))),
  'rpo-seconds': JSON.stringify(Object.fromEntries(drills.map((d) => [d.drill, d.rpoSeconds]))),
  'exit-code': String(code),
  'report-path': existsSync(out) ? path.resolve(out) : '',
  'summary-path': runDir && existsSync(path.join(runDir, 'summary.json')) ? path.resolve(runDir, 'summary.json') : '',
};
appendFileSync(process.env.GITHUB_OUTPUT, Object.entries(outputs).map(([k, v]) => `${k}=${v}\n`).join(''));
if (!summary && process.env.GITHUB_STEP_SUMMARY) {
  const err = existsSync(errLog) ? readFileSync(errLog, 'utf8').trim().split('\n').slice(-15).join('\n') : '';
  appendFileSync(process.env.GITHUB_STEP_SUMMARY, `### pgdrill could not run (exit ${code})\n\nNo drill was judged: this is not a pass.\n\n\`\`\`\n${err}\n\`\`\`\n`);
}
