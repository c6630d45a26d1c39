// The statements of a migration file, for the files that run outside a transaction: Postgres
// runs a query string of several statements as one implicit transaction, so they go one by one.

// At a position: a quoted string or identifier, a dollar-quoted body, or a comment.
const quoted = /'(?:[^']|'')*'|"(?:[^"]|"")*"|(\$[A-Za-z_0-9]*\$)[\s\S]*?\1/y
const comment = /--[^\n]*|\/\*[\s\S]*?\*\//y

/** Splits SQL at the semicolons outside quotes, dollar quotes and comments; drops the comments. */
export function splitStatements(text: string): string[] {
  const statements: string[] = []
  let current = ''
  let at = 0
  while (at < text.length) {
    const literal = matchAt(quoted, text, at)
    const skipped = literal === undefined ? matchAt(comment, text, at) : undefined
    if (literal !== undefined) current += literal
    else if (skipped !== undefined) current += ' '
    else if (text[at] === ';') {
      statements.push(current)
      current = ''
    } else current += text[at]
    at += (literal ?? skipped ?? ' ').length
  }
  statements.push(current)
  return statements.map((statement) => statement.trim()).filter((statement) => statement !== '')
}

function matchAt(pattern: RegExp, text: string, at: number): string | undefined {
  pattern.lastIndex = at
  return pattern.exec(text)?.[0]
}
