// Where a run's trace goes: --otel-endpoint, else the standard OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (used as is),
// else OTEL_EXPORTER_OTLP_ENDPOINT (a base URL: /v1/traces is added, as the OTLP exporter specification says).
// Undefined: no trace, and no OpenTelemetry package is loaded.
export function otlpTracesUrl(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const base = (u: string) => `${u.replace(/\/+$/, '')}/v1/traces`;
  if (flag) return base(flag);
  if (env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']) return env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'];
  if (env['OTEL_EXPORTER_OTLP_ENDPOINT']) return base(env['OTEL_EXPORTER_OTLP_ENDPOINT']);
  return undefined;
}
