// deploy/kubernetes/: every manifest validated against the Kubernetes schemas (kubernetes-models, offline),
// and what the README promises of them: an Indexed Job whose pod k runs shard k+1 of as many shards as there
// are completions, the image of this version, no API access (no token, no Role), secrets only as the pgdrill
// container's environment, and drills in the ConfigMap that pgdrill itself accepts.
import { expect } from 'chai';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CronJob } from 'kubernetes-models/batch/v1';
import { ConfigMap, Namespace, Secret, ServiceAccount } from 'kubernetes-models/v1';
import { parse } from 'yaml';
import { inspectDrill } from '../drill/loader.js';
import { ROOT } from '../test-support/cli.js';
import { tempDir } from '../test-support/temp-dirs.js';
import { PGDRILL_VERSION } from '../version.js';

const DIR = path.join(ROOT, 'deploy', 'kubernetes');
const MODELS = { CronJob, ConfigMap, Secret, ServiceAccount, Namespace } as const;
type Doc = { kind: keyof typeof MODELS } & Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const docs = (): Record<string, Doc> => Object.fromEntries(readdirSync(DIR).map((f) => [f, parse(readFileSync(path.join(DIR, f), 'utf8')) as Doc]));

describe('Kubernetes manifests (deploy/kubernetes)', () => {
  it('each validates against its Kubernetes schema; a wrong field would not', () => {
    for (const [file, doc] of Object.entries(docs())) {
      const Model = MODELS[doc.kind];
      expect(Model, `${file}: kind ${doc.kind}`).to.not.equal(undefined);
      expect(() => new Model(doc as never).validate(), file).to.not.throw();
    }
    const broken = docs()['cronjob.yaml']!;
    broken['spec'].jobTemplate.spec.completionMode = 'Sideways';
    expect(() => new CronJob(broken as never).validate()).to.throw(/completionMode/);
  });

  it('an Indexed Job of this version: pod k runs shard k+1 of completions; no API token, no Role; secrets only as env', () => {
    const all = docs();
    const cron = all['cronjob.yaml']!;
    const job = cron['spec'].jobTemplate.spec;
    expect(job.completionMode).to.equal('Indexed');
    expect(job.parallelism).to.equal(job.completions);
    const pod = job.template.spec;
    const container = pod.containers[0];
    expect(container.image).to.equal(`pgdrill/pgdrill:${PGDRILL_VERSION}`);
    expect(container.args.join(' ')).to.contain(`--shard $$((JOB_COMPLETION_INDEX + 1))/${job.completions}`);
    expect(pod.automountServiceAccountToken).to.equal(false);
    expect(all['serviceaccount.yaml']!['automountServiceAccountToken']).to.equal(false);
    expect(Object.values(all).map((d) => d.kind)).to.not.include.members(['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']);
    expect(container.envFrom).to.deep.equal([{ secretRef: { name: 'pgdrill' } }]);
    expect(JSON.stringify(pod)).to.not.match(/hooks\.slack\.com|BEGIN PRIVATE KEY/);
  });

  it('the drills in the ConfigMap are valid pgdrill drills', () => {
    const dir = tempDir('drilltest-k8s-');
    for (const [name, text] of Object.entries(docs()['configmap.yaml']!['data'] as Record<string, string>)) {
      const file = path.join(dir, name);
      writeFileSync(file, text.replaceAll('/opt/pgdrill/', `${ROOT}/`)); // in the image, /opt/pgdrill is this package
      expect(inspectDrill(file).problems, name).to.deep.equal([]);
    }
  });
});
