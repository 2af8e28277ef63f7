/**
 * How CloudFront wants invalidation paths written ("Specifying the objects to invalidate"): a
 * character that is not ASCII, or that RFC 1738 calls unsafe, is percent-encoded; every other
 * character is sent as it is, or CloudFront does not match the cached object and invalidates
 * nothing. One encoder for the keys shipline publishes and the paths users type.
 */

/** RFC 1738, section 2.2: characters that are unsafe in a URL (`%` too: it starts an escape). */
const UNSAFE = new Set([
  " ",
  "<",
  ">",
  '"',
  "#",
  "%",
  "{",
  "}",
  "|",
  "\\",
  "^",
  "~",
  "[",
  "]",
  "`",
]);

const escapeBytes = (text: string): string =>
  [...Buffer.from(text, "utf8")]
    .map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, "0")}`)
    .join("");

/** Control characters and DEL have no graphic form; non-ASCII is encoded as its UTF-8 bytes. */
const needsEncoding = (char: string): boolean => {
  const code = char.codePointAt(0) ?? 0;
  return code < 0x20 || code >= 0x7f || UNSAFE.has(char);
};

/**
 * Encodes the characters CloudFront requires encoded and nothing else. `also` names characters
 * that must not keep their meaning in this text: in a bucket key, `?` would start a query string
 * and `*` would become a wildcard, so a key escapes both.
 */
export function encodeInvalidationText(text: string, also = ""): string {
  let out = "";
  for (const char of text) {
    out += needsEncoding(char) || also.includes(char) ? escapeBytes(char) : char;
  }
  return out;
}

/** The invalidation path of a bucket key served at `/<key without the origin prefix>`. */
export function keyInvalidationPath(relativeKey: string): string {
  return `/${encodeInvalidationText(relativeKey, "?*")}`;
}

const decodeEscapes = (text: string): string =>
  text.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      // Not UTF-8: leave the escapes as the user wrote them (their `%` is then encoded).
      return run;
    }
  });

/** Encodes what CloudFront requires, but keeps escapes already written (`%3D` in a query stays). */
const encodeKeepingEscapes = (text: string): string =>
  text
    .split(/(%[0-9A-Fa-f]{2})/)
    .map((part, i) => (i % 2 === 1 ? part.toUpperCase() : encodeInvalidationText(part)))
    .join("");

/**
 * A path a user typed (`/café x.html`, `/caf%C3%A9%20x.html`, `/docs/*`, `/a.jpg?v=2`) in the
 * form CloudFront matches: escapes the user already wrote are read first, so both spellings give
 * the same path; a trailing `*` stays a wildcard and a query string stays a query string.
 */
export function userInvalidationPath(path: string): string {
  const queryAt = path.indexOf("?");
  const pathPart = queryAt < 0 ? path : path.slice(0, queryAt);
  const query = queryAt < 0 ? "" : path.slice(queryAt + 1);
  const wildcard = pathPart.endsWith("*");
  const body = wildcard ? pathPart.slice(0, -1) : pathPart;
  // In the path, an escaped character that needs none (`%28`) is written plainly: CloudFront
  // would not match it. A query's escapes are kept: decoding `%26` would split a parameter.
  const encoded = encodeInvalidationText(decodeEscapes(body), "?*");
  return `${encoded}${wildcard ? "*" : ""}${queryAt < 0 ? "" : `?${encodeKeepingEscapes(query)}`}`;
}
