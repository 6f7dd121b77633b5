// The rules of docs/architecture.md, checked on every import of every source file (static, type-only, re-exports,
// side-effect and dynamic import()): a change that breaks one fails here with the file and the import.
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { ROOT } from './test-support/cli.js';

const SRC = path.join(ROOT, 'src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'test-support' ? [] : sources(full);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [full] : [];
  });
}

/** The top folder of a file of src/ ('' for the files at its root: errors, version, index, polyfills). */
const topOf = (file: string) => {
  const parts = path.relative(SRC, file).split(path.sep);
  return parts.length > 1 ? (parts[0] ?? '') : '';
};

interface Import {
  file: string;
  from: string;
  /** The imported file of src/ (relative imports), or undefined for a package. */
  target: string | undefined;
  /** Its top folder, or the package name. */
  to: string;
}

/** Every import form, read by TypeScript's own parser (so no form can slip past a regular expression). */
function importsOf(file: string): Import[] {
  const text = readFileSync(file, 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const specs: string[] = [];
  const visit = (n: ts.Node) => {
    if ((ts.isImportDeclaration(n) || ts.isExportDeclaration(n)) && n.moduleSpecifier && ts.isStringLiteral(n.moduleSpecifier)) specs.push(n.moduleSpecifier.text);
    if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword && n.arguments[0] && ts.isStringLiteral(n.arguments[0])) specs.push(n.arguments[0].text);
    if (ts.isImportTypeNode(n) && ts.isLiteralTypeNode(n.argument) && ts.isStringLiteral(n.argument.literal)) specs.push(n.argument.literal.text);
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return specs.map((spec) => {
    if (!spec.startsWith('.')) return { file: path.relative(ROOT, file), from: topOf(file), target: undefined, to: spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] ?? spec) };
    const target = path.resolve(path.dirname(file), spec).replace(/\.js$/, '.ts');
    return { file: path.relative(ROOT, file), from: topOf(file), target, to: topOf(target) };
  });
}

/**
 * What each top folder may import, besides itself and the root files (errors, version). Every top folder of src/ has
 * an entry, so a new folder must say where it sits.
 */
const MAY_IMPORT: Record<string, string[]> = {
  model: [], // the result, the judge, exit codes, formats: nothing of the rest
  exec: [], // the one child-process wrapper
  pipeline: [], // findings of a backup pipeline, read-only queries
  pg: ['providers'], // Postgres facts; its queries go through the provider port
  providers: ['exec'],
  drill: ['pg', 'tools', 'incidents'], // the schemas compose the registries' fragments
  tools: ['drill', 'exec', 'model', 'pg', 'pipeline', 'providers'],
  incidents: ['drill', 'model', 'pg', 'providers', 'tools', 'verify'],
  verify: ['drill', 'exec', 'incidents', 'model', 'pg', 'providers', 'tools'],
  runner: ['drill', 'evidence', 'exec', 'incidents', 'model', 'pg', 'pipeline', 'providers', 'report', 'tools', 'verify'],
  report: ['model', 'notify', 'pipeline'],
  notify: ['exec', 'model', 'pipeline'],
  evidence: ['drill', 'exec', 'model'],
  compare: ['drill', 'evidence', 'model', 'providers', 'report', 'runner', 'tools'],
  fleet: ['evidence', 'model', 'report', 'runner'],
  cli: ['compare', 'drill', 'evidence', 'exec', 'fleet', 'model', 'notify', 'providers', 'report', 'runner', 'tools', 'verify'],
};

const RULES: Array<{ rule: string; from: string[]; forbidden: string[] }> = [
  { rule: 'adapters never import the runner, the CLI or the outputs', from: ['tools', 'providers', 'incidents'], forbidden: ['runner', 'cli', 'report', 'notify', 'evidence', 'compare'] },
  { rule: 'outputs read results and never touch live servers', from: ['report', 'notify', 'evidence'], forbidden: ['providers', 'tools', 'incidents', 'runner', 'pg', 'testcontainers'] },
  { rule: 'the proof and the judgement never depend on how a drill is run', from: ['verify', 'model'], forbidden: ['runner', 'cli', 'report', 'notify', 'evidence', 'compare'] },
  { rule: 'the library never reaches the CLI', from: Object.keys(MAY_IMPORT).filter((f) => f !== 'cli'), forbidden: ['cli'] },
];

