import { figure, type SuiteOptions, type SuiteResult, targets } from '../report.js';
import { throughput, throughputTimeouts } from './throughput.js';

/**
 * The throughput rows with the two headline figures: the highest committed rate of a step
 * that kept up with its offer (the summary row), and the p50 latency of the lightest step.
 */
export async function throughputWithFigures(options: SuiteOptions): Promise<SuiteResult> {
  const result = await throughput(options);
  const steps = result.rows.filter((r) => typeof r['offered tx/s'] === 'number');
  const summary = result.rows.find((r) => r['offered tx/s'] === 'max sustained');
  const lightest = steps[0];
  const sustained = Number(summary?.['committed tx/s']);
  const p50 = Number(lightest?.['p50 ms']);
  return {
    ...result,
    figures: [
      figure(
        targets.throughput4Validators,
        Number.isFinite(sustained) ? sustained : null,
        String(summary?.note ?? ''),
      ),
      figure(
        targets.commitLatencyP50,
        Number.isFinite(p50) ? p50 : null,
        `at ${String(lightest?.['offered tx/s'] ?? '?')} tx/s offered, fast profile: ${throughputTimeouts()}`,
      ),
    ],
  };
}
