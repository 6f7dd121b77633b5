// Regenerates schema/result.schema.json from the zod schema in dist/ (npm run schema).
import { writeFileSync } from 'node:fs';
import { z } from 'zod';
import { resultSchema } from '../dist/model/result-schema.js';

writeFileSync(new URL('../schema/result.schema.json', import.meta.url), `${JSON.stringify(z.toJSONSchema(resultSchema), null, 2)}\n`);
