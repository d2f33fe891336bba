/**
 * Compile-time checks that a decoder's inferred type is exactly the protocol type's wire form:
 * `export type X = Assert<Equals<Infer<typeof decoder>, Wire<ProtocolType>>>` does not compile when they differ
 * (a field added, removed, renamed or retyped on either side).
 */
export type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
export type Assert<T extends true> = T;
