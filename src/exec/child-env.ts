// The environment a child process gets: an allow-list, never pgdrill's whole environment. Servers run for
// minutes as another user, and /proc/<pid>/environ or a fixture's `\! env` would show whatever they inherit:
// signing keys, webhook URLs, CI tokens. Each child gets only what tools need to run, plus what its caller
// passes on purpose (PGPASSWORD for one client, a provider's settings).

/** Variables passed through by name: finding programs, locale and time, the Docker engine, temp folders. */
const PASS = ['PATH', 'TZ', 'TMPDIR', 'TEMP', 'TMP', 'DOCKER_HOST', 'DOCKER_CONFIG', 'DOCKER_CERT_PATH', 'DOCKER_TLS_VERIFY', 'DOCKER_CONTEXT'];

/**
 * Messages in English whatever the user's locale: pgdrill reads server and tool output (docs/postgres-facts.md #13: the
 * server log is how recovery is confirmed).
 */
const FIXED = { LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', LC_MESSAGES: 'C' } as const;

export function childEnv(extra: Record<string, string | undefined> = {}, from: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of PASS) {
    const value = from[key];
    if (value !== undefined) env[key] = value;
  }
  Object.assign(env, FIXED);
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}
