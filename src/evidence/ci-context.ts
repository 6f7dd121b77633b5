// Who or what ran a drill: user and host, and the CI provider, run URL, commit, actor and triggering event when
// the environment says so.
import os from 'node:os';

export interface RunContext {
  user: string;
  host: string;
  /** Who or what started the run: the CI's actor and event (push, schedule, workflow_dispatch, …) where it says. */
  ci?: { provider: string; runUrl?: string; commit?: string; ref?: string; repository?: string; actor?: string; event?: string };
}

export function runContext(env: NodeJS.ProcessEnv = process.env): RunContext {
  const base = { user: safeUser(), host: os.hostname() };
  const pick = (o: Record<string, string | undefined>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v)) as Record<string, string>;
  if (env['GITHUB_ACTIONS'] === 'true') {
    const repo = env['GITHUB_REPOSITORY'];
    return {
      ...base,
      ci: {
        provider: 'github-actions',
        ...pick({
          runUrl: repo && env['GITHUB_RUN_ID'] ? `${env['GITHUB_SERVER_URL'] ?? 'https://github.com'}/${repo}/actions/runs/${env['GITHUB_RUN_ID']}` : undefined,
          commit: env['GITHUB_SHA'],
          ref: env['GITHUB_REF'],
          repository: repo,
          actor: env['GITHUB_TRIGGERING_ACTOR'] ?? env['GITHUB_ACTOR'],
          event: env['GITHUB_EVENT_NAME'],
        }),
      },
    };
  }
  if (env['GITLAB_CI'] === 'true') {
    return { ...base, ci: { provider: 'gitlab-ci', ...pick({ runUrl: env['CI_JOB_URL'], commit: env['CI_COMMIT_SHA'], ref: env['CI_COMMIT_REF_NAME'], repository: env['CI_PROJECT_PATH'], actor: env['GITLAB_USER_LOGIN'], event: env['CI_PIPELINE_SOURCE'] }) } };
  }
  if (env['BUILDKITE'] === 'true') {
    return { ...base, ci: { provider: 'buildkite', ...pick({ runUrl: env['BUILDKITE_BUILD_URL'], commit: env['BUILDKITE_COMMIT'], ref: env['BUILDKITE_BRANCH'], actor: env['BUILDKITE_BUILD_CREATOR'], event: env['BUILDKITE_SOURCE'] }) } };
  }
  if (env['JENKINS_URL']) {
    return { ...base, ci: { provider: 'jenkins', ...pick({ runUrl: env['BUILD_URL'], commit: env['GIT_COMMIT'], ref: env['GIT_BRANCH'], actor: env['BUILD_USER_ID'] }) } };
  }
  if (env['CI']) return { ...base, ci: { provider: 'unknown-ci' } };
  return base;
}

function safeUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return String(process.getuid?.() ?? 'unknown');
  }
}
