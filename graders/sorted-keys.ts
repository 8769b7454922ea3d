/**
 * A value with its objects' keys in sorted order at every depth (arrays keep their order), so two
 * equal values built in different orders print as one text: a reference question's id
 * (reference/reference-answers.ts) and a committed baseline file a diff reads.
 */
export function sortedKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map(sortedKeys) as T;
  if (value && typeof value === "object")
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortedKeys((value as Record<string, unknown>)[k])]),
    ) as T;
  return value;
}
