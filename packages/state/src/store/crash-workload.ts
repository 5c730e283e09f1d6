/** Shape of the crash test's random workload: shared by the child that writes it and the model that checks it. */
export const crashWorkload = { keySpace: 3_000, maxOps: 400 } as const;
