import type { QosSample } from '../normalize/sample.js';

/** What one poll of an instance produced. */
export interface PollResult {
  samples: QosSample[];
  /** Participants the answer listed as still present. */
  present: string[];
  /** Participants whose stay has ended (`leave_time` set), first seen in this poll. */
  left: string[];
  /** Of `left`, when each left (its latest `leave_time`), where the answer said. */
  leftAt?: ReadonlyMap<string, number>;
  /** Zoom says the instance is no longer live (404, code 3001). */
  ended: boolean;
  /**
   * Entries of the answer that could not be identified (not objects, no `user_id`), skipped and
   * counted: whom the answer does not list may be one of them, so nobody is taken as gone for it.
   */
  unidentified?: number;
  /**
   * The QoS read was cut (stopped as a page loop): whom it does not list may be past the cut, so
   * nobody is taken as gone for it either.
   */
  cut?: true;
  /**
   * The QoS list moved while it was paged (a join on two pages, a `total_records` that changed):
   * whom it does not list may have moved back past a page boundary unread, so nobody is taken as
   * gone for it either.
   */
  drift?: true;
}
