/** K3's parameter and JSON binding ignores key case (docs/apis/k3cloud.md §1.1: `acctID` vs `acctid`). */
export function getIgnoringCase(obj: Record<string, unknown>, key: string): unknown {
  if (key in obj) return obj[key];
  const wanted = key.toLowerCase();
  for (const [k, v] of Object.entries(obj)) if (k.toLowerCase() === wanted) return v;
  return undefined;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
