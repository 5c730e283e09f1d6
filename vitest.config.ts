import { defineConfig } from 'vitest/config';

// One root config; each package is a project so `vitest run --project consensus` narrows a run.
// Tests run from the TypeScript sources; packages import each other through their built `dist`
// (npm test runs `tsc -b` first), exactly as a user of the packages would.
const pkg = (name: string, dir: string, execArgv: string[] = []) => ({
  test: {
    name,
    root: dir,
    execArgv,
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Long runs (minutes on two cores) have their own script: `npm run test:long`.
    exclude: process.env.JOULE_LONG === '1' ? [] : ['**/*.long.test.ts', '**/node_modules/**', '**/dist/**'],
    testTimeout: 60_000,
  },
});

export default defineConfig({
  test: {
    projects: [
      // The simulator's retention test calls gc() (src/sim/retention.test.ts).
      pkg('consensus', 'packages/consensus', ['--expose-gc']),
      pkg('state', 'packages/state'),
      pkg('p2p', 'packages/p2p'),
      pkg('market', 'packages/market-module'),
      pkg('light', 'packages/light'),
      pkg('node', 'packages/node'),
      pkg('create-joule-app', 'packages/create-joule-app'),
      pkg('lic-pilot', 'examples/lic-pilot'),
      pkg('tariffs', 'examples/tariffs'),
      pkg('benchmarks', 'benchmarks'),
      pkg('fuzz', 'fuzz'),
      pkg('scripts', 'scripts'),
    ],
  },
});
