// One swappable implementation of a cryptographic primitive, per thread: the portable default
// (noble) until an adapter installs a faster one, which must agree with it on every input.
export class Backend<T> {
  #impl: T;
  #name: string;

  constructor(impl: T, name: string) {
    this.#impl = impl;
    this.#name = name;
  }

  /** The implementation in use. */
  get impl(): T {
    return this.#impl;
  }

  /** Which implementation is in use. */
  get name(): string {
    return this.#name;
  }

  set(impl: T, name: string): void {
    this.#impl = impl;
    this.#name = name;
  }
}
