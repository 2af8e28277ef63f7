import {
  CreateRepositoryCommand,
  DescribeRepositoriesCommand,
  type ECRClient,
  GetLifecyclePolicyCommand,
  PutImageScanningConfigurationCommand,
  PutImageTagMutabilityCommand,
  PutLifecyclePolicyCommand,
  type Repository,
} from "@aws-sdk/client-ecr";

/** What a deploy's repositories need: tags that never move, scans on push, old images expire. */
export function lifecyclePolicy(keepImages: number): string {
  return JSON.stringify({
    rules: [
      {
        rulePriority: 1,
        description: `keep the newest ${keepImages} images (rollback needs the recent ones)`,
        selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: keepImages },
        action: { type: "expire" },
      },
    ],
  });
}

/** One change bootstrap makes (or, in a dry run, would make). */
export interface Change {
  what: string;
  apply(): Promise<unknown>;
}

/**
 * The changes one repository needs: created with the settings when missing; otherwise each
 * setting checked and set only when it differs. A lifecycle policy the team wrote is kept.
 */
export async function repositoryChanges(
  ecr: ECRClient,
  name: string,
  keepImages: number,
): Promise<Change[]> {
  const existing = await describe(ecr, name);
  const policy = lifecyclePolicy(keepImages);
  const putPolicy: Change = {
    what: `ECR ${name}: lifecycle policy keeping the newest ${keepImages} images`,
    apply: () =>
      ecr.send(
        new PutLifecyclePolicyCommand({ repositoryName: name, lifecyclePolicyText: policy }),
      ),
  };
  if (!existing) {
    return [
      {
        what: `ECR ${name}: create (immutable tags, scan on push)`,
        apply: () =>
          ecr.send(
            new CreateRepositoryCommand({
              repositoryName: name,
              imageTagMutability: "IMMUTABLE",
              imageScanningConfiguration: { scanOnPush: true },
            }),
          ),
      },
      putPolicy,
    ];
  }
  const changes: Change[] = [];
  if (existing.imageTagMutability !== "IMMUTABLE") {
    changes.push({
      what: `ECR ${name}: tags immutable (was ${existing.imageTagMutability})`,
      apply: () =>
        ecr.send(
          new PutImageTagMutabilityCommand({
            repositoryName: name,
            imageTagMutability: "IMMUTABLE",
          }),
        ),
    });
  }
  if (existing.imageScanningConfiguration?.scanOnPush !== true) {
    changes.push({
      what: `ECR ${name}: scan on push`,
      apply: () =>
        ecr.send(
          new PutImageScanningConfigurationCommand({
            repositoryName: name,
            imageScanningConfiguration: { scanOnPush: true },
          }),
        ),
    });
  }
  if (!(await hasLifecyclePolicy(ecr, name))) changes.push(putPolicy);
  return changes;
}

async function describe(ecr: ECRClient, name: string): Promise<Repository | undefined> {
  try {
    const { repositories } = await ecr.send(
      new DescribeRepositoriesCommand({ repositoryNames: [name] }),
    );
    return repositories?.[0];
  } catch (error) {
    if ((error as Error).name === "RepositoryNotFoundException") return undefined;
    throw error;
  }
}

async function hasLifecyclePolicy(ecr: ECRClient, name: string): Promise<boolean> {
  try {
    await ecr.send(new GetLifecyclePolicyCommand({ repositoryName: name }));
    return true;
  } catch (error) {
    if ((error as Error).name === "LifecyclePolicyNotFoundException") return false;
    throw error;
  }
}
