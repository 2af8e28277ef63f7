import { randomBytes } from "node:crypto";
import { join } from "node:path";
import type { AwsRequest } from "../../server/aws-request";
import { AwsError } from "../../server/errors";
import { jsonResponse } from "../../server/protocols";
import { JsonFile } from "../../state/json-file";
import type { LocalcloudService, ServiceContext, ServiceFactory } from "../service";

type ParameterType = "String" | "StringList" | "SecureString";

interface ParameterRecord {
  name: string;
  type: ParameterType;
  value: string;
  /** What a SecureString reads as without WithDecryption: an opaque stand-in for ciphertext. */
  sealed?: string;
  version: number;
  modifiedAt: number;
}

interface ParametersState {
  parameters: Record<string, ParameterRecord>;
}

/** Systems Manager Parameter Store, as far as ECS's `secrets` and a deploy's tests need it. */
export interface SsmService extends LocalcloudService {
  /** A parameter's value (decrypted) by name or ARN; undefined when there is none. */
  parameterValue(nameOrArn: string): string | undefined;
}

export const ssmService: ServiceFactory = {
  name: "ssm",
  create: (context) => createSsmService(context),
};

const TYPES: ParameterType[] = ["String", "StringList", "SecureString"];

const createSsmService = (context: ServiceContext): SsmService => {
  const state = new JsonFile<ParametersState>(join(context.stateDir, "parameters.json"), () => ({
    parameters: {},
  }));
  const arnPrefix = `arn:aws:ssm:${context.region}:${context.accountId}:parameter`;
  const arnOf = (name: string) => `${arnPrefix}${name.startsWith("/") ? "" : "/"}${name}`;
  /** A name as given, or the name inside this account and region's parameter ARN. */
  const nameOf = (nameOrArn: string): string => {
    if (!nameOrArn.startsWith(`${arnPrefix}/`)) return nameOrArn;
    const rest = nameOrArn.slice(arnPrefix.length + 1);
    return state.data.parameters[`/${rest}`] ? `/${rest}` : rest;
  };
  const describe = (parameter: ParameterRecord, decrypt: boolean) => ({
    Name: parameter.name,
    Type: parameter.type,
    Value:
      parameter.type === "SecureString" && !decrypt ? (parameter.sealed ?? "") : parameter.value,
    Version: parameter.version,
    LastModifiedDate: parameter.modifiedAt / 1000,
    ARN: arnOf(parameter.name),
    DataType: "text",
  });

  const operations: Record<string, (input: Record<string, unknown>) => unknown> = {
    PutParameter(input) {
      const name = typeof input.Name === "string" ? input.Name : "";
      const value = typeof input.Value === "string" ? input.Value : undefined;
      if (!/^[A-Za-z0-9_.\-/]{1,2048}$/.test(name)) {
        throw new AwsError(
          "ValidationException",
          'Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive). It must use only letters, numbers, or the following symbols: . (period), - (hyphen), _ (underscore). Special characters are not allowed. All sub-paths, if specified, must use the forward slash symbol "/". Valid example: /get/parameters2-/by1./path0_.',
        );
      }
      if (value === undefined || value.length === 0) {
        throw new AwsError(
          "ValidationException",
          "1 validation error detected: Value at 'value' failed to satisfy constraint: Member must have length greater than or equal to 1",
        );
      }
      const existing = state.data.parameters[name];
      if (existing && input.Overwrite !== true) {
        throw new AwsError(
          "ParameterAlreadyExists",
          "The parameter already exists. To overwrite this value, set the overwrite option in the request to true.",
        );
      }
      const type = (input.Type as ParameterType | undefined) ?? existing?.type;
      if (!type || !TYPES.includes(type)) {
        throw new AwsError(
          "ValidationException",
          "A parameter type is required when you create a parameter.",
        );
      }
      const parameter: ParameterRecord = {
        name,
        type,
        value,
        ...(type === "SecureString"
          ? { sealed: randomBytes(48 + value.length).toString("base64") }
          : {}),
        version: (existing?.version ?? 0) + 1,
        modifiedAt: Date.now(),
      };
      state.update((s) => {
        s.parameters[name] = parameter;
      });
      return { Version: parameter.version, Tier: "Standard" };
    },
    GetParameter(input) {
      const name = nameOf(String(input.Name ?? ""));
      const parameter = state.data.parameters[name];
      if (!parameter) throw new AwsError("ParameterNotFound", "");
      return { Parameter: describe(parameter, input.WithDecryption === true) };
    },
    GetParameters(input) {
      const names = (input.Names as string[] | undefined) ?? [];
      if (names.length === 0 || names.length > 10) {
        throw new AwsError(
          "ValidationException",
          "1 validation error detected: Value at 'names' failed to satisfy constraint: Member must have length less than or equal to 10 and greater than or equal to 1",
        );
      }
      const found = names.flatMap((given) => {
        const parameter = state.data.parameters[nameOf(given)];
        return parameter ? [describe(parameter, input.WithDecryption === true)] : [];
      });
      return {
        Parameters: found,
        InvalidParameters: names.filter((given) => !state.data.parameters[nameOf(given)]),
      };
    },
    DeleteParameter(input) {
      const name = nameOf(String(input.Name ?? ""));
      if (!state.data.parameters[name]) throw new AwsError("ParameterNotFound", "");
      state.update((s) => {
        delete s.parameters[name];
      });
      return {};
    },
  };

  return {
    name: "ssm",
    signingName: "ssm",
    protocol: "json",
    throttlingError: { code: "ThrottlingException", status: 400, message: "Rate exceeded" },
    operationOf: (request: AwsRequest) =>
      request.header("x-amz-target")?.split(".")[1] ?? "Unknown",
    async handle(request, operation) {
      const op = operations[operation];
      if (!op) {
        throw new AwsError(
          "UnknownOperationException",
          `localcloud does not emulate ssm ${operation}`,
        );
      }
      return jsonResponse(op(JSON.parse(request.body.toString("utf8") || "{}")));
    },
    async stop() {
      state.save();
    },
    parameterValue(nameOrArn) {
      return state.data.parameters[nameOf(nameOrArn)]?.value;
    },
  };
};
