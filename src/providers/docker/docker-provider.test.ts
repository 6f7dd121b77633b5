import { expect } from 'chai';
import { DockerProvider } from './docker-provider.js';

describe('docker provider state', () => {
  it('keeps each drill\'s image and mounts to itself: nothing is written to process.env', () => {
    const before = { image: process.env['PGDRILL_IMAGE'], mounts: process.env['PGDRILL_DOCKER_MOUNTS'] };
    const a = new DockerProvider('postgres:15', 'test', ['/srv/a']);
    const b = new DockerProvider('example/pg:15', 'test', ['/srv/b']);
    expect(a.toolEnv('/tmp/w1/pgdrill-a')).to.include({ PGDRILL_IMAGE: 'postgres:15', PGDRILL_DOCKER_MOUNTS: '/tmp/w1 /srv/a', PGDRILL_WORKDIR: '/tmp/w1/pgdrill-a' });
    expect(b.toolEnv('/tmp/w2/pgdrill-b')).to.include({ PGDRILL_IMAGE: 'example/pg:15', PGDRILL_DOCKER_MOUNTS: '/tmp/w2 /srv/b' });
    expect(a.toolEnv('/tmp/w1/pgdrill-a')['PGDRILL_OWNER']).to.match(new RegExp(`:${process.pid}:`));
    expect({ image: process.env['PGDRILL_IMAGE'], mounts: process.env['PGDRILL_DOCKER_MOUNTS'] }).to.deep.equal(before);
  });
});
