// How many jobs a person, and a repository, may start in an hour (TRIGGER_RATE_LIMIT,
// TRIGGER_RATE_LIMIT_REPOSITORY). Every job spends the operator's model budget, and a
// collaborator's account (or a script holding it) could otherwise start them without end.
// Over the limit a trigger is ignored; the first one in a window gets one comment saying so.
// The window slides: a trigger counts for one hour after it was admitted.

export const RATE_WINDOW_MS = 60 * 60_000;

export interface RateLimits {
  /** Jobs one person may start in one repository per window; 0 turns it off. */
  perPerson: number;
  /** Jobs one repository may start per window, from everyone together; 0 turns it off. */
  perRepository: number;
}

export interface TriggerKey {
  /** "owner/repo". */
  repo: string;
  actor: string;
  /** A redelivered webhook is the same trigger: it is admitted again and not counted twice. */
  deliveryId: string;
}

export type Admission =
  | { admitted: true }
  | {
      admitted: false;
      scope: "person" | "repository";
      limit: number;
      /** When the window admits this key again (epoch ms). */
      until: number;
      /** True for the first refusal in a window: the one that is told. */
      notify: boolean;
    };

export interface TriggerLimiter {
  admit(key: TriggerKey, now?: number): Promise<Admission>;
  close(): void;
}

/** What a store knows about a key's window, for `decide`. */
export interface WindowCounts {
  /** Triggers of this person in this repository within the window, oldest first. */
  person: number[];
  /** Triggers of the repository within the window, oldest first. */
  repository: number[];
}

/** Which limit (if any) refuses the next trigger; `until` is when it admits one again. */
export function decide(
  limits: RateLimits,
  counts: WindowCounts,
): { scope: "person" | "repository"; limit: number; until: number } | undefined {
  const over = (times: number[], limit: number) => limit > 0 && times.length >= limit;
  // The (n - limit)-th oldest leaves the window first among those that keep it full.
  const until = (times: number[], limit: number) => times[times.length - limit]! + RATE_WINDOW_MS;
  if (over(counts.person, limits.perPerson)) {
    return { scope: "person", limit: limits.perPerson, until: until(counts.person, limits.perPerson) };
  }
  if (over(counts.repository, limits.perRepository)) {
    return {
      scope: "repository",
      limit: limits.perRepository,
      until: until(counts.repository, limits.perRepository),
    };
  }
  return undefined;
}

/** The key a refusal is told under: once per window per person, or per repository. */
export function noticeKey(scope: "person" | "repository", key: TriggerKey): string {
  return scope === "person" ? `${key.repo}|${key.actor}`.toLowerCase() : key.repo.toLowerCase();
}

/**
 * The window in this process's memory: for the BullMQ queue, whose processes share no SQLite
 * file. Each webhook process then counts on its own (documented in docs/SECURITY.md).
 */
export class MemoryTriggerLimiter implements TriggerLimiter {
  readonly #log: { delivery: string; repo: string; actor: string; at: number }[] = [];
  readonly #notices = new Map<string, number>();

  constructor(private readonly limits: RateLimits) {}

  async admit(key: TriggerKey, now = Date.now()): Promise<Admission> {
    const since = now - RATE_WINDOW_MS;
    while (this.#log.length && this.#log[0]!.at <= since) this.#log.shift();
    for (const [k, at] of this.#notices) if (at <= since) this.#notices.delete(k);
    if (this.#log.some((e) => e.delivery === key.deliveryId)) return { admitted: true };
    const repo = key.repo.toLowerCase();
    const actor = key.actor.toLowerCase();
    const inRepo = this.#log.filter((e) => e.repo === repo);
    const refused = decide(this.limits, {
      person: inRepo.filter((e) => e.actor === actor).map((e) => e.at),
      repository: inRepo.map((e) => e.at),
    });
    if (!refused) {
      this.#log.push({ delivery: key.deliveryId, repo, actor, at: now });
      return { admitted: true };
    }
    const told = noticeKey(refused.scope, key);
    const notify = !this.#notices.has(told);
    if (notify) this.#notices.set(told, now);
    return { admitted: false, ...refused, notify };
  }

  close(): void {}
}
