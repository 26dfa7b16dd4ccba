import { getIgnoringCase, isPlainObject } from '../case-insensitive';

/**
 * Binds a method parameter from either body encoding (docs/apis/k3cloud.md §1.1): positional
 * `{"parameters":[p1,p2,…]}` or named `{"formid":…,"data":…}` with case-insensitive names.
 */
export function paramReader(body: unknown): (index: number, name: string) => unknown {
  if (isPlainObject(body)) {
    const positional = getIgnoringCase(body, 'parameters');
    if (Array.isArray(positional)) return (index) => positional[index];
    return (_index, name) => getIgnoringCase(body, name);
  }
  return () => undefined;
}