/** Import cycles among files: each strongly connected component of more than one file (Tarjan). */
function cycles(edges: Map<string, string[]>): string[][] {
  let index = 0;
  const stack: string[] = [];
  const on = new Set<string>();
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const found: string[][] = [];
  const strong = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!idx.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v) ?? 0, idx.get(w) ?? 0));
    }
    if (low.get(v) === idx.get(v)) {
      const c: string[] = [];
      let w: string | undefined;
      do {
        w = stack.pop();
        if (w) {
          on.delete(w);
          c.push(path.relative(SRC, w));
        }
      } while (w && w !== v);
      if (c.length > 1) found.push(c.sort());
    }
  };
  for (const v of edges.keys()) if (!idx.has(v)) strong(v);
  return found;
}

describe('architecture rules (docs/architecture.md)', () => {
  const files = sources(SRC);
  const all = files.flatMap(importsOf);

  it('finds the imports it checks, dynamic and type-only ones included', () => {
    expect(all.length).to.be.greaterThan(500);
    expect(all.some((i) => i.from === 'runner' && i.to === 'verify')).to.equal(true);
    expect(all.some((i) => i.file === 'src/cli/commands/run.ts' && i.to === 'runner')).to.equal(true); // import('../../runner/run-drills.js')
  });

  it('no import circle anywhere in src/ (every import form counts: a type-only cycle still tangles the design)', () => {
    const edges = new Map(files.map((f) => [f, all.filter((i) => i.file === path.relative(ROOT, f) && i.target).map((i) => i.target as string)]));
    expect(cycles(edges)).to.deep.equal([]);
  });

  it('every top folder has a place in the dependency map, and imports only what its entry allows', () => {
    // Folders of library code (a folder of tests alone, like conformance/, is no layer).
    const folders = [...new Set(files.map(topOf).filter(Boolean))];
    expect(folders.filter((f) => !(f in MAY_IMPORT))).to.deep.equal([]);
    const broken = all
      .filter((i) => i.target && i.from && i.to && i.to !== i.from && !(MAY_IMPORT[i.from] ?? []).includes(i.to))
      .map((i) => `${i.file} imports ${path.relative(SRC, i.target ?? '')}`);
    expect(broken).to.deep.equal([]);
  });

  for (const r of RULES) {
    it(r.rule, () => {
      const broken = all.filter((i) => r.from.includes(i.from) && r.forbidden.includes(i.to)).map((i) => `${i.file} imports ${i.to}`);
      expect(broken).to.deep.equal([]);
    });
  }

  it('every child process goes through exec/ (a timeout, the cancel signal, the allow-listed environment)', () => {
    const direct = all.filter((i) => ['node:child_process', 'child_process', 'execa'].includes(i.to) && i.from !== 'exec').map((i) => i.file);
    expect(direct).to.deep.equal([]);
  });

  it('no function is longer than 120 lines', () => {
    const long: string[] = [];
    for (const file of files) {
      const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
      const visit = (n: ts.Node) => {
        if (ts.isFunctionLike(n) && 'body' in n && n.body) {
          const lines = sf.getLineAndCharacterOfPosition(n.getEnd()).line - sf.getLineAndCharacterOfPosition(n.getStart()).line + 1;
          if (lines > 120) long.push(`${path.relative(ROOT, file)}:${sf.getLineAndCharacterOfPosition(n.getStart()).line + 1} (${lines} lines)`);
        }
        ts.forEachChild(n, visit);
      };
      visit(sf);
    }
    expect(long).to.deep.equal([]);
  });

  it('cli/main.ts only wires the commands: each command is a file of cli/commands/', () => {
    const main = readFileSync(path.join(SRC, 'cli', 'main.ts'), 'utf8');
    expect(main).not.to.match(/\.action\(|\.option\(|\.command\(/);
    const commands = readdirSync(path.join(SRC, 'cli', 'commands')).filter((f) => f.endsWith('.ts'));
    for (const c of commands) expect(main, c).to.contain(`./commands/${c.replace(/\.ts$/, '.js')}`);
  });
});
