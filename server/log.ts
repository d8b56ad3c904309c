import { type DestinationStream, type Logger, pino } from 'pino';

/**
 * The process logger (JSON lines on stdout). Tokens never reach it: request URLs and queries are
 * not logged, and these paths are redacted should a caller pass them.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'tickforge' },
      redact: {
        paths: [
          'seat',
          'token',
          'reconnectToken',
          '*.seat',
          '*.token',
          '*.reconnectToken',
          'req.headers.authorization',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
