// Line, function, data and exception breakpoints with conditions, hit counts and logpoints.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';

import { TIMEOUT, lineOf, sourceRoot, withSession } from './support.mjs';

const opts = { timeout: TIMEOUT * 3 };
const basics = path.join(sourceRoot, 'examples', 'basics.cpp');
const putLine = lineOf('examples/basics.cpp', 'co_await Put("counter", count + 1)');

describe('line breakpoints', () => {
  it('verified on a line where the program stops, hit with its id', opts, () =>
    withSession(async (s) => {
      let set;
      await s.launchStopped({ program: 'count_to_three' }, async (dc) => {
        set = (await dc.setBreakpointsRequest({ source: { path: basics }, breakpoints: [{ line: putLine }] })).body;
      });
      assert.equal(set.breakpoints.length, 1);
      const [bp] = set.breakpoints;
      assert.equal(bp.verified, true, JSON.stringify(bp));
      assert.equal(bp.line, putLine);
      const hit = await s.step('continue', { threadId: 1 }, 'breakpoint');
      assert.deepEqual(hit.body.hitBreakpointIds, [bp.id]);
      const [top] = await s.frames(hit.body.threadId);
      assert.equal(top.line, putLine);
      assert.equal((await s.scope(hit.body.threadId, 'Store')).counter, '0');
      // the loop comes back to the same line
      await s.step('continue', { threadId: 1 }, 'breakpoint');
      assert.equal((await s.scope(1, 'Store')).counter, '1');
    }));

  it('a line where nothing stops is moved to the nearest one and reported back', opts, () =>
    withSession(async (s) => {
      const blank = putLine + 1; // the loop's closing brace
      let set;
      await s.launchStopped({ program: 'count_to_three' }, async (dc) => {
        set = (await dc.setBreakpointsRequest({ source: { path: basics }, breakpoints: [{ line: blank }] })).body;
      });
      const [bp] = set.breakpoints;
      assert.equal(bp.verified, true, JSON.stringify(bp));
      assert.notEqual(bp.line, blank);
      assert.ok(Math.abs(bp.line - blank) <= 3, `moved from ${blank} to ${bp.line}`);
      const hit = await s.step('continue', { threadId: 1 }, 'breakpoint');
      assert.deepEqual(hit.body.hitBreakpointIds, [bp.id]);
    }));

  it('hitCondition stops on the n-th hit only', opts, () =>
    withSession(async (s) => {
      await s.launchStopped({ program: 'count_to_three' }, (dc) =>
        dc.setBreakpointsRequest({ source: { path: basics }, breakpoints: [{ line: putLine, hitCondition: '3' }] }),
      );
      await s.step('continue', { threadId: 1 }, 'breakpoint');
      assert.equal((await s.scope(1, 'Store')).counter, '2');
      assert.equal(await s.runToExit(1), 0);
    }));

  it('a logpoint writes its message and does not stop', opts, () =>
    withSession(async (s) => {
      await s.launchStopped({ program: 'count_to_three' }, (dc) =>
        dc.setBreakpointsRequest({
          source: { path: basics },
          breakpoints: [{ line: putLine, logMessage: 'about to write counter' }],
        }),
      );
      await s.dc.continueRequest({ threadId: 1 });
      for (let i = 0; i < 3; ++i) {
        await s.output((b) => b.output.includes('about to write counter'));
      }
      assert.equal((await s.next('exited')).body.exitCode, 0);
      assert.equal(s.events.filter((e) => e.event === 'stopped').length, 0, 'a logpoint stopped the run');
    }));
});

