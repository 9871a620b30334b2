/**
 * Names the step a test's setup is in, so a setup that hangs until its hook times out says where it
 * hung (vitest only says "Hook timed out"). Call `unfinished()` in afterAll and print it.
 */
export function setupSteps(name: string) {
  const done: string[] = [];
  let current: { label: string; since: number } | undefined;
  let finished = false;
  const doneText = () => done.join(', ') || 'nothing';
  return {
    async step<T>(label: string, run: () => Promise<T>): Promise<T> {
      current = { label, since: Date.now() };
      const value = await run();
      done.push(`${label} ${((Date.now() - current.since) / 1000).toFixed(1)} s`);
      current = undefined;
      return value;
    },
    /** The steps done so far, with how long each took. */
    done: doneText,
    finish(): void {
      finished = true;
    },
    /** One line describing an unfinished setup, or undefined when it finished. */
    unfinished(): string | undefined {
      if (finished) return undefined;
      const stuck = current ? `stuck in '${current.label}' for ${((Date.now() - current.since) / 1000).toFixed(1)} s` : 'stopped between steps';
      return `${name} setup did not finish: ${stuck}; done before it: ${doneText()}`;
    },
  };
}
