/**
 * Generates docs/errors.md from the one error registry (ERROR_REGISTRY in packages/protocol/src/errorRegistry.ts:
 * every package's codes, the protocol's rejection codes being ERROR_CODES in errors.ts).
 *
 *   node --conditions=source --import tsx scripts/gen-errors-doc.ts           writes docs/errors.md
 *   node --conditions=source --import tsx scripts/gen-errors-doc.ts --check   exits 1 when docs/errors.md is not what it would write
 *
 * Codes, edge flags, HTTP statuses and meanings come from the runtime tables. The rejection codes' context fields come
 * from the `ErrorContextMap` type, which is erased at runtime, so errors.ts is parsed with the TypeScript compiler API
 * and the small helper aliases it defines (Field, TaskRef, CycleRef, WindowRef) are resolved by name.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { ERROR_CODES, ERROR_REGISTRY, type ErrorCode, type ErrorEntry } from "@gradual/protocol";
import ts from "typescript";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const ERRORS_SOURCE = path.join(repoRoot, "packages/protocol/src/errors.ts");
export const ERRORS_DOC = path.join(repoRoot, "docs/errors.md");

export type ContextField = { readonly name: string; readonly type: string };

/** Resolves a context type (a literal, an intersection, or a helper alias) to its list of fields. */
function fieldsOfType(
  node: ts.TypeNode,
  aliases: ReadonlyMap<string, ts.TypeNode>,
  sf: ts.SourceFile,
  trail: readonly string[],
): ContextField[] {
  if (ts.isParenthesizedTypeNode(node)) return fieldsOfType(node.type, aliases, sf, trail);
  if (ts.isIntersectionTypeNode(node)) return node.types.flatMap((part) => fieldsOfType(part, aliases, sf, trail));
  if (ts.isTypeReferenceNode(node) && ts.isIdentifier(node.typeName)) {
    const name = node.typeName.text;
    const target = aliases.get(name);
    if (target === undefined) throw new Error(`errors.ts: context type ${name} is not a local type alias`);
    if (trail.includes(name)) throw new Error(`errors.ts: type alias ${name} refers to itself`);
    return fieldsOfType(target, aliases, sf, [...trail, name]);
  }
  if (ts.isTypeLiteralNode(node)) {
    return node.members.map((member) => {
      if (!ts.isPropertySignature(member) || member.type === undefined) {
        throw new Error(`errors.ts: expected a property with a type, got ${member.getText(sf)}`);
      }
      const optional = member.questionToken === undefined ? "" : "?";
      return { name: `${member.name.getText(sf)}${optional}`, type: member.type.getText(sf) };
    });
  }
  throw new Error(`errors.ts: cannot resolve context type ${node.getText(sf)}`);
}

