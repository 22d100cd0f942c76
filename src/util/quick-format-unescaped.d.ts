/** pino's printf-style formatter (it has no types of its own): util/logger.ts formats with it. */
declare module 'quick-format-unescaped' {
  export default function format(message: string, args: unknown[], options?: object): string;
}
