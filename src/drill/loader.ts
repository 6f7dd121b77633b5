// Turns a drill file into a typed Drill in one place. Every problem (YAML syntax, schema, missing fixture)
// is collected and reported at once with file:line and the fix; nothing is started on any problem.
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { isMap, isScalar, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { methodFacts, sourceKinds } from '../tools/registry.js';
import { DrillConfigError, type ConfigProblem } from '../errors.js';
import { isSourceDrill, type AnyDrill, type Drill, type DrillOverrides, type SourceDrill } from './drill.js';
import { sourceDrillSchema } from './source-schema.js';
import { applyPolicy } from './policy.js';
import { drillSchema } from './schema.js';
import { isSqlFile } from './schema-parts.js';
import { drillSlug } from './slug.js';

/** Loads and validates one self-contained drill file; throws DrillConfigError with every problem found. */
export function loadDrill(file: string, overrides?: DrillOverrides): Drill {
  const { drill, problems } = inspectDrill(file, overrides);
  if (!drill) throw new DrillConfigError(problems);
  if (isSourceDrill(drill)) {
    throw new DrillConfigError([{ file: displayPath(drill.file), line: drill.lines['source'], path: 'source', message: 'this command runs drills that build their own backups; a drill of an existing backup is run with pgdrill run', fix: 'use pgdrill run' }]);
  }
  return drill;
}

/** Loads several drill files, reporting the problems of all of them together (what `run` refuses). */
export function loadDrills(files: string[], overrides?: DrillOverrides): AnyDrill[] {
  const { drills, problems } = checkDrillFiles(files, overrides);
  if (problems.length > 0) throw new DrillConfigError(problems);
  return drills;
}

/**
 * Every check a run makes of its drill files before anything starts, without throwing: each file's own, then
 * those across files (names, and the output folders they map to, must be distinct). `pgdrill validate` and
 * `pgdrill run` both come here, so validate refuses exactly what run refuses.
 */
export function checkDrillFiles(files: string[], overrides?: DrillOverrides): { drills: AnyDrill[]; problems: ConfigProblem[] } {
  const results = files.map((f) => inspectDrill(f, overrides));
  const problems = results.flatMap((r) => r.problems);
  const drills = results.flatMap((r) => (r.drill ? [r.drill] : []));
  // Names and the folders they map to (<out>/<run-id>/<slug>) must be distinct, or drills overwrite each other.
  const seen = new Map<string, AnyDrill>();
  for (const d of drills) {
    const slug = drillSlug(d.name);
    const other = seen.get(slug);
    if (other) {
      problems.push({
        file: displayPath(d.file),
        line: d.lines['name'],
        path: 'name',
        message:
          other.name === d.name
            ? `drill name "${d.name}" is also used by ${displayPath(other.file)}`
            : `drill name "${d.name}" and "${other.name}" (${displayPath(other.file)}) both write to the folder ${slug}`,
        fix: 'give each drill of one run a distinct name',
      });
    }
    seen.set(slug, d);
  }
  return { drills, problems };
}

function displayPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') ? rel : file;
}

