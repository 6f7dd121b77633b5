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
});
