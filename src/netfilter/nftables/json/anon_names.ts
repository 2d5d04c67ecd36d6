/**
 * Names for a batch's anonymous sets, chosen as the kernel would choose
 * them. Sent as `__set%d`, each one makes the kernel scan every set of
 * the table (parsing each name) for the lowest free number: quadratic over
 * a ruleset with thousands of anonymous sets, the larger part of the
 * kernel's time applying one. Named here, the kernel only checks the name.
 *
 * @module
 */

/** The lowest free number of each template (`__set%d`, `__map%d`, `__objmap%d`), past the names taken. */
export class AnonNames {
  #taken: Set<string>;
  #next = new Map<string, number>();

  /** Numbers past `taken`: every set name of the table, in the kernel and in the batch so far. */
  constructor(taken: Iterable<string>) {
    this.#taken = new Set(taken);
  }

  /** Marks a name the batch gives a set of its own as taken. */
  take(name: string): void {
    this.#taken.add(name);
  }

  /** {@link name}, bound: made once, not for each rule that names a set. */
  readonly namer = (template: string): string => this.name(template);

  /** The next free name of `template`, taken from now on. */
  name(template: string): string {
    let n = this.#next.get(template) ?? 0;
    let name = template.replace("%d", String(n));
    while (this.#taken.has(name)) name = template.replace("%d", String(++n));
    this.#taken.add(name);
    this.#next.set(template, n + 1);
    return name;
  }
}
