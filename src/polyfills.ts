// Node 20 has no Symbol.asyncDispose/Symbol.dispose; TypeScript's `await using` helpers need them.
// Imported first by every entry point (CLI, library index, test setup).
const symbols = Symbol as unknown as { asyncDispose?: symbol; dispose?: symbol };
symbols.asyncDispose ??= Symbol.for('Symbol.asyncDispose');
symbols.dispose ??= Symbol.for('Symbol.dispose');
export {};
