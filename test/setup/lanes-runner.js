// Two lanes for one jest run: the app project's suites one at a time in a worker of their
// own, beside the other projects' suites on the remaining workers; when those are done, that
// lane takes app suites too, so the last ones run two at a time. App suites start the
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
    // App suites in jest's order (longest first), taken one at a time by the app lane, and by
    // the other lane too once its own suites are done: by then the first app suite has
    // warmed the run's shared Go cache, and the machine has room for a second app.
    const queue = tests.filter(inAppProject);
    const rest = tests.filter((t) => !inAppProject(t));
    const takeAppSuites = async () => {
      for (let test = queue.shift(); test; test = queue.shift())
        await this.#app.runTests([test], watcher, options);
    };
    await Promise.all([
      takeAppSuites(),
      (async () => {
        if (rest.length) await this.#rest.runTests(rest, watcher, options);
        await takeAppSuites();
      })(),
    ]);
  }

  on(eventName, listener) {
    const offs = [this.#app.on(eventName, listener), this.#rest.on(eventName, listener)];
    return () => {
      for (const off of offs) off();
    };
  }
}
