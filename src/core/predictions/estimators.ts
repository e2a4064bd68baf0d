/** Names of the estimators a model's predictions feed (shared by config, core and metrics). */
export const LABEL_FREE_ESTIMATORS = ['atc-ne', 'atc-mc', 'mano', 'doc', 'ac', 'label-shift'] as const;
/** "Nothing changed" (the source accuracy) and "as last measured" (the latest realized window): every estimator must beat them. */
export const BASELINE_ESTIMATORS = ['no-change', 'last-realized'] as const;
export const ACCURACY_ESTIMATORS = [...LABEL_FREE_ESTIMATORS, ...BASELINE_ESTIMATORS] as const;
export type AccuracyEstimatorName = (typeof ACCURACY_ESTIMATORS)[number];
/** What the headline accuracy shows: the estimator the backtest selects, or a fixed one. */
export const HEADLINE_CHOICES = ['selected', ...ACCURACY_ESTIMATORS] as const;
export type HeadlineChoice = (typeof HEADLINE_CHOICES)[number];
export const LABEL_SHIFT_METHODS = ['mlls', 'bbse', 'rlls'] as const;
export type LabelShiftMethod = (typeof LABEL_SHIFT_METHODS)[number];
