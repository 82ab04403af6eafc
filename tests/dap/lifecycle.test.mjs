// The debuggee's life: terminate while running, a debuggee that crashes, one that never connects,
// a program from a program library.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

import { TIMEOUT, crashingDebuggee, session, withSession, workDir } from './support.mjs';

const opts = { timeout: TIMEOUT * 3 };

describe('terminate', () => {
  it('terminate ends busy_loop while it runs', opts, () =>
    withSession(async (s) => {
      await s.launch({ program: 'busy_loop', env: { iterations: 100000000 } });
      // it runs: its main task has started (100 M iterations take far longer than this test)
      await s.next('thread', (e) => e.body.reason === 'started');
      await s.dc.terminateRequest({});
      await s.next('terminated');
      const exited = s.events.find((e) => e.event === 'exited');
      if (exited) assert.notEqual(exited.body.exitCode, 0, 'a terminated busy_loop reported success');
    }));

  it('disconnect while running ends the adapter cleanly', opts, async () => {
    const s = await session();
    await s.launch({ program: 'busy_loop', env: { iterations: 100000000 } });
    await s.dc.disconnectRequest({ terminateDebuggee: true });
  });

  it('an adapter its editor stops (disconnect, then a kill) leaves no socket directory behind', opts, async () => {
    const runtime = workDir('runtime');
    fs.chmodSync(runtime, 0o700); // a usable XDG_RUNTIME_DIR: the inspector's socket goes there
    const s = await session({ ...process.env, XDG_RUNTIME_DIR: runtime });
    await s.launchStopped({ program: 'counter' });
    assert.equal(fs.readdirSync(runtime).filter((n) => n.startsWith('doeff-inspect-')).length, 1);
    const adapter = s.dc._adapterProcess; // the npm client kills it right after the disconnect
    const exited = new Promise((resolve) => adapter.once('exit', (code, signal) => resolve({ code, signal })));
    await s.stop();
    const { signal } = await exited;
    assert.equal(signal, null, 'the adapter died of the signal instead of shutting down');
    assert.deepEqual(fs.readdirSync(runtime), []);
  });
});

describe('debuggees that fail', () => {
  it('a debuggee that aborts mid-run is reported and the session ends', { ...opts, skip: !crashingDebuggee }, () =>
    withSession(async (s) => {
      await s.launch({ program: crashingDebuggee });
      const exited = await s.next('exited');
      assert.notEqual(exited.body.exitCode, 0);
      await s.next('terminated');
      const said = s.events.filter((e) => e.event === 'output').map((e) => e.body.output).join('');
      assert.match(said, /abort|signal|crash/i, `no output says why the debuggee ended: ${said}`);
    }));

  it('a debuggee that aborts while stopped on entry is reported', { ...opts, skip: !crashingDebuggee }, () =>
    withSession(async (s) => {
      await s.launchStopped({ program: crashingDebuggee });
      await s.dc.continueRequest({ threadId: 1 });
      const exited = await s.next('exited');
      assert.notEqual(exited.body.exitCode, 0);
      await s.next('terminated');
    }));

  it('an executable that dies of a signal before connecting is reported, no hang', opts, () =>
    withSession(async (s) => {
      const dir = workDir('lifecycle-signal');
      const script = path.join(dir, 'segv.sh');
      fs.writeFileSync(script, '#!/bin/sh\nkill -SEGV $$\n', { mode: 0o755 });
      let failed = null;
      try {
        await s.launch({ program: script });
      } catch (e) {
        failed = e; // an error response is as good as exited + output
      }
      if (!failed) {
        const exited = await s.next('exited');
        assert.notEqual(exited.body.exitCode, 0);
        await s.next('terminated');
      } else {
        assert.match(failed.message, /segv\.sh|signal|connect/i);
      }
    }));

  it('an executable that exits without connecting is reported, no hang', opts, () =>
    withSession(async (s) => {
      const dir = workDir('lifecycle-exit');
      const script = path.join(dir, 'quits.sh');
      fs.writeFileSync(script, '#!/bin/sh\necho "quits early" >&2\nexit 3\n', { mode: 0o755 });
      let failed = null;
      try {
        await s.launch({ program: script });
      } catch (e) {
        failed = e;
      }
      if (!failed) {
        const exited = await s.next('exited');
        assert.notEqual(exited.body.exitCode, 0);
        await s.next('terminated');
        const stderr = s.events.filter((e) => e.event === 'output' && e.body.category === 'stderr');
        assert.ok(stderr.some((e) => e.body.output.includes('quits early')), 'the debuggee stderr was not passed on');
      } else {
        assert.match(failed.message, /quits\.sh|connect|exit/i);
      }
    }));
});

describe('a debuggee that never connects', () => {
  it('terminate ends it and its process', opts, () =>
    withSession(async (s) => {
      const dir = workDir('lifecycle-never');
      const script = path.join(dir, 'waits.sh');
      const pidFile = path.join(dir, 'pid');
      fs.writeFileSync(script, `#!/bin/sh\necho $$ > ${pidFile}\nexec sleep 600\n`, { mode: 0o755 });
      await s.launch({ program: script });
      // the script has started once it wrote its pid (it never connects, so no event says so)
      const pid = await new Promise((resolve) => {
        const watcher = fs.watch(dir, () => check());
        const check = () => {
          const text = fs.existsSync(pidFile) ? fs.readFileSync(pidFile, 'utf8').trim() : '';
          if (!text) return;
          watcher.close();
          resolve(Number(text));
        };
        check();
      });
      await s.dc.terminateRequest({});
      await s.next('terminated');
      const gone = () => {
        try {
          process.kill(pid, 0);
          return false;
        } catch {
          return true;
        }
      };
      // terminated is sent once the debuggee was told to stop; wait for its exit on the exited event
      if (!gone()) await s.next('exited').catch(() => {});
      assert.ok(gone(), `the never-connecting debuggee ${pid} is still running`);
    }));
});

describe('program libraries', () => {
  it('launches a program from a library .so by programName', { ...opts, skip: !process.env.DOEFF_DAP_USER_PROGRAMS }, () =>
    withSession(async (s) => {
      await s.launchStopped({ program: process.env.DOEFF_DAP_USER_PROGRAMS, programName: 'hello', env: { who: 'Ada' } });
      assert.equal((await s.scope(1, 'Environment')).who, "'Ada'");
      assert.equal(await s.runToExit(1), 0);
    }));

  it('a programName the library lacks is an error naming it', { ...opts, skip: !process.env.DOEFF_DAP_USER_PROGRAMS }, () =>
    withSession(async (s) => {
      await s.dc.initializeRequest();
      await assert.rejects(
        s.dc.launchRequest({ program: process.env.DOEFF_DAP_USER_PROGRAMS, programName: 'not_in_there' }),
        /not_in_there/,
      );
    }));
});
