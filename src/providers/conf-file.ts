// Writing Postgres settings: values quoted the way postgresql.conf expects.
import { appendFileSync } from 'node:fs';
import path from 'node:path';

export function formatSetting(key: string, value: string | number | boolean): string {
  if (typeof value === 'boolean') return `${key} = ${value ? 'on' : 'off'}`;
  if (typeof value === 'number') return `${key} = ${value}`;
  return `${key} = '${value.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

/** Appends settings to postgresql.auto.conf: read last, so these win over inherited postgresql.conf values. */
export function appendAutoConf(dataDir: string, settings: Record<string, string | number | boolean>, comment: string): void {
  const lines = Object.entries(settings).map(([k, v]) => formatSetting(k, v));
  if (lines.length === 0) return;
  appendFileSync(path.join(dataDir, 'postgresql.auto.conf'), `\n# ${comment}\n${lines.join('\n')}\n`);
}
