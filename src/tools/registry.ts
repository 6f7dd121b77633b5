// The tools pgdrill drives, one line each: adding one is its folder (with a tool.ts) and a line here. Backup
// method names and facts, the options of `backup:`, the kinds of `source:` and their schemas are read from here
// only: by the schemas, the loader, the provider choice, compare and the CLI.
import type { z } from 'zod';
import type { BackupMethod, BackupOptions, MethodAdapter, MethodFacts } from './backup-method.js';
import { barmanCloudTool } from './barman-cloud/tool.js';
import { barmanTool } from './barman/tool.js';
import { pgBasebackupTool } from './pg-basebackup/tool.js';
import { pgDumpTool } from './pg-dump/tool.js';
import { pgbackrestTool } from './pgbackrest/tool.js';
import type { BackupSource } from './source.js';
import type { SourceKind, Tool } from './tool.js';

const tools: Tool[] = [pgBasebackupTool, pgbackrestTool, barmanTool, barmanCloudTool, pgDumpTool];

/** Adds a tool (tests register their own; the built-in ones are listed above). */
export function registerTool(tool: Tool): void {
  tools.push(tool);
}

/** Registers a single backup method as a tool of its own. */
export function registerBackupMethod(name: string, adapter: MethodAdapter): void {
  registerTool({ name, methods: { [name]: adapter } });
}

function methods(): Map<string, MethodAdapter> {
  return new Map(tools.flatMap((t) => Object.entries(t.methods ?? {})));
}

export function backupMethodNames(): string[] {
  return [...methods().keys()];
}

export function methodFacts(name: string): MethodFacts | undefined {
  return methods().get(name)?.facts;
}

/** Names of the methods with a capability, for messages ("it works with ..."). */
export function methodsWith(fact: keyof MethodFacts): string[] {
  return [...methods()].filter(([, m]) => m.facts[fact]).map(([name]) => name);
}

/** The facts of a method instance: its class's (a subclass inherits them). */
export function factsOf(method: BackupMethod): MethodFacts {
  const facts = (method.constructor as Partial<MethodAdapter>).facts ?? methodFacts(method.name);
  if (!facts) throw new Error(`backup method ${method.name} declares no facts`);
  return facts;
}

export function backupMethod(name: string, options: BackupOptions = {}): BackupMethod {
  const Adapter = methods().get(name);
  if (!Adapter) throw new Error(`unknown backup method ${name}`);
  return new Adapter(options);
}

/** The sections of `backup:` besides method (backup.repo, backup.cloud), each with its schema. */
export function backupOptionSchemas(): Record<string, z.ZodType> {
  return Object.assign({}, ...tools.map((t) => t.options ?? {})) as Record<string, z.ZodType>;
}

/** Every kind of existing backup, in the order drill files list them. */
export function sourceKinds(): SourceKind[] {
  return tools.flatMap((t) => (t.source ? [t.source] : []));
}

/** How many tools are registered: schemas built from the registry are rebuilt when it grows. */
export function registryGeneration(): number {
  return tools.length;
}

/** The source a drill names (`source: { <key>: ... }`, already validated), as its adapter. */
export function createSource(source: { seed?: number | undefined }): BackupSource {
  const given = source as Record<string, unknown>;
  const kind = sourceKinds().find((k) => given[k.key] !== undefined);
  if (!kind) throw new Error(`source kind not implemented: ${Object.keys(source).join(', ')}`);
  return kind.create(given[kind.key], source.seed);
}
