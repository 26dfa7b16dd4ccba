/**
 * True when `promise` settles within `ms` (either way); false when the time ran out first. For
 * work that can hang (a Redis command to a node that died, a store that does not answer) and that
 * a caller must not wait on for ever.
 */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([
      promise.then(
        () => true as const,
        () => true as const,
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
