import { Sha256 } from "@aws-crypto/sha256-js";
import { SignatureV4 } from "@smithy/signature-v4";
import { signableRequest, type VerifyInput } from "./signable-request";
import { verifySigV4a } from "./sigv4a-verify";

/** What the Authorization header says about who signed and for which service. */
export interface SignatureScope {
  /** SigV4 (HMAC) or SigV4A (ECDSA P-256, used by multi-region and global services). */
  algorithm: "AWS4-HMAC-SHA256" | "AWS4-ECDSA-P256-SHA256";
  accessKeyId: string;
  date: string;
  /** SigV4: the region of the credential scope; SigV4A: the X-Amz-Region-Set header (`*`, `us-east-1,…`). */
  region: string;
  signingName: string;
  signedHeaders: string[];
  signature: string;
}

const AUTH_PATTERN =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/;
/** SigV4A's scope names no region: the signature is valid for the region set sent in a header. */
const AUTH_PATTERN_V4A =
  /^AWS4-ECDSA-P256-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]+)$/;

/**
 * Who signed, for which service and region, from the Authorization header (and, for SigV4A,
 * the X-Amz-Region-Set header); null when the request is not signed in a way we know.
 */
export const parseAuthorization = (
  authorization: string | undefined,
  regionSet?: string,
): SignatureScope | null => {
  const value = authorization?.trim();
  const v4 = value?.match(AUTH_PATTERN);
  if (v4) {
    const [, accessKeyId, date, region, signingName, signedHeaders, signature] = v4 as unknown as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    return {
      algorithm: "AWS4-HMAC-SHA256",
      accessKeyId,
      date,
      region,
      signingName,
      signedHeaders: signedHeaders.split(";"),
      signature,
    };
  }
  const v4a = value?.match(AUTH_PATTERN_V4A);
  if (!v4a || !regionSet) return null;
  const [, accessKeyId, date, signingName, signedHeaders, signature] = v4a as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  return {
    algorithm: "AWS4-ECDSA-P256-SHA256",
    accessKeyId,
    date,
    region: regionSet,
    signingName,
    signedHeaders: signedHeaders.split(";"),
    signature,
  };
};

/**
 * Re-signs the request with the secret we know for its access key (using the SDK's own signer,
 * so we never re-implement SigV4) and compares the result with what the client sent.
 */
export const verifySignature = async (input: VerifyInput): Promise<boolean> => {
  if (input.scope.algorithm === "AWS4-ECDSA-P256-SHA256") return verifySigV4a(input);
  const { scope } = input;
  const signable = signableRequest(input);
  if (!signable) return false;
  const signer = new SignatureV4({
    credentials: input.credentials,
    region: scope.region,
    service: scope.signingName,
    sha256: Sha256,
    // S3 signs the path as sent; every other service URI-encodes it once more.
    uriEscapePath: scope.signingName !== "s3",
    applyChecksum: false,
  });
  const signed = await signer.sign(signable.request, {
    signingDate: signable.signingDate,
    signableHeaders: new Set(scope.signedHeaders),
  });
  const authorization = signed.headers.authorization ?? signed.headers.Authorization ?? "";
  const expected = parseAuthorization(authorization)?.signature;
  return expected === scope.signature;
};
