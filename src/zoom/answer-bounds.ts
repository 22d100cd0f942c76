import type { JsonBounds } from '../util/json-count.js';
import type { Endpoint } from './endpoints.js';

/**
 * What one answer of an endpoint may hold before it is parsed (classify.ts), from the most Zoom's
 * shapes and page sizes allow. JSON.parse costs memory per value, not per byte: under the one
 * 32 MiB read cap of the time, `{"participants":[[[[...]]]]}` of 4 MB took the daemon to 745 MB and 30 MB of
 * `{},{},...` to 1.77 GB, past the 512 MiB a pod is given (deploy/kubernetes). Counted with
 * jsonPast over Zoom's own examples (shared/zoom-samples/zoomnet), every key and value one:
 *
 * - a QoS sample with every stream type Zoom documents (22 keys): 295 values, 22 containers;
 * - a QoS entry without its samples: 83; a participants, meetings or summary entry: 121 at most.
 */

/** Levels of nesting: Zoom's answers have 6 at most (page, entries, entry, samples, sample, stream). */
const MAX_DEPTH = 32;
/** Keys of one object: the most in one of Zoom's examples is 55. */
const MAX_MEMBERS = 128;
/** Different key names in one answer: Zoom's examples use 176 in all. */
const MAX_NAMES = 1024;
/** Characters of a key name: Zoom's longest is 31 (`zoom_thin_client_plugin_version`). */
const MAX_NAME_LENGTH = 64;

/** A page holding more than this many times its page_size is cut there (client.ts; Zoom's never exceed 1x). */
export const OVERFULL = 10;

/** A QoS sample, rounded up from 295 values and 22 containers. */
const SAMPLE = { values: 300, containers: 24 };
/** Per-minute samples an entry of a QoS page may carry: a whole day of them. */
const SAMPLES_PER_ENTRY = 1440;
/**
 * Per-minute samples of one participant's QoS answer (not paged, read by `inspect`): the whole
 * of Zoom's longest meeting, 30 hours (1,440 refused a licensed meeting's last 6 hours).
 */
const SAMPLES_OF_ONE = 1800;
/** Any other entry (or a QoS entry without its samples), rounded up from 121 values and 5 containers. */
const ENTRY = { values: 256, containers: 16 };
/** The page around the entries (page_count, next_page_token, from, to...). */
const ENVELOPE = { values: 64, containers: 8 };
/** Instances of a recurring meeting (`/past_meetings/{id}/instances`, not paged): a few values each. */
const PAST_INSTANCES = 10_000;

const isQos = (ep: Endpoint): boolean => /\/qos$/.test(ep.template);

/** How many entries an answer may hold: a page's page_size, the instances listing's bound, or one. */
const entriesOf = (ep: Endpoint): number => ep.pageSize ?? (ep.itemsKey ? PAST_INSTANCES : 1);

/**
 * The bounds of one answer of `ep`: `entriesOf` entries, each a day of QoS samples for a QoS
 * endpoint; 32 levels deep. The largest is a QoS page (page_size 10): 4.3 million values, 346,000
 * containers, what ten participants' day of samples holds (43.6 MB of JSON, under its read cap:
 * answerBytes), and 14.8 MB of string values longer than V8 shares (stringBytes).
 */
export function answerBounds(ep: Endpoint): JsonBounds {
  const entries = entriesOf(ep);
  const samples = ep.pageSize === undefined && isQos(ep) ? SAMPLES_OF_ONE : SAMPLES_PER_ENTRY;
  const perEntry = isQos(ep)
    ? {
        values: ENTRY.values + samples * SAMPLE.values,
        containers: ENTRY.containers + samples * SAMPLE.containers,
      }
    : ENTRY;
  return {
    depth: MAX_DEPTH,
    values: ENVELOPE.values + entries * perEntry.values,
    containers: ENVELOPE.containers + entries * perEntry.containers,
    // An overfull page is still read, and cut (client.ts); a QoS entry's samples are an array too.
    elements: Math.max(ep.pageSize ? ep.pageSize * OVERFULL : entries, samples),
    members: MAX_MEMBERS,
    names: MAX_NAMES,
    nameLength: MAX_NAME_LENGTH,
    stringBytes: stringBytes(ep, samples),
  };
}

