// biome-ignore lint/suspicious/noExplicitAny: answers have many shapes; tests assert them field by field.
export interface Answer<Body = any> {
  status: number;
  body: Body;
  headers: Headers;
}

export interface CallOptions {
  body?: unknown;
  /** Sent as `Authorization: Bearer …`. */
  token?: string;
  /** Sent as a raw `Cookie` header. */
  cookie?: string;
}

/** One HTTP request to the API with a JSON body; the answer's JSON parsed (or undefined when empty). */
export async function call(
  baseUrl: string,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (options.body !== undefined) headers["content-type"] = "application/json";
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.cookie) headers.cookie = options.cookie;
  const response = await fetch(new URL(path, baseUrl), {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text ? JSON.parse(text) : undefined,
    headers: response.headers,
  };
}
