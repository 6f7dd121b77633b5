// Barman in drill files: a server the user has (source.barman).
import { z } from 'zod';
import { backupSelection } from '../../drill/schema-parts.js';

export const barmanSource = z.strictObject({
  /** The Barman server's name, as in its [section]. */
  server: z.string().min(1),
  /** The user's barman.conf (servers may live in its configuration_files_directory). */
  config: z.string().min(1).default('/etc/barman.conf'),
  backup: backupSelection,
});
