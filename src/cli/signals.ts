// First SIGINT/SIGTERM: abort the drills, which stop their instances and write what is known. A second one
// forces: kill every server, child and container working in this process's work folders, remove the folders,
// and exit with the signal's own code (130 for SIGINT, 143 for SIGTERM).
import { forceCleanupAll } from '../runner/session/work-folders.js';
import { removeOwnContainersSync } from '../providers/docker/engine.js';
import { signalExit } from '../model/exit-codes.js';

export function installSignalHandlers(controller: AbortController, say: (text: string) => void): () => void {
  let first: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (!first) {
      first = signal;
      say(`\n${signal} received: stopping the drill and removing its instances (send it again to force)\n`);
      controller.abort(new Error(signal));
      return;
    }
    say(`\n${signal} again: killing every instance now\n`);
    forceCleanupAll();
    removeOwnContainersSync();
    process.exit(signalExit(first === 'SIGTERM' ? 'SIGTERM' : 'SIGINT'));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}
