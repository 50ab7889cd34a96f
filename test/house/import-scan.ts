// Every module specifier a source file names: static imports and re-exports, side-effect
// imports, import() (in code and in types) and require(). Read with TypeScript's own scanner,
// so comments, strings, template literals and regular expressions never pass for imports.
// The scanner does not know the grammar; the little it needs (is this slash a regular
// expression, does this brace close a template's `${`) is decided here from the previous token.
// JSX text is read as code, which at worst misreads the rest of its line: imports come first.
import { createScanner, LanguageVariant, SyntaxKind, tokenIsIdentifierOrKeyword } from 'typescript/unstable/ast';

export interface ImportRef {
  /** The specifier as written: './x.ts', 'node:fs', 'ws'. */
  spec: string;
  /** 1-based line of the specifier. */
  line: number;
}

/** Reserved words after which an expression starts, so a slash begins a regular expression. */
const EXPRESSION_KEYWORDS = new Set<SyntaxKind>([
  SyntaxKind.ReturnKeyword,
  SyntaxKind.TypeOfKeyword,
  SyntaxKind.InstanceOfKeyword,
  SyntaxKind.InKeyword,
  SyntaxKind.NewKeyword,
  SyntaxKind.DeleteKeyword,
  SyntaxKind.VoidKeyword,
  SyntaxKind.ThrowKeyword,
  SyntaxKind.CaseKeyword,
  SyntaxKind.DoKeyword,
  SyntaxKind.ElseKeyword,
  SyntaxKind.YieldKeyword,
  SyntaxKind.AwaitKeyword,
]);

/** Punctuation and literals that end an operand, so a slash after them divides. */
const OPERAND_ENDS = new Set<SyntaxKind>([
  SyntaxKind.NumericLiteral,
  SyntaxKind.BigIntLiteral,
  SyntaxKind.StringLiteral,
  SyntaxKind.NoSubstitutionTemplateLiteral,
  SyntaxKind.TemplateTail,
  SyntaxKind.RegularExpressionLiteral,
  SyntaxKind.CloseParenToken,
  SyntaxKind.CloseBracketToken,
  SyntaxKind.CloseBraceToken,
  SyntaxKind.PlusPlusToken,
  SyntaxKind.MinusMinusToken,
]);

function endsOperand(kind: SyntaxKind): boolean {
  return tokenIsIdentifierOrKeyword(kind) ? !EXPRESSION_KEYWORDS.has(kind) : OPERAND_ENDS.has(kind);
}

/** Tokens after which `{` still belongs to an import/export clause (`import {`, `export type {`, `import a, {`). */
const CLAUSE_BRACE_AFTER = new Set<SyntaxKind>([SyntaxKind.ImportKeyword, SyntaxKind.ExportKeyword, SyntaxKind.TypeKeyword, SyntaxKind.CommaToken]);

export function importsOf(text: string): ImportRef[] {
  const scanner = createScanner(true, LanguageVariant.Standard, text);
  const found: ImportRef[] = [];
  const lineOf = (pos: number) => {
    let line = 1;
    for (let i = text.indexOf('\n'); i !== -1 && i < pos; i = text.indexOf('\n', i + 1)) line++;
    return line;
  };
  // What each open `{` is: a block/object, or the `${` of a template literal.
  const braces: ('block' | 'template')[] = [];
  // Inside an import or export statement, before its specifier: a `from '…'` there is one.
  let inClause = false;
  let prev = SyntaxKind.Unknown;
  let beforePrev = SyntaxKind.Unknown;
  for (let kind = scanner.scan(); kind !== SyntaxKind.EndOfFile; kind = scanner.scan()) {
    if (scanner.getTokenEnd() === scanner.getTokenStart()) {
      // An empty token does not move the scanner on (a `#` before `<` in JSX text): step over it.
      scanner.resetTokenState(scanner.getTokenStart() + 1);
      continue;
    }
    if ((kind === SyntaxKind.SlashToken || kind === SyntaxKind.SlashEqualsToken) && !endsOperand(prev)) {
      kind = scanner.reScanSlashToken();
    } else if (kind === SyntaxKind.TemplateHead) {
      braces.push('template');
    } else if (kind === SyntaxKind.OpenBraceToken) {
      braces.push('block');
      if (!CLAUSE_BRACE_AFTER.has(prev)) inClause = false;
    } else if (kind === SyntaxKind.CloseBraceToken) {
      if (braces.at(-1) === 'template') {
        kind = scanner.reScanTemplateToken(false);
        if (kind === SyntaxKind.TemplateTail) braces.pop();
      } else {
        braces.pop();
      }
    } else if (kind === SyntaxKind.ImportKeyword || kind === SyntaxKind.ExportKeyword) {
      // A statement: at the start of the file or of a line (`import.meta` and `import(` are not clauses).
      inClause = prev === SyntaxKind.Unknown || scanner.hasPrecedingLineBreak() || prev === SyntaxKind.SemicolonToken;
    } else if (kind === SyntaxKind.SemicolonToken || kind === SyntaxKind.EqualsToken || kind === SyntaxKind.OpenParenToken) {
      inClause = false; // `export const x = …`, `export function f(…`: not a clause after all
    }

    if (kind === SyntaxKind.StringLiteral || kind === SyntaxKind.NoSubstitutionTemplateLiteral) {
      const fromClause = inClause && (prev === SyntaxKind.FromKeyword || (prev === SyntaxKind.ImportKeyword && kind === SyntaxKind.StringLiteral));
      const called = prev === SyntaxKind.OpenParenToken && (beforePrev === SyntaxKind.ImportKeyword || beforePrev === SyntaxKind.RequireKeyword);
      if (fromClause || called) found.push({ spec: scanner.getTokenValue(), line: lineOf(scanner.getTokenStart()) });
      inClause = false;
    }
    beforePrev = prev;
    prev = kind;
  }
  return found;
}
