/** The name of a class id: from the configured list, else `class_<id>`. */
export const classNameOf = (names: readonly string[], classId: number): string => names[classId] ?? `class_${classId}`;

/** Class names from a list file: one per line, blank lines and `#` comments skipped. */
export function parseClassNames(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !line.startsWith('#'));
}
