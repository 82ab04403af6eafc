// Travelling back: stepBack and reverseContinue land on the states the forward run had, goto and
// gotoTargets, evaluate @STEP, and a recorded trace opened as a read-only session.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

import { TIMEOUT, doeffRun, lineOf, sourceRoot, withSession, workDir } from './support.mjs';

const opts = { timeout: TIMEOUT * 4 };
const basics = path.join(sourceRoot, 'examples', 'basics.cpp');
const putLine = lineOf('examples/basics.cpp', 'co_await Put("counter", count + 1)');

// What a stop looks like to a user: the top frame's place and every scope's variables.
async function snapshot(s, threadId = 1) {
  const [top] = await s.frames(threadId);
  const state = { frame: `${top.name}@${top.line}` };
  for (const scope of await s.scopes(top.id)) {
    if (scope.name === 'Handlers') continue;
    const vars = scope.variablesReference ? await s.variables(scope.variablesReference) : [];
    state[scope.name] = Object.fromEntries(vars.map((v) => [v.name, v.value]));
  }
  return state;
}

describe('reverse execution', () => {
  it('stepBack retraces the forward steps, state for state', opts, () =>
    withSession(async (s) => {
      await s.launchStopped({ program: 'count_to_three' });
      const forward = [await snapshot(s)];
      for (let i = 0; i < 12; ++i) {
        await s.step('next', { threadId: 1, granularity: 'instruction' });
        forward.push(await snapshot(s));
      }
      assert.notDeepEqual(forward.at(-1).Store, forward[0].Store, 'twelve steps wrote nothing to the store');
      for (let i = forward.length - 2; i >= 0; --i) {
        await s.step('stepBack', { threadId: 1, granularity: 'instruction' });
        assert.deepEqual(await snapshot(s), forward[i], `after stepping back to forward step ${i}`);
      }
      // and forward again through the history
      await s.step('next', { threadId: 1, granularity: 'instruction' });
      assert.deepEqual(await snapshot(s), forward[1]);
    }));

  it('reverseContinue goes back to the previous breakpoint hit, with its state', opts, () =>
    withSession(async (s) => {
      await s.launchStopped({ program: 'count_to_three' }, (dc) =>
        dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'Put' }] }),
      );
      const hits = [];
      for (let i = 0; i < 3; ++i) {
        await s.step('continue', { threadId: 1 }, 'function breakpoint');
        hits.push(await snapshot(s));
      }
      assert.deepEqual(
        hits.map((h) => h.Store.counter),
        ['0', '1', '2'],
      );
      await s.step('reverseContinue', { threadId: 1 }, 'function breakpoint');
      assert.deepEqual(await snapshot(s), hits[1]);
      await s.step('reverseContinue', { threadId: 1 }, 'function breakpoint');
      assert.deepEqual(await snapshot(s), hits[0]);
      // going forward again replays the same hit
      await s.step('continue', { threadId: 1 }, 'function breakpoint');
      assert.deepEqual(await snapshot(s), hits[1]);
    }));

  it('reverseContinue without a breakpoint behind goes back to the start', opts, () =>
    withSession(async (s) => {
      const start = await s.launchStopped({ program: 'count_to_three' });
      const entry = await snapshot(s, start.body.threadId);
      for (let i = 0; i < 5; ++i) await s.step('next', { threadId: 1 });
      const stopped = s.next('stopped');
      await s.dc.reverseContinueRequest({ threadId: 1 });
      await stopped;
      assert.deepEqual((await snapshot(s)).Store, entry.Store);
    }));

  it('travelling back sends invalidated', opts, () =>
    withSession(async (s) => {
      await s.launchStopped({ program: 'count_to_three' });
      await s.step('next', { threadId: 1 });
      await s.step('next', { threadId: 1 });
      await s.step('stepBack', { threadId: 1 });
      await s.next('invalidated');
    }));
});

