/** IPv4 arithmetic for the task subnet. */
export interface Subnet {
  cidr: string;
  prefix: number;
  /** The bridge's (the host's) address: the first host address. */
  gateway: string;
  /** Task addresses, in allocation order (gateway and broadcast excluded). */
  firstHost: number;
  lastHost: number;
}

export function ipToNumber(ip: string): number {
  const parts = ip.split(".").map(Number);
  if (
    parts.length !== 4 ||
    parts.some((part) => !Number.isInteger(part) || part < 0 || part > 255)
  ) {
    throw new Error(`invalid IPv4 address ${JSON.stringify(ip)}`);
  }
  return parts.reduce((value, part) => value * 256 + part, 0);
}

export function numberToIp(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join(".");
}

export function parseSubnet(cidr: string): Subnet {
  const [address, prefixText] = cidr.split("/");
  const prefix = Number(prefixText);
  if (!address || !Number.isInteger(prefix) || prefix < 8 || prefix > 29) {
    throw new Error(
      `invalid subnet ${JSON.stringify(cidr)}: expected a.b.c.d/N with N from 8 to 29`,
    );
  }
  const size = 2 ** (32 - prefix);
  const network = ipToNumber(address) - (ipToNumber(address) % size);
  return {
    cidr: `${numberToIp(network)}/${prefix}`,
    prefix,
    gateway: numberToIp(network + 1),
    firstHost: network + 2,
    lastHost: network + size - 2,
  };
}
