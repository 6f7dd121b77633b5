// Server-rendered SVG line chart of a measured value over runs, with the objective as a dashed line. Pure SVG:
// it renders with JavaScript disabled, offline, from a CI artifact. Every text is escaped.
import Handlebars from 'handlebars';
import { formatSeconds } from '../model/format.js';

export interface TrendPoint {
  at: string;
  value: number | null;
  /** null: the objective does not apply to that run. */
  passed: boolean | null;
}

const W = 520;
const H = 160;
const PAD = { left: 56, right: 12, top: 14, bottom: 28 };

const esc = (s: string) => Handlebars.escapeExpression(s);

export function trendChart(title: string, points: TrendPoint[], objective: number): string {
  const values = points.map((p) => p.value).filter((v): v is number => v !== null);
  const max = Math.max(objective, ...values, 0.001) * 1.15;
  const iw = W - PAD.left - PAD.right;
  const ih = H - PAD.top - PAD.bottom;
  const x = (i: number) => PAD.left + (points.length <= 1 ? iw / 2 : (i / (points.length - 1)) * iw);
  const y = (v: number) => PAD.top + ih - (v / max) * ih;
  const line = points
    .map((p, i) => (p.value === null ? null : `${x(i).toFixed(1)},${y(p.value).toFixed(1)}`))
    .filter(Boolean)
    .join(' ');
  const dots = points
    .map((p, i) =>
      p.value === null
        ? `<text x="${x(i).toFixed(1)}" y="${(PAD.top + ih / 2).toFixed(1)}" text-anchor="middle" class="na">n/a</text>`
        : `<circle cx="${x(i).toFixed(1)}" cy="${y(p.value).toFixed(1)}" r="4" class="${p.passed ? 'ok' : 'bad'}"><title>${esc(`${p.at}: ${formatSeconds(p.value)}`)}</title></circle>`,
    )
    .join('');
  const oy = y(objective).toFixed(1);
  const stamp = (iso: string | undefined) => (iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)}` : '');
  const first = stamp(points[0]?.at);
  const last = points.length > 1 ? stamp(points.at(-1)?.at) : '';
  return (
    `<svg class="trend" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(`${title} over ${points.length} runs, objective ${formatSeconds(objective)}`)}">` +
    `<rect x="${PAD.left}" y="${PAD.top}" width="${iw}" height="${ih}" class="plot"/>` +
    `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${oy}" y2="${oy}" class="objective"/>` +
    `<text x="${W - PAD.right - 2}" y="${(Number(oy) - 4).toFixed(1)}" text-anchor="end" class="label">objective ${esc(formatSeconds(objective))}</text>` +
    `<text x="${PAD.left - 6}" y="${PAD.top + 10}" text-anchor="end" class="label">${esc(formatSeconds(max))}</text>` +
    `<text x="${PAD.left - 6}" y="${PAD.top + ih}" text-anchor="end" class="label">0</text>` +
    `<text x="${PAD.left}" y="${H - 8}" class="label">${esc(first)}</text>` +
    `<text x="${W - PAD.right}" y="${H - 8}" text-anchor="end" class="label">${esc(last)}</text>` +
    `<text x="${PAD.left + 4}" y="${PAD.top + 12}" class="title">${esc(title)}</text>` +
    (line ? `<polyline points="${line}" class="series"/>` : '') +
    dots +
    `</svg>`
  );
}
