// Every postmaster pgdrill started and has not stopped yet. If the process is torn down (second Ctrl-C,
// uncaught error), the exit hook kills them so no server outlives pgdrill.
export const livePostmasters = new Set<number>();

let installed = false;

export function installExitHook(): void {
  if (installed) return;
  installed = true;
  process.on('exit', killAllPostmasters);
}

export function killAllPostmasters(): void {
  for (const pid of livePostmasters) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  livePostmasters.clear();
}
