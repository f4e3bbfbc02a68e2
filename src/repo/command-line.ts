// Splits a verification command written as one string (`make test`, `go test -race ./...`)
// into argv, the way a POSIX shell splits words, but never through a shell: anything that
// would need one (pipes, redirects, `;`, `&&`, `$VAR`, backticks, subshells) is refused
// with a message, rather than being passed on as literal text that silently does nothing.

export class CommandLineError extends Error {
  override name = "CommandLineError";
}

const SHELL_ONLY = new Set(["|", "&", ";", "<", ">", "(", ")", "$", "`"]);

const NO_SHELL =
  "commands are run without a shell, so pipes, redirects, `;`, `&&`, `$` and backticks do not work; put such logic in a Makefile target or a script and run that";

export function splitCommandLine(line: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quote: "'" | '"' | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote === "'") {
      if (c === "'") quote = null;
      else word += c;
      continue;
    }
    if (quote === '"') {
      if (c === '"') quote = null;
      else if (c === "$" || c === "`")
        throw new CommandLineError(`contains "${c}" inside double quotes; ${NO_SHELL}`);
      else if (c === "\\" && i + 1 < line.length && '"\\'.includes(line[i + 1]!)) word += line[++i];
      else word += c;
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === "\\") {
      if (i + 1 >= line.length) throw new CommandLineError("ends with a lone backslash");
      word += line[++i];
      inWord = true;
    } else if (c === " " || c === "\t") {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else if (c === "\n" || c === "\r") {
      throw new CommandLineError(`spans several lines; ${NO_SHELL}`);
    } else if (SHELL_ONLY.has(c)) {
      throw new CommandLineError(`contains "${c}"; ${NO_SHELL}`);
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) throw new CommandLineError(`has an unclosed ${quote} quote`);
  if (inWord) words.push(word);
  if (words.length === 0) throw new CommandLineError("is empty");
  return words;
}
