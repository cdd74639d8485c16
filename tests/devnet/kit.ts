/**
 * @module
 * Shared values of the devnet tests.
 */

import type { DevnetState } from "../../lib/devnet/state.ts";

const KEY = "0x" + "a".repeat(96);

/** A valid three-node state. */
export const STATE: DevnetState = {
  format: 1,
  networkId: 7072,
  chainId: 7072,
  dialect: "avalanchego",
  created: "2026-12-06T12:00:00.000Z",
  dev: { x: "X-custom1abc", p: "P-custom1abc", c: "0xAbC" },
  nodes: [
    {
      name: "node-1",
      nodeId: "NodeID-AYhtDt8UhBSCj9fqzcGunVzrQs7RfCL6M",
      blsPublicKey: KEY,
      httpPort: 21000,
      stakingPort: 21001,
    },
    {
      name: "node-2",
      nodeId: "NodeID-7Xhw2mDxuDS44j42TCB6U5579esbSt3Lg",
      blsPublicKey: KEY,
      httpPort: 21002,
      stakingPort: 21003,
    },
    {
      name: "node-3",
      nodeId: "NodeID-MFrZFVCXPv5iCn6M9K6XduxGTYp891xXZ",
      blsPublicKey: KEY,
      httpPort: 21004,
      stakingPort: 21005,
    },
  ],
};
