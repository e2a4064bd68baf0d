/**
 * Special functions used by the shift tests: log-gamma, regularised incomplete gamma and the standard
 * normal distribution. Implementations live in gamma.ts and normal.ts; import from here.
 */
export { logGamma, regularizedGammaP, regularizedGammaQ } from './gamma.js';
export { normalCdf, normalSurvival, normalQuantile } from './normal.js';
