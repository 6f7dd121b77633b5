import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../test-support/cli.js';
import { FINDING_CODES, withCode } from './finding-codes.js';

describe('finding codes', () => {
  it('every failing code a check can carry is listed with its meaning, in FINDING_CODES and in the README', () => {
    const walk = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [path.join(d, e.name)] : []));
    const used = new Set<string>();
    for (const f of [...walk(path.join(ROOT, 'src', 'verify')), path.join(ROOT, 'src', 'model', 'judge.ts')]) {
      for (const m of readFileSync(f, 'utf8').matchAll(/status: 'failed', code: '([a-z-]+)'|code: (?:\w+ \? '[a-z-]+' : )?'([a-z-]+)'/g)) used.add((m[1] ?? m[2]) as string);
    }
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const passing = new Set(['sql', 'sequences', 'extensions', 'collations', 'roles', 'schema']);
    for (const code of [...used].filter((c) => !passing.has(c))) {
      expect(FINDING_CODES, code).to.have.property(code);
      expect(readme, code).to.contain(`| \`${code}\` |`);
    }
    expect(used.size).to.be.greaterThan(8);
  });
  it('a check named but not coded gets its code from its name, by outcome', () => {
    expect(withCode({ name: 'recovery target reached', status: 'failed', detail: '' }).code).to.equal('target-not-reached');
    expect(withCode({ name: 'recovery target reached', status: 'passed', detail: '' }).code).to.equal('target-reached');
    expect(withCode({ name: 'x', status: 'failed', detail: '', code: 'sequence-behind' }).code).to.equal('sequence-behind');
  });
});
