/** Fixed identity of the local stand-in: one account, one region, one set of test credentials. */
export const LOCAL_ACCOUNT_ID = "000000000000";
export const DEFAULT_REGION = "us-east-1";

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** The credentials every test and the demo sign with (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY). */
export const TEST_CREDENTIALS: Credentials = {
  accessKeyId: "AKIALOCALCLOUD000001",
  secretAccessKey: "localcloud/test/secret/key/not/for/real/aws0",
};
