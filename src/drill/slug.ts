// A drill's folder name: <out>/<run-id>/<slug>. Two drills of one run must not share one.

/** A folder name for a drill: its name with anything unsafe replaced. */
export function drillSlug(name: string): string {
  const slug = name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+|-+$/g, '').slice(0, 80);
  return slug || 'drill';
}
