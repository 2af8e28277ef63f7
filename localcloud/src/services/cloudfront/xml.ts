import { XMLParser } from "fast-xml-parser";
import { AwsError } from "../../server/errors";

/** A parsed XML element: text leaves are strings, lists are `{ Quantity, Items: { Member: [] } }`. */
export type XmlNode = { [name: string]: XmlValue };
export type XmlValue = string | XmlNode | XmlValue[];

/**
 * CloudFront wraps every list as `<Items><Member/>…</Items>`; members are always parsed as arrays
 * so a one-element list looks like a longer one. Values stay strings: the stored document is
 * echoed back exactly as the client sent it.
 */
const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  isArray: (_name, jpath) => /\.Items\.[^.]+$/.test(String(jpath)),
});

/** The root element `rootName` of a request body, or MissingBody as CloudFront answers. */
export const parseRoot = (body: Buffer, rootName: string): XmlNode => {
  if (body.length === 0) {
    throw new AwsError(
      "MissingBody",
      "This operation requires a body. Ensure that the body is present and the Content-Type header is set.",
    );
  }
  let document: XmlNode;
  try {
    document = parser.parse(body.toString("utf8")) as XmlNode;
  } catch {
    throw new AwsError("MalformedInput", "Could not parse the XML document.");
  }
  const root = document[rootName];
  if (root === undefined || typeof root !== "object" || Array.isArray(root)) {
    throw new AwsError("MalformedInput", `Expected the root element ${rootName}.`);
  }
  return root;
};

export const child = (node: XmlNode | undefined, name: string): XmlNode | undefined => {
  const value = node?.[name];
  return value !== undefined && typeof value === "object" && !Array.isArray(value)
    ? value
    : undefined;
};

export const text = (node: XmlNode | undefined, name: string): string | undefined => {
  const value = node?.[name];
  return typeof value === "string" ? value : undefined;
};

export const bool = (node: XmlNode | undefined, name: string): boolean | undefined => {
  const value = text(node, name);
  return value === undefined ? undefined : value === "true";
};

export const int = (node: XmlNode | undefined, name: string): number | undefined => {
  const value = text(node, name);
  if (value === undefined || value === "") return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed))
    throw new AwsError("InvalidArgument", `${name} must be a number, got "${value}".`);
  return parsed;
};

/**
 * The members of a CloudFront list (`{ Quantity, Items: { memberName: [...] } }`), checking
 * Quantity against the items as CloudFront does (InconsistentQuantities).
 */
export const items = <T extends XmlValue = XmlNode>(
  list: XmlNode | undefined,
  memberName: string,
): T[] => {
  if (!list) return [];
  const container = child(list, "Items");
  const members = (container?.[memberName] ?? []) as T[];
  const quantity = int(list, "Quantity");
  if (quantity !== undefined && quantity !== members.length) {
    throw new AwsError(
      "InconsistentQuantities",
      `The value of Quantity and the size of Items don't match (Quantity ${quantity}, ${members.length} items).`,
    );
  }
  return members;
};

/** Builds a CloudFront list value for the XML builder. */
export const list = (memberName: string, members: XmlValue[]): XmlNode =>
  members.length === 0
    ? { Quantity: "0" }
    : { Quantity: String(members.length), Items: { [memberName]: members } };