/** Validates a drill file without throwing: the drill when valid, and every problem found. */
export function inspectDrill(file: string, overrides?: DrillOverrides): { drill?: AnyDrill; problems: ConfigProblem[] } {
  const abs = path.resolve(file);
  const shown = displayPath(abs);
  if (!existsSync(abs) || !statSync(abs).isFile()) {
    const dir = existsSync(abs);
    return {
      problems: [{ file: shown, path: '', message: dir ? 'is a folder, not a drill file' : 'drill file not found', fix: dir ? 'name the YAML file inside it, e.g. drills/quickstart.yaml' : 'check the path (drill files are YAML, e.g. drills/quickstart.yaml)' }],
    };
  }
  const source = readFileSync(abs, 'utf8');
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const lineOf = (offset: number | undefined) => (offset === undefined ? undefined : lineCounter.linePos(offset).line);

  if (doc.errors.length > 0) {
    return {
      problems: doc.errors.map((e) => ({
        file: shown,
        line: lineOf(e.pos[0]),
        path: '',
        message: `YAML syntax: ${e.message.split('\n')[0]}`,
        fix: 'fix the YAML syntax (indentation with spaces, "key: value")',
      })),
    };
  }
  const data: unknown = doc.toJS();
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return {
      problems: [{ file: shown, line: 1, path: '', message: 'a drill file must be a YAML mapping', fix: 'start with name:, objectives:, incident: (see drills/quickstart.yaml)' }],
    };
  }

  const policyProblems: ConfigProblem[] = [];
  const lineOfKey = (keyPath: string[]) => lineOf((doc.getIn(keyPath, true) as Node | undefined)?.range?.[0]);
  const policy = applyPolicy(abs, shown, data as Record<string, unknown>, lineOfKey, policyProblems);
  if (policyProblems.length > 0) return { problems: policyProblems };
  const withPolicy = <T extends { drill?: AnyDrill; problems: ConfigProblem[] }>(r: T): T =>
    r.drill && (policy || overrides) ? { ...r, drill: { ...r.drill, ...(policy ? { policy } : {}), ...(overrides ? { overrides } : {}) } } : r;

  if ('source' in data) return withPolicy(inspectSourceDrill(abs, shown, source, doc, data, lineOf, overrides));
  if (overrides?.backup) {
    return { problems: [{ file: shown, path: '', message: `${overrides.by}: --backup chooses among the backups of a pgBackRest stanza or a Barman server; this drill takes its own backup`, fix: 'use --backup only with drills that have source: pgbackrest or source: barman' }] };
  }
  const overridden = overrides ? applyOverrides(data as Record<string, unknown>, overrides) : [];
  const parsed = drillSchema.safeParse(data);
  const problems: ConfigProblem[] = parsed.success
    ? []
    : parsed.error.issues.flatMap((i) => issueProblems(i, doc, shown, lineOf)).map((p) => {
        const by = overridden.find((o) => p.path === o || p.path.startsWith(`${o}.`));
        return by && overrides ? { ...p, message: `${p.message} (${by} is set by ${overrides.by})` } : p;
      });

  const fixtureNodes = doc.getIn(['workload', 'fixtures'], true) as Node | undefined;
  // Checked even when the schema failed, so every problem shows at once.
  const rawFixtures = (data as { workload?: { fixtures?: unknown } }).workload?.fixtures;
  const fixtures = parsed.success
    ? parsed.data.workload.fixtures
    : Array.isArray(rawFixtures)
      ? rawFixtures.filter((f): f is string => typeof f === 'string')
      : [];
  const fixturePaths = fixtures.map((f) => path.resolve(path.dirname(abs), f));
  fixturePaths.forEach((p, i) => {
    if (!existsSync(p) || !statSync(p).isFile()) {
      const item = doc.getIn(['workload', 'fixtures', i], true) as Node | undefined;
      const dir = existsSync(p);
      problems.push({
        file: shown,
        line: lineOf(item?.range?.[0] ?? fixtureNodes?.range?.[0]),
        path: `workload.fixtures[${i}]`,
        message: dir ? `fixture ${fixtures[i]} is a folder, not a SQL file (${p})` : `fixture file ${fixtures[i]} not found (looked at ${p})`,
        fix: dir ? 'list each SQL file of the folder' : 'fixture paths are relative to the drill file',
      });
    }
  });

  const verify = parsed.success ? resolveVerifyFiles(parsed.data.verify, abs, doc, shown, lineOf, problems) : [];
  const afterRestoreSteps = parsed.success ? resolveStepFiles(parsed.data.afterRestore, abs, doc, shown, lineOf, problems) : [];
  if (!parsed.success || problems.length > 0) return { problems: sortProblems(problems) };
  return withPolicy({ drill: { ...parsed.data, verify, afterRestore: afterRestoreSteps, file: abs, text: source, fixturePaths, lines: keyLines(doc.contents, '', lineOf) }, problems: [] });
}

