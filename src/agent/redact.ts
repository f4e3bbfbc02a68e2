// Error text goes to people, logs and job pages: credentials in URLs and API keys or tokens
// never do, whatever a library put into its message.

export function redactSecrets(text: string): string {
  return text
    .replace(/(\w+:\/\/)[^/\s:@]+:[^/\s@]+@/g, "$1***@")
    .replace(/\b(sk-ant-|ghs_|ghp_|github_pat_|gho_|ghu_|ghr_)[\w-]+/g, "$1***");
}
