/**
 * Hands back the object it is given: what a subclass's private fields are then stamped onto
 * (the subclass's constructor runs on that object, so `#field` is defined on it). A store
 * through an inline cache, where a WeakMap or `Object.defineProperty` with a symbol costs a hash
 * lookup or a call to the runtime per object. Private: a copy (`{ ...o }`) does not carry it, and
 * JSON, keys and deep equality do not see it.
 */
// eslint-disable-next-line @typescript-eslint/no-extraneous-class -- its constructor is the point
export class Stamped {
  constructor(o: object) {
    return o;
  }
}
