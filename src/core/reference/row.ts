/** One row of reference data as the readers (CSV, JSON Lines) give it: column name to cell value. */
export type CellValue = number | string | boolean | null;
export type Row = Record<string, CellValue>;
