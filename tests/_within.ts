// Turns a wait that a bug would make endless into a test failure.

/**
 * Resolves as `promise` does, or rejects once `ms` passed without it
 * settling (the bound is generous: it only tells a hang from a slow run).
 */
export async function within<T>(
  promise: Promise<T>,
  ms: number,
  what: string,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what}: not within ${ms / 1000} s`)),
      ms,
    );
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}
