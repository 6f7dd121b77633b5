// Cleanup on every path: steps run in reverse order, all of them even when some fail (a small
// AsyncDisposableStack; Node 20 does not ship one). A failed step is reported, and can be retried by disposing
// again: only the steps that failed run again.
export class CleanupStack implements AsyncDisposable {
  private steps: Array<{ what: string; step: () => Promise<unknown> | unknown }> = [];

  defer(what: string, step: () => Promise<unknown> | unknown): void {
    this.steps.push({ what, step });
  }

  /** Runs every pending step; returns the ones that failed (kept for a retry). */
  async dispose(): Promise<Array<{ what: string; error: unknown }>> {
    const pending = this.steps.reverse();
    this.steps = [];
    const failed: Array<{ what: string; error: unknown; step: () => Promise<unknown> | unknown }> = [];
    for (const s of pending) {
      try {
        await s.step();
      } catch (error) {
        failed.push({ ...s, error });
      }
    }
    this.steps = failed.reverse().map(({ what, step }) => ({ what, step }));
    return failed.map(({ what, error }) => ({ what, error }));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }
}
