import { describe, expect, it } from "vitest";
import { decodeAwsChunked } from "../../src/services/s3/aws-chunked";

describe("decodeAwsChunked", () => {
  it("decodes signed chunks (STREAMING-AWS4-HMAC-SHA256-PAYLOAD) with a signed trailer", () => {
    const signature = "a".repeat(64);
    const raw = Buffer.from(
      `5;chunk-signature=${signature}\r\nhello\r\n6;chunk-signature=${signature}\r\n world\r\n` +
        `0;chunk-signature=${signature}\r\nx-amz-checksum-crc32:DUoRhQ==\r\nx-amz-trailer-signature:${signature}\r\n\r\n`,
    );
    const decoded = decodeAwsChunked(raw);
    expect(decoded.body.toString()).toBe("hello world");
    expect(decoded.trailers["x-amz-checksum-crc32"]).toBe("DUoRhQ==");
  });

  it("decodes unsigned chunks and keeps binary data intact", () => {
    const data = Buffer.from([0, 13, 10, 255, 13, 10]);
    const raw = Buffer.concat([Buffer.from("6\r\n"), data, Buffer.from("\r\n0\r\n\r\n")]);
    expect(decodeAwsChunked(raw).body).toEqual(data);
  });

  it("refuses a body cut short (IncompleteBody)", () => {
    expect(() => decodeAwsChunked(Buffer.from("10\r\nshort"))).toThrow(
      expect.objectContaining({ code: "IncompleteBody" }),
    );
  });
});
