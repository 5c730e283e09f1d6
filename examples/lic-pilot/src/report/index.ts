/**
 * The pilot's report: `analyse` turns the meter data and what the chain did into the per-house and
 * community figures of `report.json`; `renderReportHtml` draws `report.html`, one self-contained page.
 */
export {
  type Analysis,
  type AnalysisInput,
  AnalysisInputError,
  type AnalysisParams,
  analyse,
} from './analysis.js';
export { renderReportHtml } from './html.js';
export * from './types.js';
