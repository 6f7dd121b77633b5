import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ROOT } from '../test-support/cli.js';
import { resultSchema } from './result-schema.js';

describe('result.json schema', () => {
  it('the published JSON Schema is generated from the zod schema (run npm run schema after changing it)', () => {
    const published = JSON.parse(readFileSync(path.join(ROOT, 'schema/result.schema.json'), 'utf8'));
    expect(published).to.deep.equal(z.toJSONSchema(resultSchema));
  });
});
