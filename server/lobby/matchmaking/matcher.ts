/**
 * Matchmaking as a pure function of (queue, rules, now): which waiting tickets start a match
 * together. No store, no timers, no I/O. The matchmaking service calls `formMatches` on each pass
 * over one queue (one mode + region) and takes the tickets it returns out of the queue.
 *
 * One pass:
 * 1. Order the matchable tickets by age (enqueuedAt, then id) and the rated ones by rating (rating,
 *    then age), once. The rated tickets (by rating) and the unrated ones (by age) sit in doubly
 *    linked lists, so a matched ticket is unlinked in O(1) and later scans never step over it.
 * 2. Anchor on the oldest unmatched ticket (fairness: the longest wait is served first). A rated
 *    anchor scans the rating order outward from itself with two pointers, nearest rating first,
 *    taking every ticket whose window overlaps the intersection of the windows taken so far and
 *    whose party still fits; a side stops where even the widest window in the queue cannot reach
 *    the intersection, and the scan gives up after stepping over MISSES_PER_SLOT * maxPlayers
 *    tickets whose windows miss (a compatible ticket beyond that many misses is not found).
 *    Unrated tickets, which fit any window, then top the match up, oldest first. An unrated anchor
 *    takes unrated tickets first, then scans around the oldest rated ticket.
 * 3. Parties are a small bin-packing problem. The scan is greedy (nearest first, skip what does not
 *    fit); when it ends short of maxPlayers having skipped a party for size, a subset-sum over the
 *    first candidates it saw looks for an exact fill, still taking the nearest candidate whenever
 *    the rest can complete the match. It finds e.g. 3+3+3+3+2+2 = 16 where greedy stops at 15; it
 *    is not a full search (the candidates are those compatible with the greedy intersection).
 * 4. A full match forms at once. A short one forms only with >= minPlayers and once its oldest
 *    ticket has waited fillWaitMs; otherwise the anchor waits and the next oldest one is tried.
 *
 * Cost: two sorts, then per anchor a scan bounded by the rating range its match can reach and by
 * the miss limit: O(n log n + n * maxPlayers). For 10,000 tickets in 16-player matches a pass takes
 * about 10 ms once the JIT is warm (bench/matchmaking.ts).
 */

/** One waiting ticket as the matcher sees it: a party that must stay together. */
export interface QueuedTicket {
  readonly id: string;
  /** Players in the party (>= 1). */
  readonly size: number;
  /** Skill rating; undefined = unrated, fits any window. */
  readonly rating: number | undefined;
  /** Wall-clock ms when it was queued. */
  readonly enqueuedAt: number;
}

/** How a mode's matches form. */
export interface MatchRules {
  readonly minPlayers: number;
  readonly maxPlayers: number;
  /** After the oldest ticket of a would-be match has waited this long, start with >= minPlayers. */
  readonly fillWaitMs: number;
  readonly skill: {
    /** Half-width of a ticket's rating window when queued. */
    readonly initialWindow: number;
    /** How much the half-width grows per second of waiting. */
    readonly widenPerSecond: number;
    /** Largest half-width. */
    readonly maxWindow: number;
  };
}

export interface FormedMatch {
  /** Tickets in the match, oldest first. */
  readonly ticketIds: readonly string[];
  readonly players: number;
}

/**
 * The half-width of a ticket's window at `now`. A ticket stamped after `now` (another lobby's
 * clock running ahead) counts as just queued; a half-width never goes below 0.
 */
export function skillWindow(ticket: QueuedTicket, rules: MatchRules, now: number): number {
  const { initialWindow, widenPerSecond, maxWindow } = rules.skill;
  const waitedSeconds = Math.max(0, now - ticket.enqueuedAt) / 1000;
  return Math.max(0, Math.min(maxWindow, initialWindow + widenPerSecond * waitedSeconds));
}

/**
 * Whether a ticket can ever be placed under these rules: a whole party of 1..maxPlayers players,
 * a finite rating or none, a finite queue time. `formMatches` ignores the others; the service
 * should refuse them when the ticket is created.
 */
