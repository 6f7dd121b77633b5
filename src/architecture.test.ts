// The rules of docs/architecture.md, checked on every import of every source file: a change that breaks one
// fails here with the file and the import.
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './test-support/cli.js';

const SRC = path.join(ROOT, 'src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'test-support' ? [] : sources(full);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [full] : [];
  });
}

/** Every import of the library: [file, top folder of the file, imported module (src folder or package)]. */
function imports(): Array<{ file: string; from: string; to: string }> {
  return sources(SRC).flatMap((file) => {
    const from = path.relative(SRC, file).split(path.sep)[0] ?? '';
    return [...readFileSync(file, 'utf8').matchAll(/^(?:import|export)\s[^'"]*?from\s+'([^']+)'/gm)].map((m) => {
      const spec = m[1] ?? '';
      const to = spec.startsWith('.') ? (path.relative(SRC, path.resolve(path.dirname(file), spec)).split(path.sep)[0] ?? '') : spec;
      return { file: path.relative(ROOT, file), from, to };
    });
  });
}

const RULES: Array<{ rule: string; from: string[]; forbidden: string[] }> = [
  { rule: 'adapters never import the runner, the CLI or the outputs', from: ['backup', 'providers', 'incidents', 'sources'], forbidden: ['runner', 'cli', 'report', 'notify', 'evidence', 'compare'] },
  { rule: 'outputs read results and never touch live servers', from: ['report', 'notify', 'evidence'], forbidden: ['providers', 'backup', 'incidents', 'runner', 'pg', 'testcontainers'] },
  { rule: 'the proof and the judgement never depend on how a drill is run', from: ['verify', 'model'], forbidden: ['runner', 'cli', 'report', 'notify', 'evidence', 'compare'] },
  { rule: 'the library never reaches the CLI', from: ['backup', 'providers', 'incidents', 'sources', 'verify', 'model', 'runner', 'report', 'notify', 'evidence', 'compare', 'drill', 'exec', 'recovery'], forbidden: ['cli'] },
];

describe('architecture rules (docs/architecture.md)', () => {
  const all = imports();
  it('finds the imports it checks', () => {
    expect(all.length).to.be.greaterThan(200);
    expect(all.some((i) => i.from === 'runner' && i.to === 'verify')).to.equal(true);
  });
  for (const r of RULES) {
    it(r.rule, () => {
      const broken = all.filter((i) => r.from.includes(i.from) && r.forbidden.includes(i.to)).map((i) => `${i.file} imports ${i.to}`);
      expect(broken).to.deep.equal([]);
    });
  }
});
