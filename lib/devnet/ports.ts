/**
 * @module
 * Loopback ports for a new devnet: two per node (HTTP, staking), distinct,
 * each bindable on 127.0.0.1 when chosen. They are drawn at random from
 * {@linkcode PORT_RANGE}, below Linux's ephemeral range (32768–60999) so that
 * the OS does not hand them out to outgoing connections later, and away from
 * the ports luxd and avalanchego use by default (9630s, 9650s).
 */

/** Where devnet ports are drawn from: `[from, to)`. */
export const PORT_RANGE = { from: 20_000, to: 32_000 } as const;

/** How many candidates may be tried per port before giving up. */
const TRIES_PER_PORT = 50;

/** A node's two ports. */
export interface NodePorts {
  readonly httpPort: number;
  readonly stakingPort: number;
}

/**
 * Chooses `nodes` pairs of distinct, currently bindable ports.
 *
 * @param canBind whether a port can be bound on 127.0.0.1 now (`System.canBind`).
 * @param random a source of numbers in `[0, 1)` (tests pass a seeded one).
 * @returns the pairs, or `undefined` when too many candidates were taken.
 */
export async function choosePorts(
  nodes: number,
  canBind: (port: number) => Promise<true | string>,
  random: () => number = Math.random,
): Promise<NodePorts[] | undefined> {
  const chosen: number[] = [];
  const tried = new Set<number>();
  const width = PORT_RANGE.to - PORT_RANGE.from;
  for (let tries = 0; chosen.length < 2 * nodes; tries++) {
    if (tries > TRIES_PER_PORT * 2 * nodes) return undefined;
    const port = PORT_RANGE.from + Math.floor(random() * width);
    if (tried.has(port)) continue;
    tried.add(port);
    if ((await canBind(port)) === true) chosen.push(port);
  }
  return Array.from({ length: nodes }, (_, i) => ({
    httpPort: chosen[2 * i]!,
    stakingPort: chosen[2 * i + 1]!,
  }));
}