/**
 * Bytes of a QoS sample: Zoom's example with every stream type (22 keys) is 3,038, and 3,300 with
 * every value at its longest (`12345.67 kbps`, `1234 ms`, `100.00%`, `1920*1080`); a quarter more.
 */
const SAMPLE_BYTES = 4096;
/**
 * Bytes of any other entry (or a QoS entry without its samples): Zoom's largest example is a
 * participants entry of 1,726 (a QoS entry's other fields: 1,135; a meetings entry: 809), almost
 * three times that for long names, topics and custom keys.
 */
const ENTRY_BYTES = 5 * 1024;
/** Bytes of an instance of a recurring meeting (`{"uuid":...,"start_time":...}`: about 70). */
const INSTANCE_BYTES = 256;
/** Bytes of the page around the entries. */
const ENVELOPE_BYTES = 16 * 1024;

/**
 * Bytes of a QoS sample's string values longer than V8 shares (json-count.ts SHARED_STRING):
 * Zoom's example has one, its date_time (20 bytes as Zoom writes it, 33 as ZoomNet's example
 * does); 319 with every stream's bitrate at its longest (`12345.67 kbps`: latencies, losses,
 * resolutions and frame rates are 10 at most, and shared); three times that. Each such value is
 * a heap string of its own once parsed: 4 million different ones of 11 characters, as many as a
 * QoS page's other bounds and its read cap let through, cost +316 MiB.
 */
const SAMPLE_STRING_BYTES = 1024;

/**
 * The most bytes of long string values (json-count.ts stringBytes) one answer of `ep` may hold:
 * as answerBytes, each QoS sample's SAMPLE_STRING_BYTES instead of its SAMPLE_BYTES (an entry's
 * own strings, names, e-mails, locations, devices, networks, are bounded by its bytes: Zoom's
 * longest example entry has 559 bytes of them). A QoS page may hold 14.8 MB of them, one
 * participant's QoS 1.9 MB; any other answer as many as its bytes.
 */
function stringBytes(ep: Endpoint, samples: number): number {
  if (!isQos(ep)) return answerBytes(ep);
  return ENVELOPE_BYTES + entriesOf(ep) * (ENTRY_BYTES + samples * SAMPLE_STRING_BYTES);
}

/**
 * The most bytes of one answer of `ep` the client reads (transport.ts), on the wire and once
 * decoded, from what Zoom can honestly send: `entriesOf` entries of ENTRY_BYTES, a QoS entry's
 * samples (a day of them on a page, 30 hours in one participant's answer) of SAMPLE_BYTES each.
 * A QoS page: 56.3 MiB (ten participants' day of Zoom's example samples is 43.6 MB); one
 * participant's QoS: 7.1 MiB; a list page of 300 (meetings, webinars, sessions, participants;
 * Zoom's real ones are under 1 MB): 1.5 MiB; a summary page (10): 66 KiB; an instance's details:
 * 21 KiB; a recurring meeting's instances: 2.5 MiB. One cap for all, 32 MiB, refused the first
 * and let a list page cost as much.
 */
export function answerBytes(ep: Endpoint): number {
  const qos = isQos(ep);
  const samples = qos ? (ep.pageSize === undefined ? SAMPLES_OF_ONE : SAMPLES_PER_ENTRY) : 0;
  const entry = ep.itemsKey && !ep.pageSize ? INSTANCE_BYTES : ENTRY_BYTES + samples * SAMPLE_BYTES;
  return ENVELOPE_BYTES + entriesOf(ep) * entry;
}
