export * from "./edge.ts";
export * from "./keys.ts";
