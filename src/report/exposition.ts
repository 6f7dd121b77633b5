// The Prometheus text exposition format (version 0.0.4): metric families with HELP and TYPE, label values
// escaped. What both pgdrill's run metrics and the fleet's coverage metrics are written with.
export type Labels = Record<string, string>;
export type Sample = readonly [Labels, number | null | undefined];

export interface Family {
  name: string;
  type: 'gauge' | 'counter';
  help: string;
  samples: readonly Sample[];
}

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const escapeHelp = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

/** The exposition text; a sample without a finite value is left out (absent, not 0). */
export function exposition(families: readonly Family[]): string {
  const lines: string[] = [];
  for (const f of families) {
    lines.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`);
    for (const [labels, value] of f.samples) {
      if (value === null || value === undefined || !Number.isFinite(value)) continue;
      const l = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',');
      lines.push(`${f.name}${l ? `{${l}}` : ''} ${value}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
