import { expect } from 'chai';
import { sampleResult } from '../test-support/sample-result.js';
import { buildJunit } from './junit.js';

describe('JUnit', () => {
  it('an unverified drill is skipped with its reason, never a pass; a failed check carries its finding code as the failure type', () => {
    const unverified = sampleResult('u', 'unverified', 'RPO objective: not measured', { checks: [{ name: 'RPO objective', status: 'unverified', detail: 'not measured', code: 'rpo-unmeasured' }] });
    const failed = sampleResult('f', 'failed', 'sequences', { checks: [{ name: 'sequences not behind their data', status: 'failed', detail: 'shop: orders_id_seq is at 10', code: 'sequence-behind' }] });
    const xml = buildJunit([unverified, failed]);
    const suiteOf = (name: string) => xml.slice(xml.indexOf(`<testsuite name="${name}"`), xml.indexOf('</testsuite>', xml.indexOf(`<testsuite name="${name}"`)));
    expect(suiteOf('u').match(/<skipped\/>/g)).to.have.length(2);
    expect(suiteOf('u')).not.to.contain('<failure');
    expect(suiteOf('u')).to.contain('RPO objective: not measured');
    expect(suiteOf('f')).to.contain('type="sequence-behind"');
  });
});
