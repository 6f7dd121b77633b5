// How deeply a restored copy is checked (`verify: - integrity: quick | full`) and how a run is compared with the
// same drill's earlier runs (`sanity:`). Shared by both drill kinds; the checks live in verify/integrity/.
import { z } from 'zod';

export const INTEGRITY_LEVELS = ['off', 'quick', 'full'] as const;
export type IntegrityLevel = (typeof INTEGRITY_LEVELS)[number];

/** A verify entry: every block's checksum and every value that can fail (quick); every row decoded, amcheck, pg_checksums (full). */
export const integrityCheck = z.strictObject({
  integrity: z.enum(INTEGRITY_LEVELS, {
    error: (iss) => `${JSON.stringify(iss.input)} is not an integrity level; use quick (every block's checksum, every TOAST chunk and every value that can fail to decode), full (every table read end to end + amcheck on every B-tree index and table + pg_checksums) or off`,
  }),
  /** Connections checking in parallel; default the number of cores. */
  jobs: z.number().int().min(1).max(64).optional(),
  /** Count the integrity pass in the RTO (an operator who waits for it before opening traffic). */
  inRto: z.boolean().default(false),
});

export type IntegritySpec = z.output<typeof integrityCheck>;

/** Every drill gets the quick pass unless it asks otherwise. */
export const DEFAULT_INTEGRITY: IntegritySpec = { integrity: 'quick', inRto: false };

/** The drill's integrity entry (at most one; the schema refuses a second), or the default. */
export function integrityOf(verify: readonly object[]): IntegritySpec {
  return (verify.find((e) => 'integrity' in e) as IntegritySpec | undefined) ?? DEFAULT_INTEGRITY;
}

/** Refinement for a verify list: one integrity entry at most. */
export function oneIntegrityEntry(verify: readonly object[], ctx: z.RefinementCtx): void {
  const at = verify.flatMap((e, i) => ('integrity' in e ? [i] : []));
  for (const i of at.slice(1)) {
    ctx.addIssue({ code: 'custom', path: [i, 'integrity'], message: 'a second integrity entry; keep one (quick, full or off)' });
  }
}

const percent = z
  .union([z.number(), z.string()], { error: 'a percentage such as 50%' })
  .transform((v, ctx) => {
    const m = typeof v === 'number' ? [String(v), String(v)] : /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(v);
    const n = m ? Number(m[1]) : NaN;
    if (!Number.isFinite(n) || n <= 0) {
      ctx.addIssue({ code: 'custom', message: `${JSON.stringify(v)} is not a percentage; write 50% (a change of more than half either way fails the drill)` });
      return z.NEVER;
    }
    return n / 100;
  });

/** The backup's and the restored databases' sizes against the median of the same drill's earlier runs. */
export const sanity = z
  .strictObject({
    sizeChange: percent.default(0.5),
    /** How many earlier runs (in the output folder) the median is taken over. */
    history: z.number().int().min(1).max(100).default(5),
  })
  .default({ sizeChange: 0.5, history: 5 });

export type SanitySpec = z.output<typeof sanity>;