describe('function breakpoints', () => {
  it('an effect name stops at each such effect', opts, () =>
    withSession(async (s) => {
      let set;
      await s.launchStopped({ program: 'count_to_three' }, async (dc) => {
        set = (await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'Put' }] })).body;
      });
      assert.equal(set.breakpoints[0].verified, true);
      for (const counter of ['0', '1', '2']) {
        const hit = await s.step('continue', { threadId: 1 }, 'function breakpoint');
        assert.deepEqual(hit.body.hitBreakpointIds, [set.breakpoints[0].id]);
        assert.equal((await s.scope(1, 'Store')).counter, counter);
        const effect = await s.scope(1, 'Current effect');
        assert.ok(JSON.stringify(effect).includes('counter'), `current effect: ${JSON.stringify(effect)}`);
      }
      assert.equal(await s.runToExit(1), 0);
    }));

  it('a field=value condition in the name filters: Put key=counter stops, Put key=other does not', opts, () =>
    withSession(async (s) => {
      await s.launchStopped({ program: 'count_to_three' }, (dc) =>
        dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'Put key=other' }, { name: 'Put key=counter' }] }),
      );
      const hit = await s.step('continue', { threadId: 1 }, 'function breakpoint');
      assert.equal(hit.body.hitBreakpointIds.length, 1);
      assert.equal((await s.scope(1, 'Store')).counter, '0');
    }));

  it('a Put key=other breakpoint never stops count_to_three', opts, () =>
    withSession(async (s) => {
      await s.launchStopped({ program: 'count_to_three' }, (dc) =>
        dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'Put key=other' }] }),
      );
      assert.equal(await s.runToExit(1), 0);
    }));

  it('a condition on the state stops only where it holds', opts, () =>
    withSession(async (s) => {
      await s.launchStopped({ program: 'count_to_three' }, (dc) =>
        dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'Put', condition: 'store.counter == 2' }] }),
      );
      await s.step('continue', { threadId: 1 }, 'function breakpoint');
      assert.equal((await s.scope(1, 'Store')).counter, '2');
      assert.equal(await s.runToExit(1), 0);
    }));

  it('a field=value given as the condition filters like one in the name', opts, () =>
    withSession(async (s) => {
      await s.launchStopped({ program: 'count_to_three' }, (dc) =>
        dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'Put', condition: 'key=other' }] }),
      );
      assert.equal(await s.runToExit(1), 0);
    }));

  it('a logpoint message interpolates {expressions}', opts, () =>
    withSession(async (s) => {
      await s.launchStopped({ program: 'count_to_three' }, (dc) =>
        dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'Put', logMessage: 'counter was {store.counter}' }] }),
      );
      await s.dc.continueRequest({ threadId: 1 });
      for (const n of ['0', '1', '2']) {
        await s.output((b) => b.output.includes(`counter was ${n}`));
      }
      assert.equal((await s.next('exited')).body.exitCode, 0);
    }));

  it('a hitCondition that is not a count is refused, naming it', opts, () =>
    withSession(async (s) => {
      let set;
      await s.launchStopped({ program: 'count_to_three' }, async (dc) => {
        set = (await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'Put', hitCondition: 'often' }] })).body;
      });
      assert.equal(set.breakpoints[0].verified, false);
      assert.match(set.breakpoints[0].message ?? '', /often/);
    }));

  it('hitCondition and logMessage on a function breakpoint', opts, () =>
    withSession(async (s) => {
      await s.launchStopped({ program: 'count_to_three' }, (dc) =>
        dc.setFunctionBreakpointsRequest({
          breakpoints: [{ name: 'Get', logMessage: 'reading counter' }, { name: 'Put', hitCondition: '2' }],
        }),
      );
      await s.step('continue', { threadId: 1 }, 'function breakpoint');
      assert.equal((await s.scope(1, 'Store')).counter, '1');
      await s.output((b) => b.output.includes('reading counter'));
      assert.equal(await s.runToExit(1), 0);
    }));
});

