// A dump the user already has, in drill files (source.dump).
import { z } from 'zod';

export const dumpSource = z.strictObject({
  /** pg_dump -Fc or -Fd, a plain SQL dump, or a pg_dumpall file. */
  path: z.string().min(1),
});
