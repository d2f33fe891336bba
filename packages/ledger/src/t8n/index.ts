/**
 * @gradual/ledger/t8n: the state transition tool behind `gradual t8n`, the spec-vector generator and the spec-vector
 * runner (one code path for all three): a pre-state, steps (advance to a slot, or admit and apply a transaction), and
 * the post-state with every step's result. spec-tests/README.md describes the file formats.
 */
export * from "./json.ts";
export * from "./transition.ts";
