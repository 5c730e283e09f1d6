/** A node of the pilot's network did not start: names the node, why, and the log to read. */
export class NodeStartError extends Error {
  override readonly name = 'NodeStartError';
  readonly code = 'PILOT_NODE_START';
  constructor(
    readonly node: string,
    readonly log: string,
    readonly reason: string,
    readonly logTail: string,
  ) {
    super(
      `${node} failed to start: ${reason}; its log is ${log}${logTail === '' ? '' : `\n--- last lines of ${log} ---\n${logTail.trimEnd()}`}`,
    );
  }
}
