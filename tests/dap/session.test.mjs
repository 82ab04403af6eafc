// Launching, threads, stacks, variables and every step kind of doeff-dap.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, it } from 'node:test';

import { TIMEOUT, lineOf, withSession } from './support.mjs';

const opts = { timeout: TIMEOUT * 3 };

describe('launch', () => {
  for (const runner of ['sync', 'async']) {
    it(`stops on entry with the ${runner} runner and runs to an Ok exit`, opts, () =>
      withSession(async (s) => {
        const entry = await s.launchStopped({ program: 'counter', runner });
        const threads = await s.threads();
        assert.ok(threads.length >= 1, 'no thread at entry');
        assert.ok(
          threads.some((t) => t.id === entry.body.threadId),
          `stopped thread ${entry.body.threadId} is not among the threads ${JSON.stringify(threads)}`,
        );
        const main = threads.find((t) => t.id === 1);
        assert.ok(main, 'task 0 is not thread 1');
        assert.match(main.name, /^0 \S.* \(.+\)$/, `thread name '${main.name}' is not '<id> <name> (<state>)'`);
        assert.equal(await s.runToExit(entry.body.threadId), 0);
      }));
  }

  it('exits with code 1 when the result is Err', opts, () =>
    withSession(async (s) => {
      await s.launch({ program: 'risky_operation' });
      const exited = await s.next('exited');
      assert.equal(exited.body.exitCode, 1);
      await s.next('terminated');
    }));

  it('runs without stopping when stopOnEntry is not set, Tell messages arrive as console output', opts, () =>
    withSession(async (s) => {
      await s.launch({ program: 'greet_and_log', env: { name: 'Ada' } });
      const told = await s.output((b) => b.category === 'console' && b.output.includes('Greeting Ada'));
      assert.ok(told);
      assert.equal((await s.next('exited')).body.exitCode, 0);
      await s.next('terminated');
      assert.equal(
        s.events.filter((e) => e.event === 'stopped').length,
        0,
        'the run stopped although nothing asked it to',
      );
    }));

  it('takes the clock argument (simulated time: a 1 s Delay costs nothing)', opts, () =>
    withSession(async (s) => {
      await s.launch({ program: 'timed_operation', clock: 'simulated' });
      assert.equal((await s.next('exited')).body.exitCode, 0);
    }));

  it('restart begins the program again, stopped on entry', opts, () =>
    withSession(async (s) => {
      const entry = await s.launchStopped({ program: 'counter' });
      await s.step('next', { threadId: entry.body.threadId });
      const again = s.next('stopped');
      await s.dc.restartRequest({});
      assert.equal((await again).body.reason, 'entry');
      const store = await s.scope(1, 'Store');
      assert.equal(store.counter, '0');
    }));
});

describe('threads', () => {
  it('one thread per task during parallel_work, named "<id> <name> (<state>)"', opts, () =>
    withSession(async (s) => {
      // the third Tell is compute_c's: by then all three tasks have been spawned
      await s.launchStopped({ program: 'parallel_work' }, (dc) =>
        dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'Tell', hitCondition: '3' }] }),
      );
      await s.step('continue', { threadId: 1 }, 'function breakpoint');
      const threads = await s.threads();
      assert.ok(threads.length >= 4, `expected the main task and three spawned ones: ${JSON.stringify(threads)}`);
      for (const t of threads) {
        const m = /^(\d+) (\S.*) \((.+)\)$/.exec(t.name);
        assert.ok(m, `thread name '${t.name}'`);
        assert.equal(t.id, Number(m[1]) + 1, `thread ${t.id} is named for task ${m[1]}`);
      }
      const started = s.events.filter((e) => e.event === 'thread' && e.body.reason === 'started');
      assert.ok(started.length >= 3, `expected 'thread' started events for the spawned tasks, got ${started.length}`);
    }));

  it('terminateThreads cancels one task and the others go on', opts, () =>
    withSession(async (s) => {
      await s.launchStopped({ program: 'parallel_work' }, (dc) =>
        dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'Tell' }] }),
      );
      await s.step('continue', { threadId: 1 }, 'function breakpoint');
      const victim = (await s.threads()).find((t) => t.id !== 1);
      await s.dc.customRequest('terminateThreads', { threadIds: [victim.id] });
      await s.dc.setFunctionBreakpointsRequest({ breakpoints: [] });
      await s.dc.continueRequest({ threadId: 1 });
      const exited = await s.next('exited');
      // waiting on a cancelled task fails the run
      assert.equal(exited.body.exitCode, 1);
    }));
});

