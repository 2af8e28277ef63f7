import { join } from "node:path";
import { JsonFile } from "../../../state/json-file";

export type FunctionRuntime = "cloudfront-js-1.0" | "cloudfront-js-2.0";
export type FunctionStage = "DEVELOPMENT" | "LIVE";

/** One stage's copy of a function: what DescribeFunction/GetFunction return for that stage. */
export interface FunctionVersion {
  etag: string;
  comment: string;
  runtime: FunctionRuntime;
  /** ARNs of the associated key value stores (CloudFront allows one). */
  keyValueStoreArns: string[];
  /** The code as sent, base64. */
  code: string;
  lastModifiedTime: string;
}

export interface StoredFunction {
  name: string;
  createdTime: string;
  development: FunctionVersion;
  /** Set by PublishFunction: the copy distributions run. */
  live?: FunctionVersion;
}

interface State {
  functions: StoredFunction[];
}

/** CloudFront Functions, persisted in CloudFront's state folder. */
export class FunctionStore {
  private readonly file: JsonFile<State>;

  constructor(stateDir: string) {
    this.file = new JsonFile<State>(join(stateDir, "functions.json"), () => ({ functions: [] }));
  }

  all(): StoredFunction[] {
    return this.file.data.functions;
  }

  find(name: string): StoredFunction | undefined {
    return this.all().find((f) => f.name === name);
  }

  add(fn: StoredFunction): void {
    this.file.update((state) => state.functions.push(fn));
  }

  remove(name: string): void {
    this.file.update((state) => {
      state.functions = state.functions.filter((f) => f.name !== name);
    });
  }

  save(): void {
    this.file.save();
  }
}

export const functionArn = (accountId: string, name: string): string =>
  `arn:aws:cloudfront::${accountId}:function/${name}`;

/** `arn:aws:cloudfront::123456789012:function/name` → name (undefined for another shape). */
export const functionNameOf = (arn: string, accountId: string): string | undefined => {
  const prefix = `arn:aws:cloudfront::${accountId}:function/`;
  return arn.startsWith(prefix) ? arn.slice(prefix.length) : undefined;
};
