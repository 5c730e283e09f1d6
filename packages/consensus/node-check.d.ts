/** The oldest Node Joule runs on, [major, minor]. */
export declare const minimumNode: readonly [number, number];
/** The exit code of a command refused for its Node: 3, the CLI's "bad input". */
export declare const nodeTooOldExitCode: 3;
/** Why Node `version` cannot run Joule (`undefined` when it can), in one line. */
export declare function nodeVersionProblem(version: string, execPath?: string): string | undefined;
/** `true` when the running Node can run Joule; otherwise writes the problem, sets exit code 3, `false`. */
export declare function checkNode(): boolean;
