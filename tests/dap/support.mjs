// Shared helpers of the DAP suite: where the adapter and the npm client are, a session that
// records every event from its first byte (so no event is lost to a listener added too late),
// and small readers for threads, frames and variables.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const sourceRoot = path.resolve(here, '..', '..');

// The client library is installed by ctest's fixture into the build tree (DOEFF_DAP_NODE_MODULES);
// a developer running `npm ci && node --test` in tests/dap gets it beside the tests.
const modules = process.env.DOEFF_DAP_NODE_MODULES ?? path.join(here, 'node_modules');
const require = createRequire(path.join(modules, '..', 'package.json'));
const { DebugClient } = require('@vscode/debugadapter-testsupport');

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the suite through ctest (ctest -R dap) or set it`);
  return value;
}
export const adapterPath = required('DOEFF_DAP');
export const runPath = required('DOEFF_RUN');
export const crashingDebuggee = process.env.DOEFF_DAP_CRASHING_DEBUGGEE;

// A fresh scratch directory per test file (traces, scripts).
export function workDir(name) {
  const root = process.env.DOEFF_DAP_WORK ?? path.join(here, 'work');
  const dir = path.join(root, name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

// Generous: the machine running the suite may be loaded; every wait ends on an event anyway.
export const TIMEOUT = 30000;

const recorded = [
  'stopped', 'continued', 'output', 'exited', 'terminated', 'thread', 'invalidated', 'initialized',
  'progressStart', 'progressUpdate', 'progressEnd',
];

// What the suite's client says it supports, as an editor does (an adapter sends `invalidated`
// and `progress*` only to a client that announced them).
export const clientCapabilities = {
  clientID: 'doeff-dap-tests',
  adapterID: 'doeff',
  linesStartAt1: true,
  columnsStartAt1: true,
  pathFormat: 'path',
  supportsVariableType: true,
  supportsVariablePaging: true,
  supportsRunInTerminalRequest: false,
  supportsProgressReporting: true,
  supportsInvalidatedEvent: true,
};

// A DebugClient on a fresh doeff-dap process whose events are all kept in order.
export class Session {
  constructor(env = process.env) {
    // DebugClient spawns `runtime executable`: env(1) runs the adapter with no argument.
    this.dc = new DebugClient('env', adapterPath, 'doeff', { env });
    this.dc.defaultTimeout = TIMEOUT;
    this.events = [];
    this.waiters = [];
  }

  async start() {
    await this.dc.start();
    for (const type of recorded) {
      this.dc.on(type, (event) => this.push(event));
    }
    return this;
  }

  push(event) {
    const waiter = this.waiters.find((w) => w.matches(event));
    if (waiter) {
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      waiter.resolve(event);
    } else {
      this.events.push(event);
    }
  }

  // The next event of `type` (satisfying `pred`) not yet taken: an earlier one if it already came.
  next(type, pred = () => true, timeout = TIMEOUT) {
    const matches = (e) => e.event === type && pred(e);
    const at = this.events.findIndex(matches);
    if (at >= 0) return Promise.resolve(this.events.splice(at, 1)[0]);
    return new Promise((resolve, reject) => {
      const waiter = { matches, resolve };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`no '${type}' event within ${timeout} ms; pending: ${this.events.map((e) => e.event).join(', ')}`));
      }, timeout);
      waiter.resolve = (e) => {
        clearTimeout(timer);
        resolve(e);
      };
      waiter.cancel = () => clearTimeout(timer);
      this.waiters.push(waiter);
    });
  }

  // The next `stopped` event, asserting its reason.
  async stopped(reason) {
    const event = await this.next('stopped');
    assert.equal(event.body.reason, reason, `stopped for '${event.body.reason}', expected '${reason}': ${JSON.stringify(event.body)}`);
    return event;
  }

  // Taken output events so far plus those still to come until one matches `pred`.
  async output(pred, timeout = TIMEOUT) {
    return this.next('output', (e) => pred(e.body), timeout);
  }

  // initialize, launch and configurationDone, with `configure(dc)` run between initialized and
  // configurationDone (breakpoints go there).
  async launch(args, configure) {
    this.capabilities = (await this.dc.initializeRequest(clientCapabilities)).body ?? {};
    const launched = this.dc.launchRequest(args);
    const initialized = this.next('initialized');
    initialized.catch(() => {}); // a failed launch is reported by `launched`
    await Promise.race([initialized, launched.then(() => initialized)]);
    if (configure) await configure(this.dc);
    await this.dc.configurationDoneRequest();
    return launched;
  }

  async stop() {
    for (const waiter of this.waiters.splice(0)) waiter.cancel();
    await this.dc.stop();
  }

  // ---- readers --------------------------------------------------------------------------------
  async threads() {
    return (await this.dc.threadsRequest()).body.threads;
  }

  async frames(threadId) {
    return (await this.dc.stackTraceRequest({ threadId, startFrame: 0, levels: 1000 })).body.stackFrames;
  }

  async scopes(frameId) {
    return (await this.dc.scopesRequest({ frameId })).body.scopes;
  }

  async variables(variablesReference, extra = {}) {
    return (await this.dc.variablesRequest({ variablesReference, ...extra })).body.variables;
  }

  // name → value of one scope (Store, Environment, Current effect, Handlers) of the top frame.
  async scope(threadId, name) {
    const [top] = await this.frames(threadId);
    const scope = (await this.scopes(top.id)).find((s) => s.name === name);
    assert.ok(scope, `no scope '${name}'`);
    if (scope.variablesReference === 0) return {};
    const vars = await this.variables(scope.variablesReference);
    return Object.fromEntries(vars.map((v) => [v.name, v.value]));
  }

  async evaluate(expression, frameId) {
    return (await this.dc.evaluateRequest({ expression, frameId, context: 'repl' })).body;
  }
}

export async function session(env = process.env) {
  return new Session(env).start();
}

// Runs `body` with a fresh session, stopped afterwards whatever `body` does.
export async function withSession(body) {
  const s = await session();
  try {
    return await body(s);
  } finally {
    await s.stop();
  }
}

// The line (1-based) of the first line of `file` (relative to the source root) containing `text`.
export function lineOf(file, text) {
  const lines = fs.readFileSync(path.join(sourceRoot, file), 'utf8').split('\n');
  const at = lines.findIndex((l) => l.includes(text));
  assert.ok(at >= 0, `${file} has no line containing ${text}`);
  return at + 1;
}

// Runs doeff-run with `args`; resolves with { code, stdout, stderr }.
export function doeffRun(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(runPath, args);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

// Sends a stepping/continuing request and waits for the stop it causes.
Session.prototype.step = async function step(command, args, reason = 'step') {
  const request = `${command}Request`;
  const stopped = this.next('stopped');
  await this.dc[request](args);
  const event = await stopped;
  assert.equal(event.body.reason, reason, `${command} stopped for '${event.body.reason}': ${JSON.stringify(event.body)}`);
  return event;
};

// A launch that stops on entry; resolves with the entry `stopped` event.
Session.prototype.launchStopped = async function launchStopped(args, configure) {
  await this.launch({ stopOnEntry: true, ...args }, configure);
  return this.stopped('entry');
};

// Continues until the debuggee exits; resolves with its exit code.
Session.prototype.runToExit = async function runToExit(threadId) {
  await this.dc.continueRequest({ threadId });
  const exited = await this.next('exited');
  await this.next('terminated');
  return exited.body.exitCode;
};