export function isMatchable(ticket: QueuedTicket, rules: MatchRules): boolean {
  return (
    Number.isInteger(ticket.size) &&
    ticket.size >= 1 &&
    ticket.size <= rules.maxPlayers &&
    (ticket.rating === undefined || Number.isFinite(ticket.rating)) &&
    Number.isFinite(ticket.enqueuedAt)
  );
}

/** Form as many matches as the queue allows right now (one queue = one mode + region). */
export function formMatches(queue: readonly QueuedTicket[], rules: MatchRules, now: number): FormedMatch[] {
  const tickets = queue.filter((ticket) => isMatchable(ticket, rules));
  // Rules no match can satisfy (the service validates a mode's rules when it loads them).
  if (!Number.isInteger(rules.maxPlayers) || rules.maxPlayers < Math.max(1, rules.minPlayers)) return [];
  // Stryker disable next-line ConditionalExpression: equivalent, an empty queue forms no match without the shortcut too
  if (tickets.length === 0) return [];
  tickets.sort(byAge);
  const pass = new Pass(tickets, rules, now);
  const matches: FormedMatch[] = [];
  for (let anchor = 0; anchor < tickets.length; anchor++) {
    if (pass.matched[anchor]) continue;
    const picks = pass.attempt(anchor);
    if (picks) matches.push(pass.form(picks));
  }
  return matches;
}

