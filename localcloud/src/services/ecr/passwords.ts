import { createHash, randomBytes } from "node:crypto";
import { join } from "node:path";
import { JsonFile } from "../../state/json-file";

/** ECR's registry passwords last 12 hours. */
export const PASSWORD_LIFETIME_MS = 12 * 60 * 60 * 1000;
/** ECR's registry user name is always AWS. */
export const REGISTRY_USER = "AWS";
/** Expired passwords are remembered a while longer, to answer "expired" rather than "unknown". */
const FORGET_AFTER_MS = 24 * 60 * 60 * 1000;

export interface RegistryPassword {
  username: typeof REGISTRY_USER;
  password: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

export type PasswordCheck = "valid" | "expired" | "unknown";

interface PasswordState {
  /** sha256 of each issued password → its expiry; the passwords themselves are never stored. */
  issued: Record<string, number>;
}

/**
 * Registry passwords as GetAuthorizationToken hands them out: random, expiring, checked by the
 * registry's Basic auth. Only hashes are persisted, so a restart keeps issued passwords valid.
 */
export class PasswordBook {
  private readonly state: JsonFile<PasswordState>;

  constructor(
    stateDir: string,
    private readonly now: () => number,
  ) {
    this.state = new JsonFile<PasswordState>(join(stateDir, "passwords.json"), () => ({
      issued: {},
    }));
  }

  issue(): RegistryPassword {
    const password = randomBytes(48).toString("base64url");
    const now = this.now();
    const expiresAt = now + PASSWORD_LIFETIME_MS;
    this.state.update((data) => {
      for (const [hash, expiry] of Object.entries(data.issued)) {
        if (expiry + FORGET_AFTER_MS < now) delete data.issued[hash];
      }
      data.issued[hashOf(password)] = expiresAt;
    });
    return { username: REGISTRY_USER, password, expiresAt };
  }

  check(username: string, password: string): PasswordCheck {
    if (username !== REGISTRY_USER) return "unknown";
    const expiresAt = this.state.data.issued[hashOf(password)];
    if (expiresAt === undefined) return "unknown";
    return this.now() < expiresAt ? "valid" : "expired";
  }
}

const hashOf = (password: string): string => createHash("sha256").update(password).digest("hex");
