import {
  BatchGetImageCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  ImageTagAlreadyExistsException,
  PutImageCommand,
} from "@aws-sdk/client-ecr";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { promoteImage } from "../../src/images/promote";
import { parsePromoteImageInputs } from "../../src/images/promote-inputs";
import { ConfigurationError } from "../../src/lib/errors";
import { TerminalLogger } from "../../src/lib/logger";

const ecrMock = mockClient(ECRClient);
const ecr = new ECRClient({ region: "eu-west-1" });
const sink = { write: () => true } as unknown as NodeJS.WritableStream;
const logger = new TerminalLogger({ out: sink, err: sink });
const DIGEST = `sha256:${"a".repeat(64)}`;
const OTHER = `sha256:${"b".repeat(64)}`;
const MANIFEST = '{"schemaVersion":2}';

/** ECR with one image (DIGEST) and tags pointing at given digests. */
function repository(tags: Record<string, string>, mutability: "MUTABLE" | "IMMUTABLE" = "MUTABLE") {
  ecrMock.reset();
  ecrMock.on(DescribeRepositoriesCommand).resolves({
    repositories: [
      {
        repositoryName: "shipline/api",
        repositoryUri: "123.dkr.ecr.eu-west-1.amazonaws.com/shipline/api",
        imageTagMutability: mutability,
      },
    ],
  });
  ecrMock
    .on(BatchGetImageCommand)
    .callsFake((input: { imageIds: { imageDigest?: string; imageTag?: string }[] }) => {
      const id = input.imageIds[0] ?? {};
      const digest = id.imageDigest ?? (id.imageTag ? tags[id.imageTag] : undefined);
      if (!digest || (id.imageDigest && id.imageDigest !== DIGEST))
        return { images: [], failures: [{ failureCode: "ImageNotFound" }] };
      return {
        images: [
          {
            imageId: { imageDigest: digest, imageTag: id.imageTag },
            imageManifest: MANIFEST,
            imageManifestMediaType: "application/vnd.oci.image.manifest.v1+json",
          },
        ],
      };
    });
  ecrMock.on(PutImageCommand).resolves({ image: { imageId: { imageDigest: DIGEST } } });
}

beforeEach(() => ecrMock.reset());

describe("promoteImage", () => {
  it("tags by digest with the stored manifest, without touching tags already right", async () => {
    repository({ live: DIGEST, previous: OTHER });
    const result = await promoteImage(
      { repository: "shipline/api", digest: DIGEST, tags: ["live", "previous", "new"] },
      { ecr, logger },
    );
    expect(result.tags).toEqual([
      { tag: "live", outcome: "unchanged" },
      { tag: "previous", outcome: "tagged", previous: OTHER },
      { tag: "new", outcome: "tagged" },
    ]);
    const puts = ecrMock.commandCalls(PutImageCommand).map((call) => call.args[0].input);
    expect(puts).toEqual([
      expect.objectContaining({
        imageTag: "previous",
        imageDigest: DIGEST,
        imageManifest: MANIFEST,
        imageManifestMediaType: "application/vnd.oci.image.manifest.v1+json",
      }),
      expect.objectContaining({ imageTag: "new", imageDigest: DIGEST }),
    ]);
  });

  it("is idempotent in an immutable repository and refuses to move a tag, naming both digests", async () => {
    repository({ live: DIGEST, taken: OTHER }, "IMMUTABLE");
    const again = await promoteImage(
      { repository: "shipline/api", digest: DIGEST, tags: ["live"] },
      { ecr, logger },
    );
    expect(again.tags).toEqual([{ tag: "live", outcome: "unchanged" }]);
    const moving = promoteImage(
      { repository: "shipline/api", digest: DIGEST, tags: ["taken"] },
      { ecr, logger },
    );
    await expect(moving).rejects.toThrow(ConfigurationError);
    await expect(
      promoteImage(
        { repository: "shipline/api", digest: DIGEST, tags: ["taken"] },
        { ecr, logger },
      ),
    ).rejects.toThrow(`already points at ${OTHER}; cannot move it to ${DIGEST}`);
    expect(ecrMock.commandCalls(PutImageCommand)).toHaveLength(0);
  });

  it("turns a race lost to another run into the same clear error", async () => {
    repository({}, "IMMUTABLE");
    ecrMock
      .on(PutImageCommand)
      .rejects(new ImageTagAlreadyExistsException({ message: "exists", $metadata: {} }));
    await expect(
      promoteImage({ repository: "shipline/api", digest: DIGEST, tags: ["x"] }, { ecr, logger }),
    ).rejects.toThrow('tag "x" of immutable repository shipline/api');
  });

  it("fails clearly when the digest is not in the repository", async () => {
    repository({});
    await expect(
      promoteImage({ repository: "shipline/api", digest: OTHER, tags: ["x"] }, { ecr, logger }),
    ).rejects.toThrow(`image ${OTHER} is not in repository shipline/api`);
  });
});

describe("parsePromoteImageInputs", () => {
  it.each([
    [{ repository: "shipline/api", digest: "sha256:abc", tags: "x" }, 'input "digest"'],
    [{ repository: "shipline/api", digest: DIGEST, tags: "" }, 'input "tags" is required'],
    [{ repository: "shipline/api", digest: DIGEST, tags: ".bad" }, '".bad"'],
  ])("rejects %j", (raw, message) => {
    expect(() => parsePromoteImageInputs(raw)).toThrow(message);
  });
});
