import { createECDH, createPublicKey, type KeyObject, verify } from "node:crypto";
import { Sha256 } from "@aws-crypto/sha256-js";
import { SignatureV4a } from "@aws-sdk/signature-v4a";
import { signableRequest, type VerifyInput } from "./signable-request";

/** The signer's step that turns the string to sign into an ECDSA signature with the derived key. */
interface EcdsaStep {
  getSignature(privateKey: Uint8Array, stringToSign: string): Promise<string>;
}

/**
 * Verifies a SigV4A signature. ECDSA signatures cannot be compared by re-signing (a signer may
 * pick any nonce), so the SDK's own SigV4A signer computes everything but the last step — the
 * canonical request, the string to sign and the key pair derived from the secret — and the
 * client's signature is then checked against that key's public half with node:crypto.
 */
export const verifySigV4a = async (input: VerifyInput): Promise<boolean> => {
  const signable = signableRequest(input);
  if (!signable) return false;
  const signer = new SignatureV4a({
    credentials: input.credentials,
    region: input.scope.region,
    service: input.scope.signingName,
    sha256: Sha256,
    uriEscapePath: true,
    applyChecksum: false,
  });
  let derived: { privateKey: Uint8Array; stringToSign: string } | undefined;
  (signer as unknown as EcdsaStep).getSignature = async (privateKey, stringToSign) => {
    derived = { privateKey, stringToSign };
    return "";
  };
  await signer.sign(signable.request, {
    signingDate: signable.signingDate,
    signableHeaders: new Set(input.scope.signedHeaders),
    signingRegion: input.scope.region,
  });
  if (!derived) return false;
  try {
    return verify(
      "sha256",
      Buffer.from(derived.stringToSign, "utf8"),
      { key: publicKeyOf(derived.privateKey), dsaEncoding: "der" },
      Buffer.from(input.scope.signature, "hex"),
    );
  } catch {
    // A signature that is not valid DER is simply not a valid signature.
    return false;
  }
};

const publicKeyOf = (privateKey: Uint8Array): KeyObject => {
  const ecdh = createECDH("prime256v1");
  ecdh.setPrivateKey(privateKey);
  const point = ecdh.getPublicKey();
  return createPublicKey({
    key: {
      kty: "EC",
      crv: "P-256",
      x: point.subarray(1, 33).toString("base64url"),
      y: point.subarray(33, 65).toString("base64url"),
    },
    format: "jwk",
  });
};
