/**
 * How the harness wires the grid: node `from` reaches its persistent peer `to` at the address
 * `Links.address` gives. The link faults (drop, black-hole, delay, throttle, flap, partition) are
 * a userland TCP proxy per link that implements this interface; `directLinks` is the plain wiring
 * (each peer at its own listen port), used when no link fault is asked for.
 */
export interface Link {
  readonly from: number;
  readonly to: number;
}

export interface Links {
  /** The TCP port node `from` dials to reach node `to` (a proxy's, or `to`'s own). */
  port(link: Link, targetPort: number): number;
  /** Opens whatever listens for the links (before the nodes start). */
  start(links: readonly Link[], targetPort: (node: number) => number): Promise<void>;
  stop(): Promise<void>;
}

/** Every link straight to the peer's port: no proxy, no fault. */
export const directLinks: Links = {
  port: (_link, targetPort) => targetPort,
  start: async () => undefined,
  stop: async () => undefined,
};
