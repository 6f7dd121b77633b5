// Cleanup on every path: callbacks run in reverse order, all of them even when some fail
// (a tiny AsyncDisposableStack; Node 20 does not ship one).
export class CleanupStack implements AsyncDisposable {
  private readonly steps: Array<() => Promise<unknown> | unknown> = [];
  readonly errors: unknown[] = [];

  defer(step: () => Promise<unknown> | unknown): void {
    this.steps.push(step);
  }

  async dispose(): Promise<void> {
    while (this.steps.length > 0) {
      const step = this.steps.pop() as () => Promise<unknown>;
      try {
        await step();
      } catch (error) {
        this.errors.push(error);
      }
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }
}
