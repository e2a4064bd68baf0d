/** Names of the estimators a model's predictions feed (shared by config, core and metrics). */
export const ACCURACY_ESTIMATORS = ['atc-ne', 'atc-mc', 'mano', 'doc', 'ac', 'label-shift'] as const;
export type AccuracyEstimatorName = (typeof ACCURACY_ESTIMATORS)[number];
export const LABEL_SHIFT_METHODS = ['mlls', 'bbse', 'rlls'] as const;
export type LabelShiftMethod = (typeof LABEL_SHIFT_METHODS)[number];
