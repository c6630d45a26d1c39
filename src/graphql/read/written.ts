/**
 * What a mutation's resolver returns: the id of the row it wrote, from which the executor reads
 * the payload the client selected through the compiler, after the write has committed.
 */
export interface Written {
  readonly id: number
}
