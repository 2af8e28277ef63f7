/**
 * The secrets a logger has been told about, and their removal from any text it writes. Both
 * loggers keep one: on GitHub the runner masks too, but only after `::add-mask::` reached it,
 * and elsewhere (CircleCI, a terminal) nothing else stands between a secret and the log.
 */
export class SecretSet {
  private readonly values = new Set<string>();

  add(value: string): void {
    if (value) this.values.add(value);
  }

  redact(text: string): string {
    let result = text;
    // Longest first, so a secret that contains another is replaced whole.
    for (const secret of [...this.values].sort((a, b) => b.length - a.length)) {
      result = result.split(secret).join("***");
    }
    return result;
  }
}
