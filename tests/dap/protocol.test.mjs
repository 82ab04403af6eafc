// The protocol itself: the capabilities doeff-dap announces, and bad input of every kind (a
// malformed header, bad JSON, an unknown command, a launch of something that is not a program)
// answered with an error, never a crash or a hang.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

import { TIMEOUT, adapterPath, session, workDir } from './support.mjs';

const opts = { timeout: TIMEOUT * 2 };

describe('initialize', () => {
  it('announces every capability of the contract', opts, async () => {
    const s = await session();
    try {
      const caps = (await s.dc.initializeRequest()).body;
      for (const name of [
        'supportsConfigurationDoneRequest',
        'supportsStepBack',
        'supportsFunctionBreakpoints',
        'supportsConditionalBreakpoints',
        'supportsHitConditionalBreakpoints',
        'supportsLogPoints',
        'supportsEvaluateForHovers',
        'supportsGotoTargetsRequest',
        'supportsTerminateRequest',
        'supportsDataBreakpoints',
        'supportsExceptionInfoRequest',
        'supportsTerminateThreadsRequest',
        'supportsSteppingGranularity',
        'supportsRestartRequest',
      ]) {
        assert.equal(caps[name], true, `${name} is not announced`);
      }
      const filters = (caps.exceptionBreakpointFilters ?? []).map((f) => f.filter).sort();
      assert.deepEqual(filters, ['deadlock', 'raised', 'uncaught', 'unobserved']);
      for (const f of caps.exceptionBreakpointFilters) {
        assert.ok(f.label, `filter ${f.filter} has no label`);
      }
    } finally {
      await s.stop();
    }
  });
});

// A raw connection: bytes written as they are, messages read back with their framing.
class Raw {
  constructor() {
    this.child = spawn(adapterPath, [], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.buffer = Buffer.alloc(0);
    this.messages = [];
    this.waiters = [];
    this.exited = new Promise((resolve) => this.child.on('exit', (code, signal) => resolve({ code, signal })));
    this.child.stdout.on('data', (data) => {
      this.buffer = Buffer.concat([this.buffer, data]);
      for (;;) {
        const end = this.buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        const header = this.buffer.toString('utf8', 0, end);
        const match = /Content-Length: *(\d+)/i.exec(header);
        assert.ok(match, `the adapter wrote a header without Content-Length: ${header}`);
        const length = Number(match[1]);
        if (this.buffer.length < end + 4 + length) return;
        const body = JSON.parse(this.buffer.toString('utf8', end + 4, end + 4 + length));
        this.buffer = this.buffer.subarray(end + 4 + length);
        this.deliver(body);
      }
    });
  }

  deliver(message) {
    const waiter = this.waiters.find((w) => w.pred(message));
    if (waiter) {
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      waiter.resolve(message);
    } else {
      this.messages.push(message);
    }
  }

  next(pred) {
    const at = this.messages.findIndex(pred);
    if (at >= 0) return Promise.resolve(this.messages.splice(at, 1)[0]);
    return new Promise((resolve) => this.waiters.push({ pred, resolve }));
  }

  write(bytes) {
    this.child.stdin.write(bytes);
  }

  send(seq, command, args) {
    const json = JSON.stringify({ type: 'request', seq, command, arguments: args });
    this.write(`Content-Length: ${Buffer.byteLength(json)}\r\n\r\n${json}`);
  }

  response(seq) {
    return this.next((m) => m.type === 'response' && m.request_seq === seq);
  }

  stderrOutput() {
    return this.next((m) => m.type === 'event' && m.event === 'output' && m.body?.category === 'stderr');
  }

  async close() {
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill(), TIMEOUT);
    await this.exited;
    clearTimeout(timer);
  }
}

