// The drill file's incident section: one shape per kind, each with declareAfter.
import { z } from 'zod';
import { databaseName, duration, notOneOf, tableName } from '../drill/schema-parts.js';

const declareAfter = duration.default(500).describe('how long the application keeps writing before the incident is declared');

/** One incident kind: its own keys plus declareAfter. */
function incidentKind<K extends string, S extends z.ZodRawShape>(kind: K, shape: S) {
  return z.strictObject({ kind: z.literal(kind), declareAfter, ...shape });
}

export const INCIDENT_KINDS = [
  'drop-table',
  'truncate',
  'delete-rows',
  'update-rows',
  'drop-database',
  'primary-loss',
  'corrupt-page',
  'missing-wal',
  'corrupt-backup',
] as const;

export const incidentSchema = z.discriminatedUnion(
  'kind',
  [
    incidentKind('drop-table', { table: tableName }),
    incidentKind('truncate', { table: tableName }),
    incidentKind('delete-rows', { table: tableName, where: z.string().min(1).optional() }),
    incidentKind('update-rows', { table: tableName, set: z.string().min(1), where: z.string().min(1).optional() }),
    incidentKind('drop-database', { database: databaseName }),
    incidentKind('primary-loss', {}),
    incidentKind('corrupt-page', { table: tableName, block: z.number().int().min(0).default(0) }),
    incidentKind('missing-wal', {}),
    incidentKind('corrupt-backup', {}),
  ],
  { error: (iss) => notOneOf('an incident kind', INCIDENT_KINDS)({ input: (iss.input as { kind?: unknown } | undefined)?.kind }) },
);

export type IncidentSpec = z.output<typeof incidentSchema>;