/** A drill of an existing backup: its own schema, and its paths resolved against the drill file and checked. */
function inspectSourceDrill(
  abs: string,
  shown: string,
  text: string,
  doc: Document,
  data: object,
  lineOf: (offset: number | undefined) => number | undefined,
  overrides: DrillOverrides | undefined,
): { drill?: SourceDrill; problems: ConfigProblem[] } {
  if (overrides?.provider) (data as Record<string, unknown>)['provider'] = overrides.provider;
  if (overrides?.backup) {
    const src = (data as { source?: Record<string, unknown> }).source;
    const kind = src && typeof src === 'object' ? sourceKinds().find((k) => k.selection && src[k.key] && typeof src[k.key] === 'object') : undefined;
    if (!kind?.selection || !src) {
      return { problems: [{ file: shown, line: lineOf((doc.getIn(['source'], true) as Node | undefined)?.range?.[0]), path: 'source', message: `${overrides.by}: --backup chooses among the backups of a pgBackRest stanza or a Barman server; this source holds one backup`, fix: 'drop --backup for this drill' }] };
    }
    (src[kind.key] as Record<string, unknown>)[kind.selection] = overrides.backup;
  }
  const parsed = sourceDrillSchema().safeParse(data);
  const problems: ConfigProblem[] = parsed.success ? [] : parsed.error.issues.flatMap((i) => issueProblems(i, doc, shown, lineOf));
  if (!parsed.success) return { problems: sortProblems(problems) };
  const d = parsed.data;
  const resolve = (keyPath: string[], value: string | undefined, what: 'file' | 'folder' | 'any'): string | undefined => {
    if (value === undefined) return undefined;
    const p = path.resolve(path.dirname(abs), value);
    const ok = existsSync(p) && (what === 'any' || (what === 'file' ? statSync(p).isFile() : statSync(p).isDirectory()));
    if (!ok) {
      const node = doc.getIn(keyPath, true) as Node | undefined;
      problems.push({
        file: shown,
        line: lineOf(node?.range?.[0]),
        path: keyPath.join('.'),
        message: `${value} ${existsSync(p) ? `is not a ${what}` : 'not found'} (looked at ${p})`,
        fix: 'paths are relative to the drill file; pgdrill only reads them',
      });
    }
    return p;
  };
  const s = d.source;
  // Every path a kind of source names, resolved against the drill file and checked to exist (its tool says which keys hold paths).
  const given = s as Record<string, unknown>;
  const kind = sourceKinds().find((k) => given[k.key] !== undefined);
  const spec = kind ? { ...(given[kind.key] as Record<string, unknown>) } : {};
  for (const [key, what] of Object.entries(kind?.paths ?? {})) {
    const value = spec[key];
    if (typeof value === 'string') spec[key] = resolve(['source', kind?.key ?? '', key], value, what);
  }
  const resolved = kind ? { ...s, [kind.key]: spec } : s;
  if (s.live) {
    const variable = s.live.conninfo.slice('env:'.length);
    if (!process.env[variable]) {
      const node = doc.getIn(['source', 'live', 'conninfo'], true) as Node | undefined;
      problems.push({ file: shown, line: lineOf(node?.range?.[0]), path: 'source.live.conninfo', message: `${variable} is not set in the environment`, fix: `export ${variable}=postgresql://<marker role>@<host>/<database> (README: "A measured RPO: live")` });
    }
  }
  const verify = resolveVerifyFiles(d.verify, abs, doc, shown, lineOf, problems);
  const afterRestoreSteps = resolveStepFiles(d.afterRestore, abs, doc, shown, lineOf, problems);
  if (problems.length > 0) return { problems: sortProblems(problems) };
  return { drill: { ...d, verify, afterRestore: afterRestoreSteps, source: resolved, file: abs, text, lines: keyLines(doc.contents, '', lineOf) }, problems: [] };
}

/**
 * The files a verify list names (a schema snapshot), resolved against the drill file and checked to exist: the
 * drill is refused before anything starts when one is missing.
 */
function resolveVerifyFiles<T extends object>(verify: T[], abs: string, doc: Document, shown: string, lineOf: (offset: number | undefined) => number | undefined, problems: ConfigProblem[]): T[] {
  const inMap = isMap(doc.getIn(['verify'], true));
  return verify.map((c, i) => {
    if (!('schema' in c) || typeof c.schema !== 'string') return c;
    const file = path.resolve(path.dirname(abs), c.schema);
    if (!existsSync(file) || !statSync(file).isFile()) {
      const keyPath = inMap ? ['verify', 'checks', i, 'schema'] : ['verify', i, 'schema'];
      problems.push({ file: shown, line: lineOf((doc.getIn(keyPath, true) as Node | undefined)?.range?.[0]), path: keyPath.join('.').replace(/\.(\d+)/g, '[$1]'), message: `schema snapshot ${c.schema} not found (looked at ${file})`, fix: 'write one with pgdrill schema snapshot --database <db> --out <file> (paths are relative to the drill file)' });
    }
    return { ...c, schema: file };
  });
}

/** afterRestore SQL files, resolved against the drill file and checked to exist. */
function resolveStepFiles<T extends object>(steps: T[], abs: string, doc: Document, shown: string, lineOf: (offset: number | undefined) => number | undefined, problems: ConfigProblem[]): T[] {
  return steps.map((step, i) => {
    if (!('sql' in step) || typeof step.sql !== 'string' || !isSqlFile(step.sql)) return step;
    const file = path.resolve(path.dirname(abs), step.sql);
    if (!existsSync(file) || !statSync(file).isFile()) {
      problems.push({ file: shown, line: lineOf((doc.getIn(['afterRestore', i, 'sql'], true) as Node | undefined)?.range?.[0]), path: `afterRestore[${i}].sql`, message: `SQL file ${step.sql} not found (looked at ${file})`, fix: 'paths are relative to the drill file; or write the statement itself' });
    }
    return { ...step, sql: file };
  });
}

