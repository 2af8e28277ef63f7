import { describe, expect, it } from "vitest";
import { kernelOlderThan, seccompProfile } from "../../src/runtime/seccomp-profile";

const deniedNames = (profile: ReturnType<typeof seccompProfile>) =>
  profile.syscalls.filter((rule) => !("args" in rule)).flatMap((rule) => rule.names);

describe("the seccomp profile", () => {
  it.each([
    ["4.4.0-210-generic", true],
    ["4.7.10", true],
    ["4.8.0", false],
    ["5.10.0-28-amd64", false],
    ["6.18.44-fc-v1272", false],
  ] as const)("kernel %s older than 4.8: %s", (release, older) => {
    expect(kernelOlderThan(release, 4, 8)).toBe(older);
  });

  it("denies ptrace only where a tracer could skip the filter (before Linux 4.8)", () => {
    expect(deniedNames(seccompProfile("4.4.0", "x64"))).toContain("ptrace");
    expect(deniedNames(seccompProfile("6.1.0", "x64"))).not.toContain("ptrace");
  });

  it("denies the calls Docker's default profile leaves out, with EPERM, on every x86 ABI", () => {
    const profile = seccompProfile("6.1.0", "x64");
    expect(profile.defaultAction).toBe("SCMP_ACT_ALLOW");
    expect(profile.architectures).toEqual(["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"]);
    expect(deniedNames(profile)).toEqual(
      expect.arrayContaining(["keyctl", "add_key", "request_key", "mount", "umount2", "bpf"]),
    );
    expect(deniedNames(profile)).toEqual(
      expect.arrayContaining(["kexec_load", "init_module", "reboot", "swapon"]),
    );
    const eperm = profile.syscalls.find((rule) => rule.names.includes("keyctl"));
    expect(eperm).toMatchObject({ action: "SCMP_ACT_ERRNO", errnoRet: 1 });
  });
});
