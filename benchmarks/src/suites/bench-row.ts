import type { Task } from 'tinybench';
import type { Row } from '../report.js';

/** A tinybench task's result as a micro-suite row: ops/s, mean and p99 in µs, relative error, samples. */
export function benchRow(task: Task): Row {
  const result = task.result;
  if (result.state !== 'completed') return { name: task.name, error: result.state };
  return {
    name: task.name,
    opsPerSec: Math.round(result.throughput.mean),
    meanUs: Number((result.latency.mean * 1000).toFixed(2)),
    p99Us: Number(((result.latency.p99 ?? result.latency.max) * 1000).toFixed(2)),
    rmePct: Number(result.throughput.rme.toFixed(1)),
    samples: result.latency.samplesCount,
  };
}