describe('goto', () => {
  it('gotoTargets lists earlier steps at a line and goto travels to one', opts, () =>
    withSession(async (s) => {
      await s.launchStopped({ program: 'count_to_three' }, (dc) =>
        dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'Put' }] }),
      );
      const hits = [];
      for (let i = 0; i < 3; ++i) {
        await s.step('continue', { threadId: 1 }, 'function breakpoint');
        hits.push(await snapshot(s));
      }
      const targets = (await s.dc.gotoTargetsRequest({ source: { path: basics }, line: putLine })).body.targets;
      assert.ok(targets.length >= 2, `expected the earlier Puts as targets: ${JSON.stringify(targets)}`);
      for (const t of targets) assert.equal(t.line, putLine);
      await s.step('goto', { threadId: 1, targetId: targets[0].id }, 'goto');
      const there = await snapshot(s);
      assert.equal(there.frame.split('@')[1], String(putLine));
      assert.ok(['0', '1'].includes(there.Store.counter), `goto landed on counter=${there.Store.counter}`);
    }));

  it('evaluate @STEP travels to that step', opts, () =>
    withSession(async (s) => {
      await s.launchStopped({ program: 'count_to_three' });
      const entry = await snapshot(s);
      for (let i = 0; i < 10; ++i) await s.step('next', { threadId: 1, granularity: 'instruction' });
      const [top] = await s.frames(1);
      const stopped = s.next('stopped');
      await s.evaluate('@1', top.id);
      assert.equal((await stopped).body.reason, 'goto');
      assert.deepEqual((await snapshot(s)).Store, entry.Store);
    }));

  it('evaluate task N describes a task', opts, () =>
    withSession(async (s) => {
      await s.launchStopped({ program: 'counter' });
      const [top] = await s.frames(1);
      const answer = await s.evaluate('task 0', top.id);
      assert.ok(answer.result.length > 0);
    }));

  it('evaluate of an unknown store key is an error naming it', opts, () =>
    withSession(async (s) => {
      await s.launchStopped({ program: 'counter' });
      const [top] = await s.frames(1);
      await assert.rejects(s.evaluate('store.no_such_key', top.id), /no_such_key/);
    }));
});

describe('trace session', () => {
  it('loading a trace reports progress to a client that supports it', opts, async () => {
    const dir = workDir('travel-progress');
    const trace = path.join(dir, 'word_count.doefftrace');
    const recorded = await doeffRun(['word_count', '--trace', trace]);
    assert.equal(recorded.code, 0, recorded.stderr);
    await withSession(async (s) => {
      await s.launch({ trace });
      const start = await s.next('progressStart');
      const end = await s.next('progressEnd');
      assert.equal(end.body.progressId, start.body.progressId);
      assert.ok(start.body.title, 'progressStart has no title');
      assert.ok(start.seq < end.seq);
    });
  });

  it('a recorded trace opens read-only and travels both ways', opts, async () => {
    const dir = workDir('travel');
    const trace = path.join(dir, 'count.doefftrace');
    const recorded = await doeffRun(['count_to_three', '--trace', trace]);
    assert.equal(recorded.code, 0, recorded.stderr);
    await withSession(async (s) => {
      await s.launch({ trace });
      const first = await s.next('stopped');
      const threadId = first.body.threadId ?? 1;
      const start = await snapshot(s, threadId);
      const forward = [start];
      for (let i = 0; i < 6; ++i) {
        await s.step('next', { threadId, granularity: 'instruction' });
        forward.push(await snapshot(s, threadId));
      }
      await s.step('stepBack', { threadId, granularity: 'instruction' });
      assert.deepEqual(await snapshot(s, threadId), forward.at(-2));
      // running forward to the end of the recording, then back to its start
      const end = s.next('stopped');
      await s.dc.continueRequest({ threadId });
      await end;
      // the main task is done there (no frame): the store is read by evaluate
      assert.equal((await s.evaluate('store.counter')).result, '3');
      const back = s.next('stopped');
      await s.dc.reverseContinueRequest({ threadId });
      await back;
      assert.deepEqual((await snapshot(s, threadId)).Store, start.Store);
    });
  });
  it('travelling honours a condition and passes logpoints by', opts, async () => {
    const dir = workDir('travel');
    const trace = path.join(dir, 'count-conditions.doefftrace');
    const recorded = await doeffRun(['count_to_three', '--trace', trace]);
    assert.equal(recorded.code, 0, recorded.stderr);
    await withSession(async (s) => {
      await s.launch({ trace }, (dc) =>
        dc.setFunctionBreakpointsRequest({
          breakpoints: [{ name: 'Put', condition: 'store.counter >= 1' }, { name: 'Get', logMessage: 'at {store.counter}' }],
        }),
      );
      const first = await s.next('stopped');
      const threadId = first.body.threadId ?? 1;
      // the first Put (counter 0) does not hold the condition, and no Get stops
      const hit = s.next('stopped');
      await s.dc.continueRequest({ threadId });
      assert.equal((await hit).body.reason, 'function breakpoint');
      assert.equal((await s.evaluate('store.counter')).result, '1');
      const again = s.next('stopped');
      await s.dc.continueRequest({ threadId });
      assert.equal((await again).body.reason, 'function breakpoint');
      assert.equal((await s.evaluate('store.counter')).result, '2');
      const back = s.next('stopped');
      await s.dc.reverseContinueRequest({ threadId });
      assert.equal((await back).body.reason, 'function breakpoint');
      assert.equal((await s.evaluate('store.counter')).result, '1');
    });
  });
});