describe('stack', () => {
  it('program frames carry a source that exists on disk and a line', opts, () =>
    withSession(async (s) => {
      await s.launchStopped({ program: 'counter' }, (dc) =>
        dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'Put' }] }),
      );
      const stop = await s.step('continue', { threadId: 1 }, 'function breakpoint');
      const frames = await s.frames(stop.body.threadId);
      assert.ok(frames.length >= 1);
      const program = frames.filter((f) => f.source?.path);
      assert.ok(program.length >= 1, `no frame with a source: ${JSON.stringify(frames)}`);
      for (const f of program) {
        assert.ok(fs.existsSync(f.source.path), `${f.source.path} does not exist`);
        assert.ok(f.line > 0, `frame ${f.name} has line ${f.line}`);
      }
      const top = program[0];
      assert.match(top.source.path, /examples\/documented\.cpp$/);
      const first = lineOf('examples/documented.cpp', 'const qint64 count = co_await Get<qint64>("counter")');
      assert.ok(top.line >= first && top.line <= first + 2, `counter is stopped at line ${top.line}`);
      for (const f of frames.filter((f) => !f.source?.path)) {
        assert.ok(['label', 'subtle'].includes(f.presentationHint), `frame ${f.name} without a source has hint ${f.presentationHint}`);
      }
    }));

  it('a handling on top carries the line of the effect it handles', opts, () =>
    withSession(async (s) => {
      // audit_log's handler is a coroutine handler: between its program and the site it
      // resumes, the handling is on top of K, the program beneath it in its continuation
      await s.launchStopped({ program: 'audit_log' });
      let frames = await s.frames(1);
      for (let i = 0; i < 20 && !frames[0].name.startsWith('effect='); ++i) {
        await s.step('stepIn', { threadId: 1, granularity: 'instruction' });
        frames = await s.frames(1);
      }
      const [top] = frames;
      assert.match(top.name, /^effect=Tell\('job started'\) handler=audit_log/, JSON.stringify(frames));
      assert.equal(top.presentationHint, 'label');
      assert.ok(top.source?.path, `the handling has no source: ${JSON.stringify(top)}`);
      assert.match(top.source.path, /examples\/handlers\.cpp$/);
      assert.equal(top.line, lineOf('examples/handlers.cpp', 'co_await Tell("job started")'));
    }));

  it('handler frames are labels and scope frames subtle', opts, () =>
    withSession(async (s) => {
      await s.launchStopped({ program: 'divide' }, (dc) =>
        dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'Divide' }] }),
      );
      await s.step('continue', { threadId: 1 }, 'function breakpoint');
      await s.step('stepIn', { threadId: 1, granularity: 'instruction' });
      const frames = await s.frames(1);
      const hints = frames.map((f) => f.presentationHint ?? 'normal');
      assert.ok(hints.includes('label') || hints.includes('subtle'), `no handler or scope frame: ${JSON.stringify(frames)}`);
    }));
});

describe('variables', () => {
  it("counter's store key 'counter' reads 1 after its Put", opts, () =>
    withSession(async (s) => {
      await s.launchStopped({ program: 'counter' });
      assert.equal((await s.scope(1, 'Store')).counter, '0');
      let value = '0';
      for (let i = 0; i < 50 && value === '0'; ++i) {
        await s.step('next', { threadId: 1, granularity: 'instruction' });
        value = (await s.scope(1, 'Store')).counter;
      }
      assert.equal(value, '1');
      const [top] = await s.frames(1);
      assert.equal((await s.evaluate('store.counter', top.id)).result, '1');
    }));

  it("greet's environment shows the launch's env", opts, () =>
    withSession(async (s) => {
      await s.launchStopped({ program: 'greet', env: { name: 'Ada' } });
      const env = await s.scope(1, 'Environment');
      assert.equal(env.name, "'Ada'");
      const [top] = await s.frames(1);
      assert.equal((await s.evaluate('env.name', top.id)).result, "'Ada'");
      const hover = await s.dc.evaluateRequest({ expression: 'name', frameId: top.id, context: 'hover' });
      assert.equal(hover.body.result, "'Ada'");
    }));

  it('the store argument sets initial store keys', opts, () =>
    withSession(async (s) => {
      await s.launchStopped({ program: 'counter', store: { counter: 41 } });
      assert.equal((await s.scope(1, 'Store')).counter, '41');
      assert.equal(await s.runToExit(1), 0);
    }));

  it('all four scopes are there', opts, () =>
    withSession(async (s) => {
      await s.launchStopped({ program: 'counter' });
      const [top] = await s.frames(1);
      const names = (await s.scopes(top.id)).map((x) => x.name);
      for (const name of ['Store', 'Environment', 'Current effect', 'Handlers']) {
        assert.ok(names.includes(name), `no scope ${name}: ${names}`);
      }
    }));

  it('maps and lists expand, with paging', opts, () =>
    withSession(async (s) => {
      await s.launchStopped({ program: 'get_env_var' });
      const [top] = await s.frames(1);
      const envScope = (await s.scopes(top.id)).find((x) => x.name === 'Environment');
      const environment = (await s.variables(envScope.variablesReference)).find((v) => v.name === 'environment');
      assert.ok(environment, 'no env key environment');
      assert.ok(environment.variablesReference > 0, 'a map is not expandable');
      const all = await s.variables(environment.variablesReference);
      assert.deepEqual(all.map((v) => v.name).sort(), ['HOME', 'USER']);
      assert.equal(all.find((v) => v.name === 'USER').value, "'ada'");
      const second = await s.variables(environment.variablesReference, { start: 1, count: 1 });
      assert.equal(second.length, 1);
      assert.equal(second[0].name, all[1].name);
    }));
});

