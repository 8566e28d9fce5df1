// Errors are values: a stable code, a message, and a hint for the user.

export class ZephyrError extends Error {
  readonly code: string;
  readonly hint: string | undefined;

  constructor(code: string, message: string, hint?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ZephyrError';
    this.code = code;
    this.hint = hint;
  }

  toJSON(): { code: string; message: string; hint?: string } {
    return this.hint === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, hint: this.hint };
  }
}

export function isZephyrError(err: unknown): err is ZephyrError {
  return err instanceof ZephyrError;
}

/** `message` of any thrown value. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
