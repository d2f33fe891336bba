/**
 * Checks that every error code the packages use is in the one error registry (ERROR_REGISTRY in
 * packages/protocol/src/errorRegistry.ts, from which docs/errors.md is generated), and that the node throws no
 * plain `Error` a user could see without a code.
 *
 *   node --conditions=source --import tsx scripts/check-error-codes.ts [rootDir]
 *
 * Exits 1 and prints `file:line:col [rule] message` for each problem. The core is `checkErrorCodes(rootDir, known)`,
 * so tests can run it against a fake repository.
 *
 * Rules:
 *  - unregistered-code: a `DOMAIN__DESCRIPTION` word in a string, a template or an object key of packages/{pkg}/src
 *                       (and the dashboard's serve.ts) that the registry does not hold.
 *  - uncoded-node-error: `new Error(...)` in packages/node/src without a comment saying it can only come from a
 *                       bug ("bug" in the comments just before the statement). Every other error a node shows has a
 *                       code: GradualError or a subclass.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { isRegisteredCode } from "@gradual/protocol";
import ts from "typescript";
import { SOURCE_EXT, walkFiles } from "./walkFiles.ts";

/** A package source file: not a test, not a declaration file. */
const isCheckedSource = (name: string): boolean => SOURCE_EXT.test(name) && !/\.(?:test|d)\.tsx?$/.test(name);

export type CodeProblem = {
  /** Path relative to rootDir, with forward slashes. */
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly rule: "unregistered-code" | "uncoded-node-error";
  readonly message: string;
};

/** A code as the registry names them: DOMAIN__DESCRIPTION, upper case, digits and single underscores within parts. */
const CODE = /\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*__[A-Z0-9]+(?:_[A-Z0-9]+)*\b/g;
/** Words of that shape that are not codes. */
const NOT_CODES: ReadonlySet<string> = new Set(["DOMAIN__DESCRIPTION"]);
/** Where codes are defined rather than used. */
const DEFINITIONS: ReadonlySet<string> = new Set([
  "packages/protocol/src/errorRegistry.ts",
  "packages/protocol/src/errors.ts",
]);

/** Every source file of every package's src/, plus the dashboard's server (it answers with codes too). */
function sourceFiles(rootDir: string): string[] {
  const files: string[] = [];
  const packagesDir = path.join(rootDir, "packages");
  if (!fs.existsSync(packagesDir)) return files;
  for (const name of fs.readdirSync(packagesDir).sort()) {
    walkFiles(path.join(packagesDir, name, "src"), isCheckedSource, files);
    const serve = path.join(packagesDir, name, "serve.ts");
    if (fs.existsSync(serve)) files.push(serve);
  }
  return files;
}

/** The text of string-like nodes and object keys, where a code can appear. */
function textOf(node: ts.Node): string | undefined {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node)) return node.text;
  if ((ts.isPropertyAssignment(node) || ts.isPropertySignature(node)) && ts.isIdentifier(node.name)) {
    return node.name.text;
  }
  return undefined;
}

function isPlainErrorConstruction(node: ts.Node): node is ts.NewExpression {
  return ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === "Error";
}

/** The comments just before each statement that holds `node`, up to the one in a block (`if (x) throw ...`). */
function leadingComments(node: ts.Node, text: string): string {
  const comments: string[] = [];
  for (let at: ts.Node | undefined = node; at !== undefined && !ts.isSourceFile(at); at = at.parent) {
    if (!ts.isStatement(at)) continue;
    for (const range of ts.getLeadingCommentRanges(text, at.getFullStart()) ?? []) {
      comments.push(text.slice(range.pos, range.end));
    }
    if (ts.isBlock(at.parent) || ts.isSourceFile(at.parent)) break;
  }
  return comments.join("\n");
}

export function checkErrorCodes(rootDir: string, known: (code: string) => boolean = isRegisteredCode): CodeProblem[] {
  const problems: CodeProblem[] = [];
  for (const file of sourceFiles(rootDir)) {
    const relative = path.relative(rootDir, file).split(path.sep).join("/");
    if (DEFINITIONS.has(relative)) continue;
    const text = fs.readFileSync(file, "utf8");
    const kind = file.endsWith("x") ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, kind);
    const isNode = relative.startsWith("packages/node/src/");
    const report = (node: ts.Node, rule: CodeProblem["rule"], message: string) => {
      const { line, character } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
      problems.push({ file: relative, line: line + 1, column: character + 1, rule, message });
    };
    const visit = (node: ts.Node): void => {
      for (const [code] of (textOf(node) ?? "").matchAll(CODE)) {
        if (!NOT_CODES.has(code) && !known(code)) {
          report(
            node,
            "unregistered-code",
            `${code} is not in the error registry (packages/protocol/src/errorRegistry.ts)`,
          );
        }
      }
      if (isNode && isPlainErrorConstruction(node) && !/\bbug\b/i.test(leadingComments(node, text))) {
        report(
          node,
          "uncoded-node-error",
          "a plain Error from the node has no code: throw a GradualError with a NODE__ code, or say in a comment why only a bug can cause it",
        );
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return problems;
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) {
  const rootDir = path.resolve(process.argv[2] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), ".."));
  const problems = checkErrorCodes(rootDir);
  for (const problem of problems) {
    console.error(`${problem.file}:${problem.line}:${problem.column} [${problem.rule}] ${problem.message}`);
  }
  if (problems.length > 0) {
    console.error(`check-error-codes: ${problems.length} problem(s)`);
    process.exit(1);
  }
  console.log("check-error-codes: ok");
}