describe('data breakpoints', () => {
  it('a store key stops each time it is written', opts, () =>
    withSession(async (s) => {
      await s.launchStopped({ program: 'count_to_three' });
      const [top] = await s.frames(1);
      const store = (await s.scopes(top.id)).find((x) => x.name === 'Store');
      const info = (await s.dc.dataBreakpointInfoRequest({ variablesReference: store.variablesReference, name: 'counter' })).body;
      assert.ok(info.dataId, `no dataId for the store key: ${JSON.stringify(info)}`);
      const set = (await s.dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: info.dataId, accessType: 'write' }] })).body;
      assert.equal(set.breakpoints[0].verified, true);
      for (const counter of ['1', '2', '3']) {
        const hit = await s.step('continue', { threadId: 1 }, 'data breakpoint');
        assert.deepEqual(hit.body.hitBreakpointIds, [set.breakpoints[0].id]);
        assert.equal((await s.scope(1, 'Store')).counter, counter);
      }
      assert.equal(await s.runToExit(1), 0);
    }));

  it('a data breakpoint with a condition stops where it holds', opts, () =>
    withSession(async (s) => {
      await s.launchStopped({ program: 'count_to_three' });
      const [top] = await s.frames(1);
      const store = (await s.scopes(top.id)).find((x) => x.name === 'Store');
      const info = (await s.dc.dataBreakpointInfoRequest({ variablesReference: store.variablesReference, name: 'counter' })).body;
      await s.dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: info.dataId, condition: 'store.counter == 3' }] });
      await s.step('continue', { threadId: 1 }, 'data breakpoint');
      assert.equal((await s.scope(1, 'Store')).counter, '3');
      assert.equal(await s.runToExit(1), 0);
    }));

  it('a data breakpoint with a hitCondition stops on the n-th write', opts, () =>
    withSession(async (s) => {
      await s.launchStopped({ program: 'count_to_three' });
      const [top] = await s.frames(1);
      const store = (await s.scopes(top.id)).find((x) => x.name === 'Store');
      const info = (await s.dc.dataBreakpointInfoRequest({ variablesReference: store.variablesReference, name: 'counter' })).body;
      await s.dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: info.dataId, hitCondition: '2' }] });
      await s.step('continue', { threadId: 1 }, 'data breakpoint');
      assert.equal((await s.scope(1, 'Store')).counter, '2');
      assert.equal(await s.runToExit(1), 0);
    }));
});

describe('exception breakpoints', () => {
  for (const filter of ['raised', 'uncaught']) {
    it(`'${filter}' stops divide's ZeroDivisionError; exceptionInfo names it`, opts, () =>
      withSession(async (s) => {
        await s.launch({ program: 'divide' }, (dc) => dc.setExceptionBreakpointsRequest({ filters: [filter] }));
        const stop = await s.stopped('exception');
        const info = (await s.dc.exceptionInfoRequest({ threadId: stop.body.threadId })).body;
        assert.match(info.exceptionId, /ZeroDivisionError/);
        assert.match(info.description ?? '', /cannot divide 10 by zero/);
        assert.ok(info.breakMode, 'no breakMode');
        assert.equal(await s.runToExit(stop.body.threadId), 1);
      }));
  }

  it("'raised' stops on an error Safe catches, 'uncaught' does not", opts, async () => {
    await withSession(async (s) => {
      await s.launch({ program: 'flaky_service' }, (dc) => dc.setExceptionBreakpointsRequest({ filters: ['raised'] }));
      await s.stopped('exception');
    });
    await withSession(async (s) => {
      await s.launch({ program: 'flaky_service' }, (dc) => dc.setExceptionBreakpointsRequest({ filters: ['uncaught'] }));
      // two failures are caught and retried; the third attempt succeeds
      assert.equal((await s.next('exited')).body.exitCode, 0);
      assert.equal(s.events.filter((e) => e.event === 'stopped').length, 0);
    });
  });

  it("'deadlock' stops the deadlock program", opts, () =>
    withSession(async (s) => {
      await s.launch({ program: 'deadlock' }, (dc) => dc.setExceptionBreakpointsRequest({ filters: ['deadlock'] }));
      const stop = await s.stopped('exception');
      const info = (await s.dc.exceptionInfoRequest({ threadId: stop.body.threadId })).body;
      assert.match(`${info.exceptionId} ${info.description}`, /Deadlock/i);
    }));

  it('without filters divide runs to an Err exit', opts, () =>
    withSession(async (s) => {
      await s.launch({ program: 'divide' }, (dc) => dc.setExceptionBreakpointsRequest({ filters: [] }));
      assert.equal((await s.next('exited')).body.exitCode, 1);
    }));
});
