/**
 * Reading a ticket's Server-Sent Events from a fetch Response: browsers' EventSource cannot send an
 * Authorization header, so the lobby client fetches the stream and parses it here, with
 * eventsource-parser, chunk by chunk (events may be split anywhere across chunks).
 */
import { createParser } from 'eventsource-parser';
import type { Ticket } from './lobby-types.ts';

/** The most text one event may buffer; a ticket is well under 2 KiB. */
const MAX_EVENT_CHARS = 64 * 1024;

/** The response is not an event stream this client can read (no body, another content type). */
export class StreamUnavailableError extends Error {
  override readonly name = 'StreamUnavailableError';
}

/** True when a response carries an event stream with a readable body. */
export function isEventStream(response: Response): boolean {
  const type = response.headers.get('content-type') ?? '';
  return response.body !== null && type.toLowerCase().startsWith('text/event-stream');
}

/**
 * Yield each `event: ticket` of an event stream, parsed, until the stream ends or a ticket has a
 * final status (then the stream is cancelled). Comments (keepalives) and other events are skipped.
 */
export async function* readTicketEvents(response: Response): AsyncGenerator<Ticket, void, undefined> {
  if (!isEventStream(response)) {
    throw new StreamUnavailableError(
      `expected a text/event-stream body, got ${response.headers.get('content-type') ?? 'none'}`,
    );
  }
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const ready: Ticket[] = [];
  let failure: Error | undefined;
  const parser = createParser({
    maxBufferSize: MAX_EVENT_CHARS,
    onEvent(message) {
      if (message.event !== 'ticket') return;
      try {
        ready.push(parseTicket(message.data));
      } catch (error) {
        failure ??= error as Error;
      }
    },
    onError(error) {
      // Unknown fields and bad retry values are ignorable; an oversized event is not.
      if (error.type === 'max-buffer-size-exceeded') failure ??= new Error(`ticket event: ${error.message}`);
    },
  });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      parser.feed(done ? decoder.decode() : decoder.decode(value, { stream: true }));
      if (failure) throw failure;
      while (ready.length > 0) {
        const ticket = ready.shift()!;
        yield ticket;
        if (ticket.status !== 'searching') return;
      }
      if (done) return;
    }
  } finally {
    // Stop the download (a no-op when it ended); the error of an aborted fetch is not news here.
    await reader.cancel().catch(() => undefined);
  }
}

/** A ticket from an event's data, checked enough to trust its status and id. */
function parseTicket(data: string): Ticket {
  const value: unknown = JSON.parse(data);
  const ticket = value as Partial<Ticket> | null;
  if (
    typeof ticket !== 'object' ||
    ticket === null ||
    typeof ticket.ticketId !== 'string' ||
    !['searching', 'matched', 'expired', 'cancelled'].includes(ticket.status as string)
  ) {
    throw new Error('ticket event: data is not a Ticket');
  }
  return value as Ticket;
}
