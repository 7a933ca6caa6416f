/**
 * Typed events, VS Code's Emitter in miniature: the engine emits what happened (committed, pushed,
 * phase, …); hosts, features and the bench subscribe. Nobody patches a prototype to observe the engine.
 * A throwing listener never breaks the emitter or the other listeners.
 */
export type Listener<T> = (value: T) => void;

export class Emitter<Events extends { [K in keyof Events]: unknown }> {
  private readonly listeners = new Map<keyof Events, Set<Listener<never>>>();

  on<K extends keyof Events>(event: K, fn: Listener<Events[K]>): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(fn as Listener<never>);
    return () => set.delete(fn as Listener<never>);
  }

  emit<K extends keyof Events>(event: K, value: Events[K]): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const fn of [...set]) {
      try {
        (fn as Listener<Events[K]>)(value);
      } catch {
        // a listener's failure is its own
      }
    }
  }
}
