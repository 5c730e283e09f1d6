/**
 * A probe for experiments, loaded into a node with `--import`: it wraps `crypto.verify` (the native
 * ed25519 check every signature of a transaction, vote or proposal reaches) and writes to stderr,
 * every 2 s, how many checks ran and their time: the main thread's own CPU clock
 * (`process.threadCpuUsage`) and the wall clock around each call, and the thread's CPU in all. With
 * four nodes and the load on two cores the two clocks differ: the wall time counts the moments the
 * thread waited for a core, which a sampling profiler also charges to the function it stopped in.
 *
 *     npm run bench -- throughput --rates 1600 \
 *       --node-args="--import=./benchmarks/dist/probes/verify-clock.js" --logs bench-out/verify
 *     grep 'verify-clock' bench-out/verify/node*.log | tail
 *
 * Not part of any node: it changes nothing the node decides, only times a call.
 */
import crypto from 'node:crypto';

const native = crypto.verify;
let checks = 0;
let cpuUs = 0;
let wallUs = 0;

crypto.verify = function timedVerify(this: unknown, ...args: Parameters<typeof crypto.verify>) {
  const cpu = process.threadCpuUsage();
  const wall = process.hrtime.bigint();
  const result = Reflect.apply(native, this, args);
  wallUs += Number(process.hrtime.bigint() - wall) / 1_000;
  const spent = process.threadCpuUsage(cpu);
  cpuUs += spent.user + spent.system;
  checks++;
  return result;
} as typeof crypto.verify;

setInterval(() => {
  const thread = process.threadCpuUsage();
  process.stderr.write(
    `verify-clock checks=${checks} cpuUs=${Math.round(cpuUs)} wallUs=${Math.round(wallUs)} threadCpuUs=${thread.user + thread.system}\n`,
  );
}, 2_000).unref();