describe('replay', () => {
  // Records fetch_user with `record` (--trace or --record-inputs) and launches its replay: a live
  // session that stops at the Await in the program's source and runs to the recorded end.
  async function replaysAsALiveSession(name, record) {
    const dir = workDir(name);
    const recording = path.join(dir, `fetch_user.${name}.doefftrace`);
    const recorded = await doeffRun(['fetch_user', '--runner', 'async', record, recording]);
    assert.equal(recorded.code, 0, recorded.stderr);
    await withSession(async (s) => {
      const entry = await s.launchStopped({ replay: recording });
      assert.equal(entry.body.reason, 'entry');
      await s.dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'Await' }] });
      await s.step('continue', { threadId: entry.body.threadId ?? 1 }, 'function breakpoint');
      const frames = await s.frames(entry.body.threadId ?? 1);
      assert.ok(
        frames.some((f) => (f.source?.path ?? '').endsWith('concurrency.cpp')),
        `no frame in fetch_user's source: ${frames.map((f) => f.name).join(', ')}`,
      );
      assert.equal(await s.runToExit(entry.body.threadId ?? 1), 0);
    });
  }

  it('a recorded run replays as a live session, to the same end', opts, () =>
    replaysAsALiveSession('replay', '--trace'));

  // the Await the log recorded only the result of is a step to stop at
  it('an input log replays as a live session, every step rebuilt', opts, () =>
    replaysAsALiveSession('input-log', '--record-inputs'));

  it('a what-if replays up to its step, changes the handler there and runs on live', opts, async () => {
    const dir = workDir('what-if');
    const trace = path.join(dir, 'divide.doefftrace');
    const json = path.join(dir, 'divide.json');
    assert.equal((await doeffRun(['divide', '--trace', trace])).code, 1); // ZeroDivisionError
    await doeffRun(['--inspect-trace', trace, '--export-json', json]);
    const divide = JSON.parse(fs.readFileSync(json, 'utf8')).events.find(
      (e) => e.kind === 'EffectYielded' && e.text === 'Divide',
    );
    assert.ok(divide, 'no Divide in the recording');
    await withSession(async (s) => {
      const entry = await s.launchStopped({
        replay: trace,
        whatIf: { step: divide.step, swap: 'division', with: 'safe_division' },
      });
      assert.equal(await s.runToExit(entry.body.threadId ?? 1), 0); // safe_division answers 0
    });
    await withSession(async (s) => {
      const entry = await s.launchStopped({ replay: trace, whatIf: { step: divide.step, answer: 2.5 } });
      assert.equal(await s.runToExit(entry.body.threadId ?? 1), 0);
    });
    await withSession(async (s) => {
      await assert.rejects(
        s.dc.launchRequest({ replay: trace, whatIf: { step: divide.step, swap: 'division' } }),
        /"with" must name a handler/,
      );
      await assert.rejects(s.dc.launchRequest({ replay: trace, whatIf: { remove: 'division' } }), /"step"/);
    });
  });

  it('a replay of what is not a trace is refused with the file named', opts, async () => {
    const dir = workDir('replay-bad');
    const missing = path.join(dir, 'missing.doefftrace');
    await withSession(async (s) => {
      await assert.rejects(s.dc.launchRequest({ replay: missing }), /missing\.doefftrace/);
    });
  });
});