function byAge(a: QueuedTicket, b: QueuedTicket): number {
  // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, ids are unique and V8's sort only asks whether the result is negative
  return a.enqueuedAt - b.enqueuedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

const NONE = -1;
/** How many candidates the exact-fill search considers, per player slot of the mode. */
const CANDIDATES_PER_SLOT = 4;
/**
 * How many tickets whose windows miss the match a rating scan steps over, per player slot, before
 * it gives up. Without a limit, thousands of just-queued tickets with near-zero windows inside the
 * widest window's reach would make every anchor walk all of them: a quadratic pass.
 */
const MISSES_PER_SLOT = 32;

/**
 * The state of one pass. Tickets are named by their age rank (0 = oldest), so comparing ranks
 * compares (enqueuedAt, id), and every per-ticket field is a typed array indexed by rank.
 */
class Pass {
  readonly matched: Uint8Array;
  readonly #tickets: readonly QueuedTicket[];
  readonly #rules: MatchRules;
  readonly #now: number;
  readonly #size: Int32Array;
  readonly #rating: Float64Array;
  /** Window bounds at `now`; -Infinity/+Infinity for unrated tickets. */
  readonly #lo: Float64Array;
  readonly #hi: Float64Array;
  /** Unmatched rated tickets in rating order. */
  readonly #prevRated: Int32Array;
  readonly #nextRated: Int32Array;
  /** Unmatched unrated tickets in age order. */
  readonly #prevUnrated: Int32Array;
  readonly #nextUnrated: Int32Array;
  #headUnrated = NONE;
  /** No rated ticket older than this rank is unmatched. */
  #oldestRated = 0;
  /** The widest rated half-width: no scan needs to look further than this past the intersection. */
  #widest = 0;
  /** Unmatched tickets per party size, to stop scanning when nothing left can fit. */
  readonly #ratedSizes: Int32Array;
  readonly #unratedSizes: Int32Array;
  readonly #candidateLimit: number;
  readonly #missLimit: number;

  // The attempt in progress: its stamp (marks its picks), picks, free slots, window intersection,
  // and the compatible tickets it met, nearest first, for the exact-fill search.
  readonly #mark: Int32Array;
  #stamp = 0;
  // Stryker disable next-line ArrayDeclaration: equivalent, attempt() sets #picks before any read
  #picks: number[] = [];
  #free = 0;
  #low = 0;
  #high = 0;
  // Stryker disable next-line ArrayDeclaration: equivalent, attempt() empties #candidates before any read
  readonly #candidates: number[] = [];
  // Stryker disable next-line BooleanLiteral: equivalent, attempt() resets #skippedForSize before any read
  #skippedForSize = false;

  constructor(tickets: readonly QueuedTicket[], rules: MatchRules, now: number) {
    const n = tickets.length;
    this.#tickets = tickets;
    this.#rules = rules;
    this.#now = now;
    this.matched = new Uint8Array(n);
    this.#mark = new Int32Array(n);
    this.#size = new Int32Array(n);
    this.#rating = new Float64Array(n);
    this.#lo = new Float64Array(n);
    this.#hi = new Float64Array(n);
    this.#prevRated = new Int32Array(n).fill(NONE);
    this.#nextRated = new Int32Array(n).fill(NONE);
    this.#prevUnrated = new Int32Array(n).fill(NONE);
    this.#nextUnrated = new Int32Array(n).fill(NONE);
    // Stryker disable next-line ArithmeticOperator: cost only, a too-short size table only overstates the smallest size when nothing fits anyway
    this.#ratedSizes = new Int32Array(rules.maxPlayers + 1);
    // Stryker disable next-line ArithmeticOperator: cost only, as above
    this.#unratedSizes = new Int32Array(rules.maxPlayers + 1);
    this.#candidateLimit = CANDIDATES_PER_SLOT * rules.maxPlayers;
    this.#missLimit = MISSES_PER_SLOT * rules.maxPlayers;

    const rated: number[] = [];
    let lastUnrated = NONE;
    for (let i = 0; i < n; i++) {
      const ticket = tickets[i]!;
      this.#size[i] = ticket.size;
      if (ticket.rating === undefined) {
        this.#rating[i] = Number.NaN;
        this.#lo[i] = Number.NEGATIVE_INFINITY;
        this.#hi[i] = Number.POSITIVE_INFINITY;
        // Stryker disable next-line UpdateOperator: cost only, the size counts only prune scans (bench/matchmaking.ts)
        this.#unratedSizes[ticket.size]!++;
        if (lastUnrated === NONE) this.#headUnrated = i;
        else this.#nextUnrated[lastUnrated] = i;
        this.#prevUnrated[i] = lastUnrated;
        lastUnrated = i;
      } else {
        const w = skillWindow(ticket, rules, now);
        this.#rating[i] = ticket.rating;
        this.#lo[i] = ticket.rating - w;
        this.#hi[i] = ticket.rating + w;
        // Stryker disable next-line EqualityOperator: equivalent, `>=` stores the same value
        if (w > this.#widest) this.#widest = w;
        // Stryker disable next-line UpdateOperator: cost only, the size counts only prune scans
        this.#ratedSizes[ticket.size]!++;
        rated.push(i);
      }
    }
    const rating = this.#rating;
    // Stryker disable next-line ArithmeticOperator: equivalent, `rated` is pushed in age order and Array#sort is stable
    rated.sort((a, b) => rating[a]! - rating[b]! || a - b);
    for (let k = 1; k < rated.length; k++) {
      this.#nextRated[rated[k - 1]!] = rated[k]!;
      this.#prevRated[rated[k]!] = rated[k - 1]!;
    }
  }

  /** The tickets of the best match anchored on `anchor` that may start now, or undefined. */
  attempt(anchor: number): number[] | undefined {
    // Stryker disable next-line UpdateOperator: equivalent, decreasing stamps are as unique as increasing ones
    const stamp = ++this.#stamp;
    this.#mark[anchor] = stamp;
    this.#picks = [anchor];
    this.#free = this.#rules.maxPlayers - this.#size[anchor]!;
    this.#low = this.#lo[anchor]!;
    this.#high = this.#hi[anchor]!;
    this.#candidates.length = 0;
    // Stryker disable next-line BooleanLiteral: cost only, with no party skipped every candidate was picked, so no exact fill exists
    this.#skippedForSize = false;

    if (Number.isNaN(this.#rating[anchor]!)) {
      this.#scanUnrated();
      const pivot = this.#oldestUnmatchedRated();
      // Stryker disable next-line ConditionalExpression,LogicalOperator,EqualityOperator: equivalent, a full match or a NONE pivot (rating undefined) scans nothing
      if (this.#free > 0 && pivot !== NONE) this.#scanRated(pivot);
    } else {
      this.#scanRated(anchor);
      this.#scanUnrated();
    }
    if (this.#free === 0) return this.#picks;
    // Stryker disable next-line ConditionalExpression: cost only, with no party skipped every candidate was picked, so no exact fill exists
    if (this.#skippedForSize) {
      const exact = this.#exactFill(anchor);
      if (exact) return exact;
    }
    const players = this.#rules.maxPlayers - this.#free;
    const oldest = this.#tickets[Math.min(...this.#picks)]!;
    const waited = this.#now - oldest.enqueuedAt;
    return players >= this.#rules.minPlayers && waited >= this.#rules.fillWaitMs ? this.#picks : undefined;
  }

  /** Take `picks` out of the queue and describe their match. */
  form(picks: number[]): FormedMatch {
    picks.sort((a, b) => a - b);
    let players = 0;
    const ticketIds: string[] = [];
    for (const i of picks) {
      this.matched[i] = 1;
      players += this.#size[i]!;
      ticketIds.push(this.#tickets[i]!.id);
      if (Number.isNaN(this.#rating[i]!)) {
        // Stryker disable next-line UpdateOperator: cost only, the size counts only prune scans
        this.#unratedSizes[this.#size[i]!]!--;
        unlink(i, this.#prevUnrated, this.#nextUnrated);
        if (this.#headUnrated === i) this.#headUnrated = this.#nextUnrated[i]!;
      } else {
        // Stryker disable next-line UpdateOperator: cost only, the size counts only prune scans
        this.#ratedSizes[this.#size[i]!]!--;
        unlink(i, this.#prevRated, this.#nextRated);
      }
    }
    return { ticketIds, players };
  }

  /** Outward from `center` in rating order, nearest first, while the intersection can be reached. */
  #scanRated(center: number): void {
    const rating = this.#rating;
    const origin = rating[center]!;
    const smallest = smallestSize(this.#ratedSizes);
    // The anchor is already taken; a pivot (unrated anchor) is the first candidate.
    let left = this.#mark[center] === this.#stamp ? this.#prevRated[center]! : center;
    let right = this.#nextRated[center]!;
    let misses = 0;
    // Stryker disable next-line EqualityOperator: cost only, a full match returns its picks before the extra steps matter
    while (this.#free > 0) {
      // Nothing left fits: keep looking only to give the exact-fill search its candidates.
      if (this.#free < smallest && this.#candidates.length >= this.#candidateLimit) return;
      const leftOpen = left !== NONE && rating[left]! + this.#widest >= this.#low;
      const rightOpen = right !== NONE && rating[right]! - this.#widest <= this.#high;
      if (!leftOpen && !rightOpen) return;
      let next: number;
      if (
        leftOpen &&
        (!rightOpen ||
          origin - rating[left]! < rating[right]! - origin ||
          // Stryker disable next-line EqualityOperator: equivalent, left and right are never the same ticket
          (origin - rating[left]! === rating[right]! - origin && left < right))
      ) {
        next = left;
        left = this.#prevRated[left]!;
      } else {
        next = right;
        right = this.#nextRated[right]!;
      }
      if (!this.#consider(next) && ++misses > this.#missLimit) return;
    }
  }

  /** Unrated tickets, oldest first. */
  #scanUnrated(): void {
    const smallest = smallestSize(this.#unratedSizes);
    // Stryker disable next-line ConditionalExpression,EqualityOperator: cost only, a full match returns its picks
    for (let i = this.#headUnrated; i !== NONE && this.#free > 0; i = this.#nextUnrated[i]!) {
      if (this.#free < smallest && this.#candidates.length >= this.#candidateLimit) return;
      if (this.#mark[i] !== this.#stamp) this.#consider(i);
    }
  }

  #oldestUnmatchedRated(): number {
    const n = this.#tickets.length;
    while (
      // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, past the end Number.isNaN(undefined) is false and NONE comes back either way
      this.#oldestRated < n &&
      (this.matched[this.#oldestRated] || Number.isNaN(this.#rating[this.#oldestRated]!))
    )
      this.#oldestRated++;
    // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, a pivot at n scans nothing (its rating reads undefined)
    return this.#oldestRated < n ? this.#oldestRated : NONE;
  }

  /** Greedy step: take `i` if its window meets the intersection and its party fits. */
  #consider(i: number): boolean {
    if (this.#lo[i]! > this.#high || this.#hi[i]! < this.#low) return false;
    if (this.#candidates.length < this.#candidateLimit) this.#candidates.push(i);
    if (this.#size[i]! > this.#free) {
      this.#skippedForSize = true;
      return true;
    }
    this.#mark[i] = this.#stamp;
    this.#picks.push(i);
    this.#free -= this.#size[i]!;
    // Stryker disable next-line EqualityOperator: equivalent, `>=` stores the same value
    if (this.#lo[i]! > this.#low) this.#low = this.#lo[i]!;
    // Stryker disable next-line EqualityOperator: equivalent, `<=` stores the same value
    if (this.#hi[i]! < this.#high) this.#high = this.#hi[i]!;
    return true;
  }

  /**
   * An exact fill of the anchor's match from the candidates, nearest first: `completes[k][c]` says
   * whether candidates k.. can fill c slots exactly, so a candidate is taken only if the rest can
   * still complete the match. Undefined when no such set also has overlapping windows.
   */
  #exactFill(anchor: number): number[] | undefined {
    const candidates = this.#candidates;
    const count = candidates.length;
    const target = this.#rules.maxPlayers - this.#size[anchor]!;
    const width = target + 1;
    const completes = new Uint8Array((count + 1) * width);
    completes[count * width] = 1;
    for (let k = count - 1; k >= 0; k--) {
      const size = this.#size[candidates[k]!]!;
      const row = k * width;
      const below = row + width;
      for (let c = 0; c <= target; c++)
        // Stryker disable next-line ConditionalExpression: equivalent, for c < size it reads a cell not written yet (0) or before the array (x | undefined = x)
        completes[row + c] = completes[below + c]! | (c >= size ? completes[below + c - size]! : 0);
    }
    // Stryker disable next-line ConditionalExpression: cost only, without an exact fill the pick loop ends with slots free
    if (!completes[target]) return undefined;
    const picks = [anchor];
    let free = target;
    let low = this.#lo[anchor]!;
    let high = this.#hi[anchor]!;
    // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, the extra rounds skip (undefined size, no free slot)
    for (let k = 0; k < count && free > 0; k++) {
      const i = candidates[k]!;
      const size = this.#size[i]!;
      if (size > free || !completes[(k + 1) * width + free - size]) continue;
      if (this.#lo[i]! > high || this.#hi[i]! < low) continue;
      picks.push(i);
      free -= size;
      low = Math.max(low, this.#lo[i]!);
      high = Math.min(high, this.#hi[i]!);
    }
    return free === 0 ? picks : undefined;
  }
}

function unlink(i: number, prev: Int32Array, next: Int32Array): void {
  const p = prev[i]!;
  const n = next[i]!;
  // Stryker disable next-line ConditionalExpression: equivalent, a typed array ignores a write at index -1
  if (p !== NONE) next[p] = n;
  // Stryker disable next-line ConditionalExpression: equivalent, a typed array ignores a write at index -1
  if (n !== NONE) prev[n] = p;
}

/** The smallest party size with an unmatched ticket (sizes.length when there is none). */
// Stryker disable next-line BlockStatement: cost only, an undefined smallest size never prunes a scan
function smallestSize(sizes: Int32Array): number {
  let size = 1;
  // Stryker disable next-line EqualityOperator,UpdateOperator: cost only or equivalent, each gives the true size, 1 or less: a scan prunes later, never wrongly
  while (size < sizes.length && sizes[size] === 0) size++;
  return size;
}
