/** Escapes LIKE wildcards so user text matches literally (use with ESCAPE '\'). */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}

/** The listed fields of `input` that were sent (undefined means "leave unchanged"). */
export function definedFields<T extends object, K extends keyof T>(
  input: T,
  keys: K[],
): Partial<Pick<T, K>> {
  const patch: Partial<Pick<T, K>> = {};
  for (const key of keys) if (input[key] !== undefined) patch[key] = input[key];
  return patch;
}
