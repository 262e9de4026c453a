// The journey world of this run, set by scripts/journeys.ts before mocha loads the journeys.
import type { JourneyWorld } from './harness';

let current: JourneyWorld | undefined;

export function setJourneyWorld(w: JourneyWorld): void {
  current = w;
}

export function journeyWorld(): JourneyWorld {
  if (!current) throw new Error('the journey world is not started: run the journeys with `npm run test:journeys`');
  return current;
}

/** The cluster row's label: the demo world's kubeconfig context (`gitops-demo` on the emulator, `admin` on the real server). */
export function cluster(): string {
  return journeyWorld().world.contextName;
}
