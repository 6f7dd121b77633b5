// Configuration files in the INI dialect pgBackRest and Barman (Python's configparser) read: `[section]`,
// `key = value` or `key: value`, comments with # or ;, indented continuation lines. Read-only, line by line.

export interface IniSection {
  name: string;
  lines: string[];
}

export function iniSections(text: string): IniSection[] {
  const out: IniSection[] = [];
  for (const line of text.split('\n')) {
    const header = /^\s*\[([^\]]+)\]\s*$/.exec(line);
    if (header) out.push({ name: header[1]?.trim() ?? '', lines: [] });
    else out.at(-1)?.lines.push(line);
  }
  return out;
}

/** The key a line sets (lower case), or undefined for comments, blanks and continuations. */
export function iniKey(line: string): string | undefined {
  return /^([A-Za-z0-9_-]+)\s*[=:]/.exec(line)?.[1]?.toLowerCase();
}

export function iniValue(lines: string[], key: string): string | undefined {
  for (const line of lines) if (iniKey(line) === key) return line.replace(/^[^=:]*[=:]\s*/, '').trim();
  return undefined;
}
