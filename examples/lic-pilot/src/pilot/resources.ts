import type { NodeSamples } from '../network/sampler.js';
import type { NodeResources } from '../report/types.js';

/** Points per node kept in report.json for the resource plots. */
const maxReportSamples = 600;
const MB = 1024 * 1024;

/** Peak and mean RSS, CPU and disk of each node process over the run, from the sampler. */
export function summarizeResources(series: readonly NodeSamples[]): NodeResources[] {
  return series.map((s) => {
    const samples = s.samples;
    const last = samples.at(-1);
    const rss = samples.map((x) => x.rssBytes);
    const heap = samples.map((x) => x.heapBytes).filter((x) => Number.isFinite(x));
    const step = Math.max(1, Math.ceil(samples.length / maxReportSamples));
    const seconds = last === undefined ? 0 : last.t - (samples[0]?.t ?? 0);
    const cpuUsed = last === undefined ? 0 : last.cpuSeconds - (samples[0]?.cpuSeconds ?? 0);
    return {
      name: s.name,
      validator: s.validator,
      peakRssMb: round(Math.max(0, ...rss) / MB),
      meanRssMb: round(rss.length === 0 ? 0 : rss.reduce((a, b) => a + b, 0) / rss.length / MB),
      peakHeapMb: round(Math.max(0, ...heap) / MB),
      cpuSeconds: round(last?.cpuSeconds ?? 0),
      meanCpuPercent: round(seconds > 0 ? (100 * cpuUsed) / seconds : 0),
      diskMb: round((last?.diskBytes ?? 0) / MB),
      samples: samples
        .filter((_, i) => i % step === 0)
        .map((x) => ({
          t: round(x.t),
          rssMb: round(x.rssBytes / MB),
          heapMb: Number.isFinite(x.heapBytes) ? round(x.heapBytes / MB) : 0,
          cpuPercent: round(x.cpuPercent),
        })),
    };
  });
}

const round = (x: number): number => Math.round(x * 10) / 10;