describe('stepping', () => {
  for (const [command, granularity] of [
    ['next', undefined],
    ['next', 'instruction'],
    ['next', 'statement'],
    ['stepIn', undefined],
    ['stepIn', 'instruction'],
    ['stepIn', 'statement'],
  ]) {
    it(`${command}${granularity ? ` (${granularity})` : ''} stops with reason step`, opts, () =>
      withSession(async (s) => {
        await s.launchStopped({ program: 'count_to_three' });
        const stop = await s.step(command, { threadId: 1, granularity });
        assert.equal(stop.body.threadId, 1);
        assert.ok((await s.frames(1)).length >= 1);
      }));
  }

  it('next (line) from entry stops inside the program', opts, () =>
    withSession(async (s) => {
      await s.launchStopped({ program: 'count_to_three' });
      await s.step('next', { threadId: 1, granularity: 'line' });
      const frames = await s.frames(1);
      assert.ok(frames.some((f) => f.source?.path), `no program frame after a line step: ${JSON.stringify(frames)}`);
    }));

  it('line granularity goes from one source line to another', opts, () =>
    withSession(async (s) => {
      await s.launchStopped({ program: 'count_to_three' });
      await s.step('stepIn', { threadId: 1, granularity: 'statement' });
      const program = async () => (await s.frames(1)).find((f) => f.source?.path);
      const before = await program();
      assert.ok(before, 'no program frame after the first statement step');
      await s.step('next', { threadId: 1, granularity: 'line' });
      const after = await program();
      assert.ok(after, 'no program frame after a line step');
      assert.notEqual(after.line, before.line, `a line step stayed on line ${before.line}`);
    }));

  it('statement granularity goes to the next effect', opts, () =>
    withSession(async (s) => {
      await s.launchStopped({ program: 'count_to_three' });
      const effects = [];
      for (let i = 0; i < 3; ++i) {
        await s.step('next', { threadId: 1, granularity: 'statement' });
        const effect = await s.scope(1, 'Current effect');
        effects.push(effect);
        assert.ok(Object.keys(effect).length > 0, `step ${i}: no current effect`);
      }
    }));

  it('instruction steps are finer than statement steps', opts, () =>
    withSession(async (s) => {
      // count how many instruction steps reach the store write that one statement-step sequence reaches
      await s.launchStopped({ program: 'count_to_three' });
      let instructionSteps = 0;
      while ((await s.scope(1, 'Store')).counter === '0') {
        await s.step('next', { threadId: 1, granularity: 'instruction' });
        assert.ok(++instructionSteps < 200, 'no store write in 200 instruction steps');
      }
      await s.dc.restartRequest({});
      await s.stopped('entry');
      let statementSteps = 0;
      while ((await s.scope(1, 'Store')).counter === '0') {
        await s.step('next', { threadId: 1, granularity: 'statement' });
        assert.ok(++statementSteps < 200, 'no store write in 200 statement steps');
      }
      assert.ok(statementSteps < instructionSteps, `statement ${statementSteps} vs instruction ${instructionSteps}`);
    }));

  it('stepOut leaves a spawned task body', opts, () =>
    withSession(async (s) => {
      await s.launchStopped({ program: 'parallel_work' }, (dc) =>
        dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'Tell' }] }),
      );
      const hit = await s.step('continue', { threadId: 1 }, 'function breakpoint');
      await s.dc.setFunctionBreakpointsRequest({ breakpoints: [] });
      const before = (await s.frames(hit.body.threadId)).length;
      const out = await s.step('stepOut', { threadId: hit.body.threadId });
      const threadId = out.body.threadId ?? hit.body.threadId;
      const after = (await s.frames(threadId)).length;
      assert.ok(threadId !== hit.body.threadId || after < before, `stepOut did not leave the frame: ${before} → ${after}`);
    }));

  it('a pause sent right after configurationDone is not lost', opts, () =>
    withSession(async (s) => {
      await s.launch({ program: 'busy_loop', env: { iterations: 100000000 } });
      const stopped = s.next('stopped');
      await s.dc.pauseRequest({ threadId: 1 });
      assert.equal((await stopped).body.reason, 'pause');
    }));

  it('pause stops a running busy loop', opts, () =>
    withSession(async (s) => {
      await s.launch({ program: 'busy_loop', env: { iterations: 100000000 } });
      await s.next('thread', (e) => e.body.reason === 'started');
      const stopped = s.next('stopped');
      await s.dc.pauseRequest({ threadId: 1 });
      assert.equal((await stopped).body.reason, 'pause');
      const n = Number((await s.scope(1, 'Store')).n);
      assert.ok(Number.isInteger(n) && n >= 0);
    }));
});
