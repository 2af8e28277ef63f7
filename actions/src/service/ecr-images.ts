import { DescribeImagesCommand, DescribeRepositoriesCommand } from "@aws-sdk/client-ecr";
import { quote } from "../lib/errors";
import type { ServiceClients } from "./clients";
import type { ImageChange } from "./inputs";

/** ECR registry hosts: <account>.dkr.ecr.<region>.amazonaws.com (and .com.cn, FIPS). */
const ECR_HOST = /^(\d{12})\.dkr\.ecr(?:-fips)?\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?$/;

function isNamed(error: unknown, ...names: string[]): boolean {
  return names.includes((error as Error | undefined)?.name ?? "");
}

/**
 * Checks that each new image exists in ECR by its digest, so a typo or a failed push is refused
 * before the service is touched (instead of tasks failing with CannotPullContainerError).
 * Images in other registries cannot be checked through ECR: a warning says so.
 */
export async function checkImagesExist(
  clients: Pick<ServiceClients, "ecr">,
  images: ImageChange[],
): Promise<{ problems: string[]; warnings: string[] }> {
  const problems: string[] = [];
  const warnings: string[] = [];
  for (const change of images) {
    const registryId = ECR_HOST.exec(change.registry)?.[1];
    if (!registryId) {
      // Not an ECR host name: it may still be this account's ECR behind another endpoint.
      const uri = await repositoryUri(clients, change.repository);
      if (!uri?.startsWith(`${change.registry}/`)) {
        warnings.push(
          `image of ${change.container} is not in ECR (${change.registry}); its digest was not checked`,
        );
        continue;
      }
    }
    try {
      const found = await clients.ecr.send(
        new DescribeImagesCommand({
          ...(registryId ? { registryId } : {}),
          repositoryName: change.repository,
          imageIds: [{ imageDigest: change.digest }],
        }),
      );
      if ((found.imageDetails ?? []).length === 0) throw notFound(change);
    } catch (error) {
      if (isNamed(error, "ImageNotFoundException")) {
        problems.push(notFound(change).message);
      } else if (isNamed(error, "RepositoryNotFoundException")) {
        problems.push(
          `image of ${change.container}: ECR repository ${quote(change.repository)} does not exist${registryId ? ` in account ${registryId}` : ""}`,
        );
      } else {
        throw error;
      }
    }
  }
  return { problems, warnings };
}

function notFound(change: ImageChange): Error {
  return new Error(
    `image of ${change.container}: ${change.digest} is not in ECR repository ${quote(change.repository)} (was it pushed, to this region?)`,
  );
}

async function repositoryUri(
  clients: Pick<ServiceClients, "ecr">,
  repository: string,
): Promise<string | undefined> {
  try {
    const response = await clients.ecr.send(
      new DescribeRepositoriesCommand({ repositoryNames: [repository] }),
    );
    return response.repositories?.[0]?.repositoryUri;
  } catch (error) {
    if (isNamed(error, "RepositoryNotFoundException")) return undefined;
    throw error;
  }
}
