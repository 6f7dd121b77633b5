// A finding about the user's backup pipeline (`pgdrill check`, and the first step of every drill of an existing
// backup): what was looked at, what was found, and what to change where, the way `barman check` reports.

export type FindingStatus = 'passed' | 'warning' | 'failed';

export interface PipelineFinding {
  check: string;
  status: FindingStatus;
  detail: string;
  /** What to change and where (the setting, the file, the command); for warnings and failures. */
  fix?: string;
}

export const passed = (check: string, detail: string): PipelineFinding => ({ check, status: 'passed', detail });
export const warning = (check: string, detail: string, fix: string): PipelineFinding => ({ check, status: 'warning', detail, fix });
export const failed = (check: string, detail: string, fix: string): PipelineFinding => ({ check, status: 'failed', detail, fix });

/** What `pgdrill check` found for one drill: its newest backup and every finding. */
export interface DrillChecks {
  drill: string;
  file: string;
  backup?: string;
  findings: PipelineFinding[];
}
