/**
 * Enforces the package layering and the protocol's purity rules.
 *
 *   node --conditions=source --import tsx scripts/check-layers.ts [rootDir]
 *
 * Exits 1 and prints `file:line:col [rule] message` for each violation. The core is `checkLayers(rootDir)` so tests
 * can run it against a fake repository.
 *
 * Rules:
 *  - layering:            a package imports only the @gradual/* packages below it (ALLOWED_DEPS).
 *  - unknown-package:     a package (or an imported @gradual/* name) missing from ALLOWED_DEPS / packages/.
 *  - relative-escape:     a relative import leaves its own package directory.
 *  - protocol-node-import: packages/protocol/src imports `node:*` or a Node builtin module.
 *  - browser-node-import: the src of another package that must load in a browser (BROWSER_PACKAGES) does.
 *  - protocol-global:     packages/protocol/src references a nondeterministic or Node-only global
 *                         (free identifiers only; property names such as `x.process` and local bindings are fine).
 */
import * as fs from "node:fs";
import { builtinModules } from "node:module";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import ts from "typescript";
import { SOURCE_EXT, walkFiles } from "./walkFiles.ts";

export interface Violation {
  /** Path relative to rootDir, with forward slashes. */
  file: string;
  line: number;
  column: number;
  rule:
    | "layering"
    | "unknown-package"
    | "relative-escape"
    | "protocol-node-import"
    | "browser-node-import"
    | "protocol-global";
  message: string;
}

/** Which @gradual packages each package may import ("*" = any). A package may always import itself. */
export const ALLOWED_DEPS: Readonly<Record<string, readonly string[]>> = {
  protocol: [],
  // The HTTP wire format, written once for the ledger, its clients and the browser: pure, like the protocol.
  wire: ["protocol"],
  ledger: ["wire", "protocol"],
  sdk: ["protocol"],
  node: ["ledger", "sdk", "wire", "protocol"],
  // Above node: the Koii layer's local runs (`koii test`, a linked folder's chain) drive the node's local harness;
  // its task bundles (src/shims, built with the SDK's bundler) import neither (packages/koii/test/bundle.test.ts).
  koii: ["node", "ledger", "sdk", "wire", "protocol"],
  sim: ["node", "sdk", "protocol"],
  // Settles on an EVM chain: implements the node's Settlement interface and serves the ledger's read API from an indexer.
  evm: ["node", "ledger", "sdk", "wire", "protocol"],
  cli: ["*"],
  // Browser code: reads the ledger over HTTP (shapes from the wire package), never imports it.
  dashboard: ["wire", "protocol"],
};

/** Packages besides the protocol whose sources the dashboard loads in the browser: no Node builtin in their src. */
export const BROWSER_PACKAGES: ReadonlySet<string> = new Set(["wire"]);

/** Free identifiers that packages/protocol/src may not reference. */
export const PROTOCOL_FORBIDDEN_GLOBALS: ReadonlySet<string> = new Set([
  "Date",
  "setTimeout",
  "setInterval",
  "setImmediate",
  "clearTimeout",
  "clearInterval",
  "clearImmediate",
  "queueMicrotask",
  "fetch",
  "process",
  "performance",
  "require",
  "Buffer",
  "crypto",
  "global",
]);

/** Members of free `Math` / `globalThis` that packages/protocol/src may not touch. */
const FORBIDDEN_MEMBERS: Readonly<Record<string, ReadonlySet<string>>> = {
  Math: new Set(["random"]),
  globalThis: PROTOCOL_FORBIDDEN_GLOBALS,
};

const SCANNED_DIRS = ["src", "test", "bench"];

const BUILTINS = new Set(builtinModules.filter((m) => !m.startsWith("_")));

function isNodeBuiltin(spec: string): boolean {
  if (spec.startsWith("node:")) return true;
  return BUILTINS.has(spec) || BUILTINS.has(spec.split("/")[0] ?? "");
}

interface PackageInfo {
  /** Short name: "protocol" for @gradual/protocol. */
  name: string;
  dir: string;
}

