// Quoting identifiers from drill files (already restricted to plain names by the schema).

export function quoteIdent(name: string): string {
  return name
    .split('.')
    .map((part) => `"${part.replace(/"/g, '""')}"`)
    .join('.');
}
