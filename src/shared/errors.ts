/**
 * The one error registry. Domain code throws `AppError` with a stable code;
 * only the HTTP layer (src/http/error-handler.ts) knows statuses, and clients
 * may rely on `code` never changing meaning.
 */
export const ERRORS = {
  VALIDATION_FAILED: { status: 400, title: 'The request is not valid' },
  BAD_JSON: { status: 400, title: 'The request body is not valid JSON' },
  UNAUTHENTICATED: { status: 401, title: 'Sign-in or an API key is required' },
  FORBIDDEN: { status: 403, title: 'You are not allowed to do this' },
  CSRF_FAILED: { status: 403, title: 'The form expired; reload the page and try again' },
  NOT_FOUND: { status: 404, title: 'Not found' },
  CONFLICT: { status: 409, title: 'This conflicts with existing data' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'The request body is too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported content type' },
  RATE_LIMITED: { status: 429, title: 'Too many requests; try again later' },
  PORTAL_BAD_LANDING: { status: 400, title: 'This Wi-Fi sign-in link is not valid; reconnect to the Wi-Fi and try again' },
  PORTAL_FLOW_EXPIRED: { status: 410, title: 'This sign-in page has expired; reconnect to the Wi-Fi to start again' },
  PHONE_INVALID: { status: 400, title: 'This is not a valid mobile phone number' },
  PHONE_NOT_ALLOWED: { status: 400, title: 'Numbers from this country are not accepted here' },
  PHONE_LANDLINE: { status: 400, title: 'Codes are sent by SMS: enter a mobile number' },
  CODE_INVALID: { status: 400, title: 'The code is not correct' },
  CODE_EXPIRED: { status: 400, title: 'The code has expired; ask for a new one' },
  SMS_LIMIT_REACHED: { status: 429, title: 'Too many codes requested; try again later' },
  SMS_BUDGET_EXHAUSTED: { status: 503, title: 'Wi-Fi sign-in by SMS is not available right now' },
  SMS_UNAVAILABLE: { status: 503, title: 'We could not send an SMS right now' },
  GATEWAY_UNAVAILABLE: { status: 502, title: 'The Wi-Fi gateway did not answer' },
  GATEWAY_REJECTED: { status: 502, title: 'The Wi-Fi gateway refused to let this device online' },
  PROBES_UNREADABLE: { status: 400, title: 'The probe data could not be read' },
  PROBES_FORMAT_UNKNOWN: { status: 415, title: 'The probe data is in a format we do not recognise' },
  GROUND_TRUTH_INVALID: { status: 400, title: 'The manual counts could not be read' },
  INGEST_BATCH_REUSED: { status: 409, title: 'This batch id was already used for different probes' },
  TEMPLATE_INVALID: { status: 400, title: 'A message or payload template could not be compiled' },
  WEBHOOK_URL_FORBIDDEN: { status: 400, title: 'Webhooks may not call this address' },
  WEBHOOK_SIGNATURE_INVALID: { status: 403, title: 'The request signature is not valid' },
  OPT_OUT_LINK_INVALID: { status: 404, title: 'This link is not valid; reply STOP to any of our messages instead' },
  DELIVERY_NOT_REPLAYABLE: { status: 409, title: 'Only failed or suppressed deliveries can be replayed' },
  INTERNAL: { status: 500, title: 'Something went wrong on our side' },
  DEPENDENCY_UNAVAILABLE: { status: 503, title: 'A service we depend on is unavailable' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof ERRORS;

export interface FieldProblem {
  path: string;
  message: string;
}

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string = ERRORS[code].title,
    readonly details?: { fields?: FieldProblem[]; [key: string]: unknown },
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const notFound = (what: string): AppError => new AppError('NOT_FOUND', `${what} not found`);

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
