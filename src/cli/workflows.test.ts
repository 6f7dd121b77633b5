// The GitHub Actions workflows pgdrill ships (its own weekly drill and the one `pgdrill init` writes), checked
// against GitHub's workflow schema with GitHub's own parser, and for what makes a weekly CI remember: the
// evidence store pulled and pushed by the run, and verified with a pinned key.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';
import { ROOT } from '../test-support/cli.js';

/** Parsed and converted by GitHub's own parser, asserting neither step reported an error. */
async function validWorkflow(file: string, content: string) {
  const parsed = parseWorkflow({ name: file, content }, new NoOperationTraceWriter());
  expect(parsed.context.errors.getErrors().map((e) => e.message), file).to.deep.equal([]);
  const template = await convertWorkflowTemplate(parsed.context, parsed.value!);
  expect(template.errors ?? [], file).to.deep.equal([]);
  return template;
}

const WORKFLOWS = ['.github/workflows/weekly-drill.yml', 'src/cli/templates/pgdrill-weekly.yml'];

describe('shipped workflows', () => {
  for (const file of WORKFLOWS) {
    it(`${file}: valid for GitHub Actions; the run pulls and pushes the evidence store, verification pins the key`, async () => {
      const content = readFileSync(path.join(ROOT, file), 'utf8');
      const template = await validWorkflow(file, content);
      expect(template.jobs.map((j) => j.id.value)).to.deep.equal(['drill', 'publish']);
      expect(content).to.match(/PGDRILL_EVIDENCE_STORE: git\+\$\{\{ github.server_url \}\}\/\$\{\{ github.repository \}\}\.git#pgdrill-evidence/);
      expect(content).to.contain('PGDRILL_GIT_TOKEN: ${{ github.token }}').and.contain('contents: write');
      expect(content).to.match(/evidence verify --store "\$PGDRILL_EVIDENCE_STORE" --public-key/);
    });
  }

  it('docs/examples/fleet-weekly.yml: valid; the matrix comes from pgdrill plan, each shard runs --shard, one job aggregates into the store', async () => {
    const file = 'docs/examples/fleet-weekly.yml';
    const content = readFileSync(path.join(ROOT, file), 'utf8');
    const template = await validWorkflow(file, content);
    expect(template.jobs.map((j) => j.id.value)).to.deep.equal(['plan', 'drill', 'aggregate']);
    expect(content).to.contain('plan drills/ --shards 4 --format github-matrix').and.contain('fromJSON(needs.plan.outputs.matrix)');
    expect(content).to.contain('--shard ${{ matrix.shard }}/${{ matrix.of }}').and.contain('aggregate shards/* --out reports --drills drills/ --within 8d');
  });

  it('.github/workflows/release.yml: valid; npm publish with provenance through OIDC (no token), the major tag moved, the image FROM a digest', async () => {
    const file = '.github/workflows/release.yml';
    const content = readFileSync(path.join(ROOT, file), 'utf8');
    const template = await validWorkflow(file, content);
    expect(template.jobs.map((j) => j.id.value)).to.deep.equal(['npm', 'image']);
    expect(content).to.contain('id-token: write').and.contain('npm publish --provenance --access public');
    expect(content, 'trusted publishing: no long-lived token').not.to.match(/NPM_TOKEN|NODE_AUTH_TOKEN/);
    expect(content).to.contain('git tag -f "$major"').and.match(/--build-arg "BASE=\$BASE"/);
    expect(readFileSync(path.join(ROOT, 'deploy/docker/Dockerfile'), 'utf8')).to.match(/^ARG BASE=node:22-bookworm-slim\nFROM \$\{BASE\}$/m);
  });

  it('docs/examples/action-weekly.yml: valid; uses the action pinned by a full commit SHA, with the store and secrets as inputs', async () => {
    const file = 'docs/examples/action-weekly.yml';
    const content = readFileSync(path.join(ROOT, file), 'utf8');
    await validWorkflow(file, content);
    expect(content).to.match(/uses: pgdrill\/pgdrill@[0-9a-f]{40} # v\d+\.\d+\.\d+/);
    expect(content).to.contain('signing-key: ${{ secrets.PGDRILL_SIGNING_KEY }}').and.contain('slack-webhook: ${{ secrets.SLACK_WEBHOOK_URL }}');
  });

  // GitHub's runners dropped the Node 20 runtime for JavaScript actions in 2026: each action's first major that
  // runs on node24 by default (from the actions' release notes: checkout v5, setup-node v5, upload-artifact v6,
  // download-artifact v7, upload-pages-artifact v5 (it wraps upload-artifact v7), deploy-pages v5).
  const NODE24: Record<string, number> = { 'actions/checkout': 5, 'actions/setup-node': 5, 'actions/upload-artifact': 6, 'actions/download-artifact': 7, 'actions/upload-pages-artifact': 5, 'actions/deploy-pages': 5 };
  it('every action a shipped workflow uses runs on Node 24, and the project CI tests Node 20, 22 and 24', async () => {
    const files = [...WORKFLOWS, 'docs/examples/fleet-weekly.yml', '.github/workflows/ci.yml', '.github/workflows/release.yml', 'action.yml', 'docs/examples/action-weekly.yml'];
    const used: string[] = [];
    for (const file of files) {
      const content = readFileSync(path.join(ROOT, file), 'utf8');
      // action.yml is an action, not a workflow (action.integration.test.ts parses it with the action schema).
      if (file !== 'action.yml') {
        const parsed = parseWorkflow({ name: file, content }, new NoOperationTraceWriter());
        expect(parsed.context.errors.getErrors().map((e) => e.message), file).to.deep.equal([]);
      }
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
