// The GitHub Actions workflows pgdrill ships (its own weekly drill and the one `pgdrill init` writes), checked
// against GitHub's workflow schema with GitHub's own parser, and for what makes a weekly CI remember: the
// evidence store pulled and pushed by the run, and verified with a pinned key.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';
import { ROOT } from '../test-support/cli.js';

const WORKFLOWS = ['.github/workflows/weekly-drill.yml', 'src/cli/templates/pgdrill-weekly.yml'];

describe('shipped workflows', () => {
  for (const file of WORKFLOWS) {
    it(`${file}: valid for GitHub Actions; the run pulls and pushes the evidence store, verification pins the key`, async () => {
      const content = readFileSync(path.join(ROOT, file), 'utf8');
      const parsed = parseWorkflow({ name: file, content }, new NoOperationTraceWriter());
      expect(parsed.context.errors.getErrors().map((e) => e.message)).to.deep.equal([]);
      const template = await convertWorkflowTemplate(parsed.context, parsed.value!);
      expect(template.errors ?? []).to.deep.equal([]);
      expect(template.jobs.map((j) => j.id.value)).to.deep.equal(['drill', 'publish']);
      expect(content).to.match(/PGDRILL_EVIDENCE_STORE: git\+\$\{\{ github.server_url \}\}\/\$\{\{ github.repository \}\}\.git#pgdrill-evidence/);
      expect(content).to.contain('PGDRILL_GIT_TOKEN: ${{ github.token }}').and.contain('contents: write');
      expect(content).to.match(/evidence verify --store "\$PGDRILL_EVIDENCE_STORE" --public-key/);
    });
  }

  it('docs/examples/fleet-weekly.yml: valid; the matrix comes from pgdrill plan, each shard runs --shard, one job aggregates into the store', async () => {
    const file = 'docs/examples/fleet-weekly.yml';
    const content = readFileSync(path.join(ROOT, file), 'utf8');
    const parsed = parseWorkflow({ name: file, content }, new NoOperationTraceWriter());
    expect(parsed.context.errors.getErrors().map((e) => e.message)).to.deep.equal([]);
    const template = await convertWorkflowTemplate(parsed.context, parsed.value!);
    expect(template.errors ?? []).to.deep.equal([]);
    expect(template.jobs.map((j) => j.id.value)).to.deep.equal(['plan', 'drill', 'aggregate']);
    expect(content).to.contain('plan drills/ --shards 4 --format github-matrix').and.contain('fromJSON(needs.plan.outputs.matrix)');
    expect(content).to.contain('--shard ${{ matrix.shard }}/${{ matrix.of }}').and.contain('aggregate shards/* --out reports --drills drills/ --within 8d');
  });

  // GitHub's runners dropped the Node 20 runtime for JavaScript actions in 2026: each action's first major that
  // runs on node24 by default (from the actions' release notes: checkout v5, setup-node v5, upload-artifact v6,
  // download-artifact v7, upload-pages-artifact v5 (it wraps upload-artifact v7), deploy-pages v5).
  const NODE24: Record<string, number> = { 'actions/checkout': 5, 'actions/setup-node': 5, 'actions/upload-artifact': 6, 'actions/download-artifact': 7, 'actions/upload-pages-artifact': 5, 'actions/deploy-pages': 5 };
  it('every action a shipped workflow uses runs on Node 24, and the project CI tests Node 20, 22 and 24', async () => {
    const files = [...WORKFLOWS, 'docs/examples/fleet-weekly.yml', '.github/workflows/ci.yml'];
    const used: string[] = [];
    for (const file of files) {
      const content = readFileSync(path.join(ROOT, file), 'utf8');
      const parsed = parseWorkflow({ name: file, content }, new NoOperationTraceWriter());
      expect(parsed.context.errors.getErrors().map((e) => e.message), file).to.deep.equal([]);
      for (const m of content.matchAll(/uses: ([\w-]+\/[\w-]+)@v(\d+)/g)) {
        const [action, major] = [m[1] as string, Number(m[2])];
        used.push(action);
        expect(NODE24[action], `${file}: ${action} is not in the table of Node 24 majors: look its runtime up and add it`).to.be.a('number');
        expect(major, `${file}: ${action}@v${major} runs on Node 20`).to.be.at.least(NODE24[action] as number);
      }
    }
    expect(new Set(used).size).to.be.at.least(5);
    expect(readFileSync(path.join(ROOT, '.github/workflows/ci.yml'), 'utf8')).to.match(/node: \[20, 22, 24\]/);
  });
});
