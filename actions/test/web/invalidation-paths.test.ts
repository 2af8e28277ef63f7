import { describe, expect, it } from "vitest";
import { parseInvalidateInputs } from "../../src/web/invalidate-inputs";
import { urlPath } from "../../src/web/invalidation-plan";

/** CloudFront matches a path only when exactly the non-ASCII and RFC 1738 unsafe characters are encoded. */
describe("invalidation paths of published keys", () => {
  it.each([
    // Reserved and sub-delimiter characters are not unsafe: sent as they are.
    { key: "a+b(1)!'.html", path: "/a+b(1)!'.html" },
    { key: "x,y;z@w$v&u=t.html", path: "/x,y;z@w$v&u=t.html" },
    // Unsafe characters (RFC 1738 section 2.2) are encoded, the tilde among them.
    { key: "~user/{a}|b^[c]`d.html", path: "/%7Euser/%7Ba%7D%7Cb%5E%5Bc%5D%60d.html" },
    { key: 'a"b<c>#d\\e.html', path: "/a%22b%3Cc%3E%23d%5Ce.html" },
    { key: "100%.html", path: "/100%25.html" },
    // Non-ASCII as UTF-8 bytes; a space is unsafe.
    { key: "café x.html", path: "/caf%C3%A9%20x.html" },
    // In a key, "?" would start a query string and "*" would be a wildcard.
    { key: "what?.html", path: "/what%3F.html" },
    { key: "star*.html", path: "/star%2A.html" },
  ])("$key → $path", ({ key, path }) => {
    expect(urlPath(key)).toBe(path);
  });
});

const userPaths = (...paths: string[]) =>
  parseInvalidateInputs({ "distribution-id": "E1TEST", paths: paths.join("\n") }).paths;

describe("shipline invalidate --paths", () => {
  it("encodes a typed path the same way as a published key", () => {
    expect(userPaths("/café x.html")).toEqual([urlPath("café x.html")]);
    expect(userPaths("/~me/a(1).html")).toEqual(["/%7Eme/a(1).html"]);
  });

  it("reads escapes the user already wrote, so both spellings are one path", () => {
    expect(userPaths("/café x.html", "/caf%C3%A9%20x.html", "/caf%c3%a9 x.html")).toEqual([
      "/caf%C3%A9%20x.html",
    ]);
    // An escaped safe character would not match: it is written plainly.
    expect(userPaths("/a%28b%29.html")).toEqual(["/a(b).html"]);
  });

  it("keeps a trailing wildcard and a query string", () => {
    expect(userPaths("/docs é/*")).toEqual(["/docs%20%C3%A9/*"]);
    expect(userPaths("/a.jpg?v=%3D2&x=é")).toEqual(["/a.jpg?v=%3D2&x=%C3%A9"]);
  });
});
