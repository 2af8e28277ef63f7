import {
  DescribeRepositoriesCommand,
  type ECRClient,
  RepositoryNotFoundException,
} from "@aws-sdk/client-ecr";
import { ConfigurationError, quote } from "../lib/errors";

export interface RepositoryInfo {
  name: string;
  uri: string;
  registryId: string;
  /** Tags cannot be moved once set (IMMUTABLE, or IMMUTABLE_WITH_EXCLUSION for non-excluded tags). */
  immutable: boolean;
}

/** Checks that the repository exists (shipline never creates it) and reads its tag policy. */
export async function describeRepository(ecr: ECRClient, name: string): Promise<RepositoryInfo> {
  try {
    const response = await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [name] }));
    const repository = response.repositories?.[0];
    if (!repository?.repositoryUri) throw new Error(`ECR did not describe repository ${name}`);
    return {
      name,
      uri: repository.repositoryUri,
      registryId: repository.registryId ?? "",
      immutable: (repository.imageTagMutability ?? "MUTABLE").startsWith("IMMUTABLE"),
    };
  } catch (error) {
    if (
      error instanceof RepositoryNotFoundException ||
      (error as Error).name === "RepositoryNotFoundException"
    ) {
      throw new ConfigurationError(
        `ECR repository ${quote(name)} does not exist in this account and region; create it first (e.g. aws ecr create-repository --repository-name ${name})`,
      );
    }
    throw error;
  }
}
