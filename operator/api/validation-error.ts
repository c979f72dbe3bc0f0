/** One validation problem of a manifest: where (a JSON Pointer into the validated document) and what. */
export interface ValidationError {
  pointer: string;
  message: string;
}
