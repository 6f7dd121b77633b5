// First SIGINT/SIGTERM: abort the drill, which stops its instances and writes what is known. A second one
// forces: kill every postmaster pgdrill started and exit 130 at once.
import { killAllPostmasters } from '../providers/local/postmaster-registry.js';

export function installSignalHandlers(controller: AbortController, say: (text: string) => void): () => void {
  let count = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    count++;
    if (count === 1) {
      say(`\n${signal} received: stopping the drill and removing its instances (press Ctrl-C again to force)\n`);
      controller.abort(new Error(signal));
      return;
    }
    say(`\n${signal} again: killing every instance now\n`);
    killAllPostmasters();
    process.exit(130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}
