/**
 * Every detector the monitor runs, in the order it runs them on a window: a detector may read the
 * results of those before it (conditional-shift reads feature-shift's marginal p-values,
 * covariate-shift names conditional-shift's suspects, accuracy-floor uses label-shift's class mix).
 * A new detector is one file and one line here.
 */
import type { DetectorFactory } from './model.js';
import { featureShift } from './feature-shift.js';
import { conditionalShift } from './conditional-shift.js';
import { covariateShift } from './covariate-shift.js';
import { labelShift } from './label-shift.js';
import { accuracyFloor } from './accuracy-floor.js';
import { targetShift } from './target-shift.js';

export const DETECTOR_REGISTRY: readonly DetectorFactory[] = [featureShift, conditionalShift, covariateShift, labelShift, accuracyFloor, targetShift];