function listPackages(rootDir: string): PackageInfo[] {
  const packagesDir = path.join(rootDir, "packages");
  if (!fs.existsSync(packagesDir)) return [];
  const result: PackageInfo[] = [];
  for (const entry of fs.readdirSync(packagesDir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const dir = path.join(packagesDir, entry.name);
    let name = entry.name;
    const manifest = path.join(dir, "package.json");
    if (fs.existsSync(manifest)) {
      const parsed = JSON.parse(fs.readFileSync(manifest, "utf8")) as { name?: unknown };
      if (typeof parsed.name === "string" && parsed.name.startsWith("@gradual/")) {
        name = parsed.name.slice("@gradual/".length);
      }
    }
    result.push({ name, dir });
  }
  return result;
}

interface ModuleRef {
  specifier: string;
  node: ts.Node;
}

/** Every module specifier a file mentions: import/export-from, import("..."), import x = require("..."), import types. */
function collectModuleRefs(sf: ts.SourceFile): ModuleRef[] {
  const refs: ModuleRef[] = [];
  const visit = (node: ts.Node): void => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      refs.push({ specifier: node.moduleSpecifier.text, node: node.moduleSpecifier });
    } else if (
      ts.isImportEqualsDeclaration(node) &&
      ts.isExternalModuleReference(node.moduleReference) &&
      ts.isStringLiteralLike(node.moduleReference.expression)
    ) {
      refs.push({ specifier: node.moduleReference.expression.text, node: node.moduleReference.expression });
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const arg = node.arguments[0];
      if (arg && ts.isStringLiteralLike(arg)) refs.push({ specifier: arg.text, node: arg });
    } else if (ts.isImportTypeNode(node)) {
      const arg = node.argument;
      if (ts.isLiteralTypeNode(arg) && ts.isStringLiteral(arg.literal)) {
        refs.push({ specifier: arg.literal.text, node: arg.literal });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return refs;
}

/** True when `id` is in a position where it reads a binding (not a property name, label, or declaration key). */
function isReferencePosition(id: ts.Identifier): boolean {
  const parent = id.parent;
  if (ts.isPropertyAccessExpression(parent) && parent.name === id) return false;
  if (ts.isQualifiedName(parent) && parent.right === id) return false;
  if (
    (ts.isPropertyAssignment(parent) ||
      ts.isPropertyDeclaration(parent) ||
      ts.isPropertySignature(parent) ||
      ts.isMethodDeclaration(parent) ||
      ts.isMethodSignature(parent) ||
      ts.isGetAccessorDeclaration(parent) ||
      ts.isSetAccessorDeclaration(parent) ||
      ts.isEnumMember(parent)) &&
    parent.name === id
  ) {
    return false;
  }
  if (ts.isBindingElement(parent) && parent.propertyName === id) return false;
  if ((ts.isImportSpecifier(parent) || ts.isExportSpecifier(parent)) && parent.propertyName === id) return false;
  if (ts.isLabeledStatement(parent) || ts.isBreakOrContinueStatement(parent)) return false;
  if (ts.isMetaProperty(parent)) return false;
  return true;
}

/** Type-only subtrees: the protocol may mention e.g. the `Date` type without reading the clock. */
function isTypeOnly(node: ts.Node): boolean {
  if (ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node)) return true;
  if (ts.isHeritageClause(node)) return node.token === ts.SyntaxKind.ImplementsKeyword;
  if (ts.isExpressionWithTypeArguments(node)) return !ts.isHeritageClause(node.parent);
  return ts.isTypeNode(node);
}

function checkProtocolGlobals(
  sf: ts.SourceFile,
  checker: ts.TypeChecker,
  report: (node: ts.Node, rule: Violation["rule"], message: string) => void,
): void {
  /** A free identifier resolves to nothing declared in this file (the program has no lib and no resolution). */
  const isFree = (id: ts.Identifier): boolean => {
    const parent = id.parent;
    const symbol =
      ts.isShorthandPropertyAssignment(parent) && parent.name === id
        ? checker.getShorthandAssignmentValueSymbol(parent)
        : checker.getSymbolAtLocation(id);
    if (!symbol) return true;
    return !(symbol.declarations ?? []).some((d) => d.getSourceFile() === sf);
  };

  const memberName = (node: ts.PropertyAccessExpression | ts.ElementAccessExpression): string | undefined => {
    if (ts.isPropertyAccessExpression(node)) return node.name.text;
    return ts.isStringLiteralLike(node.argumentExpression) ? node.argumentExpression.text : undefined;
  };

  const visit = (node: ts.Node): void => {
    if (isTypeOnly(node)) return;
    if (ts.isIdentifier(node) && PROTOCOL_FORBIDDEN_GLOBALS.has(node.text) && isReferencePosition(node)) {
      if (isFree(node)) {
        report(node, "protocol-global", `the protocol may not use the global \`${node.text}\``);
      }
    } else if (
      (ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node)) &&
      ts.isIdentifier(node.expression)
    ) {
      const forbidden = FORBIDDEN_MEMBERS[node.expression.text];
      const member = memberName(node);
      if (forbidden && member !== undefined && forbidden.has(member) && isFree(node.expression)) {
        report(node, "protocol-global", `the protocol may not use \`${node.expression.text}.${member}\``);
      }
    } else if (
      ts.isVariableDeclaration(node) &&
      ts.isObjectBindingPattern(node.name) &&
      node.initializer &&
      ts.isIdentifier(node.initializer)
    ) {
      // const { random } = Math;
      const forbidden = FORBIDDEN_MEMBERS[node.initializer.text];
      if (forbidden && isFree(node.initializer)) {
        for (const element of node.name.elements) {
          const key = element.propertyName ?? element.name;
          if ((ts.isIdentifier(key) || ts.isStringLiteral(key)) && forbidden.has(key.text)) {
            report(element, "protocol-global", `the protocol may not use \`${node.initializer.text}.${key.text}\``);
          }
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
}

export function checkLayers(rootDir: string): Violation[] {
  const root = path.resolve(rootDir);
  const packages = listPackages(root);
  const known = new Set(packages.map((p) => p.name));
  const violations: Violation[] = [];

  const jobs: { file: string; pkg: PackageInfo; protocolSrc: boolean; browserSrc: boolean }[] = [];
  for (const pkg of packages) {
    if (!(pkg.name in ALLOWED_DEPS)) {
      violations.push({
        file: toPosix(path.relative(root, pkg.dir)),
        line: 1,
        column: 1,
        rule: "unknown-package",
        message: `package "${pkg.name}" has no entry in ALLOWED_DEPS (scripts/check-layers.ts)`,
      });
    }
    for (const sub of SCANNED_DIRS) {
      const files: string[] = [];
      walkFiles(path.join(pkg.dir, sub), (name) => SOURCE_EXT.test(name) && !name.endsWith(".d.ts"), files);
      for (const file of files) {
        jobs.push({
          file,
          pkg,
          protocolSrc: pkg.name === "protocol" && sub === "src",
          browserSrc: BROWSER_PACKAGES.has(pkg.name) && sub === "src",
        });
      }
    }
  }

  // One lib-less, resolution-less program for the protocol sources: used only to tell free identifiers from
  // local bindings, so no type information (and no lib) is needed.
  const protocolFiles = jobs.filter((j) => j.protocolSrc).map((j) => j.file);
  const program =
    protocolFiles.length > 0
      ? ts.createProgram({
          rootNames: protocolFiles,
          options: {
            noLib: true,
            noResolve: true,
            types: [],
            noEmit: true,
            allowJs: false,
            target: ts.ScriptTarget.ES2022,
            module: ts.ModuleKind.ESNext,
            allowImportingTsExtensions: true,
          },
        })
      : undefined;
  const checker = program?.getTypeChecker();

  for (const { file, pkg, protocolSrc, browserSrc } of jobs) {
    const sf =
      (protocolSrc ? program?.getSourceFile(file) : undefined) ??
      ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true, scriptKind(file));
    const rel = toPosix(path.relative(root, file));
    const report = (node: ts.Node, rule: Violation["rule"], message: string): void => {
      const pos = sf.getLineAndCharacterOfPosition(node.getStart(sf));
      violations.push({ file: rel, line: pos.line + 1, column: pos.character + 1, rule, message });
    };
    const allowed = ALLOWED_DEPS[pkg.name] ?? [];

    for (const { specifier, node } of collectModuleRefs(sf)) {
      if (specifier.startsWith("@gradual/")) {
        const target = specifier.slice("@gradual/".length).split("/")[0] ?? "";
        if (!known.has(target)) {
          report(node, "unknown-package", `imports "${specifier}", but packages/ has no such package`);
        } else if (target !== pkg.name && !allowed.includes("*") && !allowed.includes(target)) {
          const may = allowed.length > 0 ? allowed.map((a) => `@gradual/${a}`).join(", ") : "no @gradual package";
          report(node, "layering", `@gradual/${pkg.name} may not import "${specifier}" (allowed: ${may})`);
        }
      } else if (specifier.startsWith(".") || path.isAbsolute(specifier)) {
        const resolved = path.resolve(path.dirname(file), specifier);
        const inside = path.relative(pkg.dir, resolved);
        if (inside.startsWith("..") || path.isAbsolute(inside)) {
          report(
            node,
            "relative-escape",
            `relative import "${specifier}" leaves packages/${path.basename(pkg.dir)}; import the package by name`,
          );
        }
      }
      if (protocolSrc && isNodeBuiltin(specifier)) {
        report(node, "protocol-node-import", `the protocol must run in a browser: may not import "${specifier}"`);
      }
      if (browserSrc && isNodeBuiltin(specifier)) {
        report(
          node,
          "browser-node-import",
          `@gradual/${pkg.name} must load in a browser: may not import "${specifier}"`,
        );
      }
    }

    if (protocolSrc && checker) checkProtocolGlobals(sf, checker, report);
  }

  violations.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
  return violations;
}

function scriptKind(file: string): ts.ScriptKind {
  return file.endsWith(".tsx") ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
}

function toPosix(p: string): string {
  return p.split(path.sep).join("/");
}

export function formatViolation(v: Violation): string {
  return `${v.file}:${v.line}:${v.column} [${v.rule}] ${v.message}`;
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) {
  const rootDir = process.argv[2] ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
  const violations = checkLayers(rootDir);
  for (const v of violations) console.error(formatViolation(v));
  if (violations.length > 0) {
    console.error(`check-layers: ${violations.length} violation(s)`);
    process.exit(1);
  }
  console.log("check-layers: ok");
}
