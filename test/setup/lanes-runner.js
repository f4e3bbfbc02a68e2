// Two lanes for one jest run: the app project's suites one at a time in a worker of their
// own, beside the other projects' suites on the remaining workers. App suites start the
// built app and real Go builds in it: two at once on 2 cores starved each other's first
// (cold) job past its timeout, and wall-clock assertions ("stopped within 2 s") need a
// machine that is not running another app. `--runInBand` (or a single file) runs
// everything in this process, one at a time, as before.
import TestRunner, { EmittingTestRunner } from "jest-runner";

const inAppProject = (test) => test.context.config.displayName?.name === "app";

export default class LanesRunner extends EmittingTestRunner {
  #app;
  #rest;

  constructor(globalConfig, context) {
    super(globalConfig, context);
    this.#app = new TestRunner({ ...globalConfig, maxWorkers: 1 }, context);
    this.#rest = new TestRunner(
      { ...globalConfig, maxWorkers: Math.max(1, globalConfig.maxWorkers - 1) },
      context,
    );
  }

  async runTests(tests, watcher, options) {
    if (options.serial) return this.#rest.runTests(tests, watcher, options);
    const app = tests.filter(inAppProject);
    const rest = tests.filter((t) => !inAppProject(t));
    await Promise.all([
      app.length ? this.#app.runTests(app, watcher, options) : undefined,
      rest.length ? this.#rest.runTests(rest, watcher, options) : undefined,
    ]);
  }

  on(eventName, listener) {
    const offs = [this.#app.on(eventName, listener), this.#rest.on(eventName, listener)];
    return () => {
      for (const off of offs) off();
    };
  }
}
