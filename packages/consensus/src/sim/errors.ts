import { JouleError } from '../errors.js';

/** Why the simulator or its test application stopped a run. */
export type SimulationErrorCode = 'SIM_EVENT_LIMIT' | 'SIM_APP_PROTOCOL' | 'SIM_HARNESS';

/**
 * A simulated run cannot go on: more events pending than `maxScheduledEvents`
 * (`SIM_EVENT_LIMIT`), the driver broke the application protocol the test application checks
 * (`SIM_APP_PROTOCOL`: a bug it exists to find), or a test harness was misused or timed out, or
 * a scenario broke the fault budget it promises the driver (`SIM_HARNESS`).
 */
export class SimulationError extends JouleError {
  declare readonly code: SimulationErrorCode;
  constructor(code: SimulationErrorCode, message: string, context: Record<string, unknown> = {}) {
    super(code, message, context);
  }
}
