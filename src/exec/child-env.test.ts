import { expect } from 'chai';
import { childEnv } from './child-env.js';

describe('child process environment', () => {
  it('passes an allow-list and what the caller gives on purpose, never secrets or CI tokens', () => {
    const env = childEnv(
      { PGPASSWORD: 'for-this-client' },
      { PATH: '/usr/bin', TZ: 'UTC', DOCKER_HOST: 'unix:///run/docker.sock', PGDRILL_SIGNING_KEY: 'k', SLACK_WEBHOOK_URL: 'https://hooks', GITHUB_TOKEN: 'ghp', AWS_SECRET_ACCESS_KEY: 's', PGPASSWORD: 'outer' },
    );
    expect(env).to.include({ PATH: '/usr/bin', TZ: 'UTC', DOCKER_HOST: 'unix:///run/docker.sock', PGPASSWORD: 'for-this-client', LC_MESSAGES: 'C' });
    for (const secret of ['PGDRILL_SIGNING_KEY', 'SLACK_WEBHOOK_URL', 'GITHUB_TOKEN', 'AWS_SECRET_ACCESS_KEY']) expect(env).not.to.have.property(secret);
    expect(childEnv({}, { PGPASSWORD: 'outer' })).not.to.have.property('PGPASSWORD');
  });
});