/** Every code's context fields, read from the `ErrorContextMap` type in errors.ts. */
export function readContextFields(sourceText: string): Map<string, ContextField[]> {
  const sf = ts.createSourceFile("errors.ts", sourceText, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const aliases = new Map<string, ts.TypeNode>();
  for (const statement of sf.statements) {
    if (ts.isTypeAliasDeclaration(statement)) aliases.set(statement.name.text, statement.type);
  }
  const map = aliases.get("ErrorContextMap");
  if (map === undefined || !ts.isTypeLiteralNode(map))
    throw new Error("errors.ts: no `type ErrorContextMap = { ... }`");
  const contexts = new Map<string, ContextField[]>();
  for (const member of map.members) {
    if (!ts.isPropertySignature(member) || member.type === undefined) {
      throw new Error(`errors.ts: unexpected ErrorContextMap member ${member.getText(sf)}`);
    }
    contexts.set(member.name.getText(sf), fieldsOfType(member.type, aliases, sf, []));
  }
  return contexts;
}

/** Table cells: pipes must be escaped even inside code spans (GitHub-flavoured Markdown). */
function cell(text: string): string {
  return text.replaceAll("|", "\\|");
}

/** A table padded the way Biome formats Markdown, so that `biome check` accepts the generated file as is. */
function alignedTable(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((title, column) =>
    Math.max(3, title.length, ...rows.map((row) => (row[column] ?? "").length)),
  );
  const line = (cells: readonly string[]) =>
    `| ${cells.map((text, column) => text.padEnd(widths[column] ?? 0)).join(" | ")} |`;
  return [line(header), line(widths.map((width) => "-".repeat(width))), ...rows.map(line)];
}

/** The protocol's rejection codes: where each is found, its status, meaning and typed context. */
function rejectionTable(sourceText: string): string[] {
  const contexts = readContextFields(sourceText);
  const codes = Object.keys(ERROR_CODES) as ErrorCode[];
  const missing = codes.filter((code) => !contexts.has(code));
  const extra = [...contexts.keys()].filter((code) => !(code in ERROR_CODES));
  if (missing.length > 0 || extra.length > 0) {
    throw new Error(
      `errors.ts: ERROR_CODES and ErrorContextMap disagree (no context: ${missing.join(", ") || "none"}; ` +
        `context without a code: ${extra.join(", ") || "none"})`,
    );
  }
  const edgeCount = codes.filter((code) => ERROR_CODES[code].edge).length;
  const rows = codes.map((code) => {
    const { edge, http, meaning } = ERROR_CODES[code];
    const fields = (contexts.get(code) ?? []).map((field) => `\`${field.name}: ${field.type}\``).join(", ");
    return [`\`${code}\``, edge ? "no (edge)" : "yes", String(http), cell(meaning), cell(fields || "none")];
  });
  return [
    "Every refused transaction returns `{ ok: false, code, context, message }` with one of these codes",
    "([protocol.md §9.5](protocol.md)).",
    "",
    "- **Edge codes** (`included: no`) are found before a transaction is ordered: shape, chain id, signature, nonce,",
    "  size. The transaction never enters a block and its nonce stays free.",
    "- **Every other code** (`included: yes`) is found while the ordered transaction is applied. The transaction is",
    "  included in its block with the code, its nonce is used, and nothing else changes, except that",
    "  `VOTE__EQUIVOCATION` also marks the voter (protocol.md §5.4).",
    "- **HTTP** is the status of the ledger's API when it answers a request with the code; an included refusal",
    "  arrives in a 200 response, as the transaction's result.",
    "",
    `${codes.length} codes, ${edgeCount} of them edge codes. Context fields are listed with their TypeScript types`,
    "(`ErrorContextMap` in errors.ts).",
    "",
    ...alignedTable(["code", "included in block?", "HTTP", "meaning", "context fields"], rows),
  ];
}

/** Any other part of the registry: code, HTTP status (when an API answers with it) and meaning. */
function codeTable(codes: Readonly<Record<string, ErrorEntry>>): string[] {
  const rows = Object.entries(codes).map(([code, entry]) => [
    `\`${code}\``,
    entry.http === undefined ? "" : String(entry.http),
    cell(entry.meaning),
  ]);
  return alignedTable(["code", "HTTP", "meaning"], rows);
}

export function renderErrorsDoc(sourceText: string): string {
  const total = ERROR_REGISTRY.reduce((sum, section) => sum + Object.keys(section.codes).length, 0);
  const sections = ERROR_REGISTRY.flatMap((section) => [
    `## \`@gradual/${section.package}\`: ${section.title}`,
    "",
    ...(section.codes === ERROR_CODES ? rejectionTable(sourceText) : codeTable(section.codes)),
    "",
  ]);
  return [
    "# Error codes",
    "",
    "<!-- Generated by scripts/gen-errors-doc.ts from the error registry (packages/protocol/src/errorRegistry.ts and",
    "     errors.ts): do not edit by hand. Regenerate with `npm run docs:errors`; `npm test` fails when this file is stale. -->",
    "",
    "Every stable code a gradual package refuses a transaction with, throws, logs or answers a request with, in one",
    `registry: ${total} codes, by the package that raises them (others pass them on). Codes are named`,
    "`DOMAIN__DESCRIPTION` and are stable: never renumbered, renamed or reused. Errors thrown with a code are",
    "`GradualError`s (`code`, `shortMessage`, `context`, `cause`); the CLI prints them as `error[CODE]: message`, and",
    "the HTTP APIs answer `{ code, message, context }` with the status listed here.",
    "",
    ...sections,
  ]
    .join("\n")
    .replace(/\n+$/, "\n");
}

/** True when docs/errors.md holds exactly what `renderErrorsDoc` produces from the current errors.ts. */
export function isErrorsDocFresh(): boolean {
  const expected = renderErrorsDoc(fs.readFileSync(ERRORS_SOURCE, "utf8"));
  const actual = fs.existsSync(ERRORS_DOC) ? fs.readFileSync(ERRORS_DOC, "utf8") : "";
  return actual === expected;
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) {
  const relative = path.relative(repoRoot, ERRORS_DOC);
  if (process.argv.includes("--check")) {
    if (!isErrorsDocFresh()) {
      console.error(`gen-errors-doc: ${relative} is stale; run \`npm run docs:errors\``);
      process.exit(1);
    }
    console.log(`gen-errors-doc: ${relative} is up to date`);
  } else {
    fs.mkdirSync(path.dirname(ERRORS_DOC), { recursive: true });
    fs.writeFileSync(ERRORS_DOC, renderErrorsDoc(fs.readFileSync(ERRORS_SOURCE, "utf8")));
    console.log(`gen-errors-doc: wrote ${relative}`);
  }
}
