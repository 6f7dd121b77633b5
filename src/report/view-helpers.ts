// Numbers for people, and server-rendered chart geometry (SVG works with JavaScript disabled, offline).
import { formatSeconds } from '../model/format.js';

export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) return 'n/a';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

export interface ObjectiveBar {
  label: string;
  measured: string;
  objective: string;
  met: boolean | null;
  /** Percentages of the chart width. */
  barPct: number;
  objectivePct: number;
}

/** A bar for the measured value with a line at the objective, on a scale that fits both. */
export function objectiveBar(label: string, measured: number | null, objective: number, met: boolean | null, lowerBound = false): ObjectiveBar {
  const max = Math.max(objective, measured ?? 0) * 1.15 || 1;
  return {
    label,
    measured: met === null && measured === null ? 'does not apply' : measured === null ? 'not measured' : `${lowerBound ? '≥ ' : ''}${formatSeconds(measured)}`,
    objective: formatSeconds(objective),
    met: measured === null ? null : met,
    barPct: measured === null ? 0 : Math.max(0.5, (measured / max) * 100),
    objectivePct: (objective / max) * 100,
  };
}

export interface GanttRow {
  name: string;
  seconds: string;
  offsetPct: number;
  widthPct: number;
  inRto: boolean;
  failed: boolean;
}

/** Phases placed on a shared time axis from their wall-clock stamps. */
export function gantt(phases: Array<{ name: string; startedAt: string; seconds: number; inRto: boolean; status: string }>): GanttRow[] {
  if (phases.length === 0) return [];
  const t0 = Math.min(...phases.map((p) => Date.parse(p.startedAt)));
  const end = Math.max(...phases.map((p) => Date.parse(p.startedAt) + p.seconds * 1000));
  const span = Math.max(end - t0, 1);
  return phases.map((p) => ({
    name: p.name,
    seconds: formatSeconds(p.seconds),
    offsetPct: ((Date.parse(p.startedAt) - t0) / span) * 100,
    widthPct: Math.max(0.4, ((p.seconds * 1000) / span) * 100),
    inRto: p.inRto,
    failed: p.status === 'failed',
  }));
}