describe('bad input', () => {
  it('a malformed header is reported on stderr output and the adapter keeps reading', opts, async () => {
    const raw = new Raw();
    try {
      raw.write('Content-Lenght: 12\r\n\r\n');
      const complaint = await raw.stderrOutput();
      assert.match(complaint.body.output, /header|Content-Length/i);
      raw.send(1, 'initialize', { adapterID: 'doeff', linesStartAt1: true, columnsStartAt1: true });
      const answer = await raw.response(1);
      assert.equal(answer.success, true, 'the adapter stopped answering after a malformed header');
    } finally {
      await raw.close();
    }
  });

  it('a non-numeric Content-Length is reported and the adapter keeps reading', opts, async () => {
    const raw = new Raw();
    try {
      raw.write('Content-Length: twelve\r\n\r\n');
      const complaint = await raw.stderrOutput();
      assert.match(complaint.body.output, /Content-Length|header/i);
      raw.send(1, 'initialize', { adapterID: 'doeff' });
      assert.equal((await raw.response(1)).success, true);
    } finally {
      await raw.close();
    }
  });

  it('bad JSON is reported on stderr output and the adapter keeps reading', opts, async () => {
    const raw = new Raw();
    try {
      const junk = '{"type": "request", "seq": 1, "command": ';
      raw.write(`Content-Length: ${Buffer.byteLength(junk)}\r\n\r\n${junk}`);
      const complaint = await raw.stderrOutput();
      assert.match(complaint.body.output, /JSON/i);
      raw.send(2, 'initialize', { adapterID: 'doeff' });
      assert.equal((await raw.response(2)).success, true, 'the adapter stopped answering after bad JSON');
    } finally {
      await raw.close();
    }
  });

  it('a JSON message that is not a request is reported and the adapter keeps reading', opts, async () => {
    const raw = new Raw();
    try {
      const notRequest = '[1, 2, 3]';
      raw.write(`Content-Length: ${notRequest.length}\r\n\r\n${notRequest}`);
      const complaint = await raw.stderrOutput();
      assert.ok(complaint.body.output.length > 0);
      raw.send(2, 'initialize', { adapterID: 'doeff' });
      assert.equal((await raw.response(2)).success, true);
    } finally {
      await raw.close();
    }
  });

  it('end of input ends the adapter', opts, async () => {
    const raw = new Raw();
    raw.send(1, 'initialize', { adapterID: 'doeff' });
    await raw.response(1);
    raw.child.stdin.end();
    const { signal } = await raw.exited;
    assert.equal(signal, null, 'the adapter was killed by a signal');
  });

  it('an unknown command gets an error response naming it', opts, async () => {
    const s = await session();
    try {
      await s.dc.initializeRequest();
      await assert.rejects(s.dc.customRequest('frobnicate', {}), /frobnicate/);
      // and the adapter still answers
      assert.ok((await s.dc.threadsRequest()).success);
    } finally {
      await s.stop();
    }
  });

  it('a launch of an unknown program name gets an error response naming it', opts, async () => {
    const s = await session();
    try {
      await s.dc.initializeRequest();
      await assert.rejects(s.dc.launchRequest({ program: 'no_such_program_anywhere' }), /no_such_program_anywhere/);
    } finally {
      await s.stop();
    }
  });

  it('a launch of a file that is not a program gets an error response naming it', opts, async () => {
    const dir = workDir('protocol');
    const text = path.join(dir, 'notes.txt');
    fs.writeFileSync(text, 'not a program\n');
    const s = await session();
    try {
      await s.dc.initializeRequest();
      await assert.rejects(s.dc.launchRequest({ program: text }), /notes\.txt/);
    } finally {
      await s.stop();
    }
  });

  it('a launch of a missing trace gets an error response naming it', opts, async () => {
    const dir = workDir('protocol-trace');
    const missing = path.join(dir, 'missing.doefftrace');
    const s = await session();
    try {
      await s.dc.initializeRequest();
      await assert.rejects(s.dc.launchRequest({ trace: missing }), /missing\.doefftrace/);
    } finally {
      await s.stop();
    }
  });

  it('a launch with a bad runner value gets an error response naming it', opts, async () => {
    const s = await session();
    try {
      await s.dc.initializeRequest();
      await assert.rejects(s.dc.launchRequest({ program: 'counter', runner: 'sideways' }), /sideways|runner/);
    } finally {
      await s.stop();
    }
  });
});
