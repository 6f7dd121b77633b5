// Settings pgdrill pins on every instance it starts, whatever the drill or the backup's configuration says.

/**
 * Settings pgdrill depends on and pins on every instance: English log lines at LOG level (readiness and target
 * confirmation follow the server log), commits that never wait for a standby, writable sessions.
 */
export const PINNED_SETTINGS = { lc_messages: 'C', log_min_messages: 'warning', synchronous_standby_names: '', default_transaction_read_only: 'off' } as const;