/** Puts the overrides into the raw data; returns the key paths they replaced. */
function applyOverrides(data: Record<string, unknown>, o: DrillOverrides): string[] {
  const paths: string[] = [];
  const section = (key: string) => {
    const v = data[key];
    const obj = v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
    data[key] = obj;
    return obj;
  };
  if (o.provider) {
    data['provider'] = o.provider;
    paths.push('provider');
  }
  if (o.method) {
    const backup = section('backup');
    backup['method'] = o.method;
    paths.push('backup.method', 'backup');
    // One drill file for several methods (compare): each keeps the options it takes (backup.repo for pgbackrest,
    // backup.cloud for barman-cloud); the others drop them.
    const takes = methodFacts(o.method)?.options ?? {};
    for (const key of ['repo', 'cloud'] as const) if (!takes[key]) delete backup[key];
  }
  if (o.target) {
    section('recovery')['target'] = o.target;
    paths.push('recovery.target');
  }
  return paths;
}

/** Every key path of the document with its line: recovery.at -> 12. */
function keyLines(node: unknown, prefix: string, lineOf: (offset: number | undefined) => number | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  if (!isMap(node)) return out;
  for (const pair of node.items) {
    if (!isScalar(pair.key)) continue;
    const key = `${prefix}${prefix ? '.' : ''}${String(pair.key.value)}`;
    const line = lineOf(pair.key.range?.[0]);
    if (line !== undefined) out[key] = line;
    Object.assign(out, keyLines(pair.value, key, lineOf));
  }
  return out;
}

function sortProblems(problems: ConfigProblem[]): ConfigProblem[] {
  return problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}

type Issue = z.core.$ZodIssue;

function issueProblems(
  issue: Issue,
  doc: Document,
  file: string,
  lineOf: (offset: number | undefined) => number | undefined,
): ConfigProblem[] {
  const issuePath = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  // verify: { database, as, checks: [...] } is validated as its list: point at the check where the file has it.
  if (issuePath[0] === 'verify' && typeof issuePath[1] === 'number' && isMap(doc.getIn(['verify'], true))) issuePath.splice(1, 0, 'checks');
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => {
      const keyPath = [...issuePath, key];
      return {
        file,
        line: lineOf(keyOffset(doc, issuePath, key)),
        path: formatPath(keyPath),
        message: `unknown key "${key}"`,
        fix: `remove it or check its spelling${suggestKey(issuePath)}`,
      };
    });
  }
  const node = nearestNode(doc, issuePath);
  let message = issue.message;
  if (issue.code === 'invalid_type' && issue.input === undefined) message = `is required (${message})`;
  // z.never() marks keys that do not belong: the message says so by itself.
  if (issue.code === 'invalid_type' && issue.expected === 'never') message = issue.message;
  return [{ file, line: lineOf(node), path: formatPath(issuePath), message }];
}

function suggestKey(parent: (string | number)[]): string {
  const known: Record<string, string> = {
    '': 'name, description, objectives, postgres, provider, backup, workload, incident, expect, recovery, verify, timeouts',
    objectives: 'rto, rpo, maxBackupAge, validateEvery, or from (a policy file)',
    postgres: 'version, image, settings',
    workload: 'fixtures, pgbench, heartbeat, runFor, background',
    recovery: 'target, at, marker, xid, lsn, name, inclusive, timeline, timeout',
    backup: 'method',
  };
  const keys = known[parent.join('.')];
  return keys ? ` (allowed here: ${keys})` : '';
}

function formatPath(p: (string | number)[]): string {
  return p.map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? part : `.${part}`)).join('');
}

/** Offset of the key itself, so "unknown key" points at the offending line. */
function keyOffset(doc: Document, parent: (string | number)[], key: string): number | undefined {
  const map = parent.length === 0 ? doc.contents : doc.getIn(parent, true);
  if (isMap(map)) {
    for (const pair of map.items) {
      if (isScalar(pair.key) && pair.key.value === key) return pair.key.range?.[0];
    }
    return map.range?.[0];
  }
  return undefined;
}

/** The deepest node along the issue's path that exists (a missing key points at its parent). */
function nearestNode(doc: Document, p: (string | number)[]): number | undefined {
  for (let n = p.length; n >= 0; n--) {
    const sub = p.slice(0, n);
    const node = (n === 0 ? doc.contents : doc.getIn(sub, true)) as Node | null | undefined;
    if (node && typeof node === 'object' && 'range' in node && node.range) {
      if (n > 0 && n === p.length) {
        // Point at the key line rather than the value when the value is a block.
        const parentNode = n === 1 ? doc.contents : doc.getIn(sub.slice(0, -1), true);
        const last = sub[sub.length - 1];
        if (isMap(parentNode) && typeof last === 'string') {
          const off = keyOffset(doc, sub.slice(0, -1), last);
          if (off !== undefined) return off;
        }
      }
      return node.range[0];
    }
  }
  return 0;
}
