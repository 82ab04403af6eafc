// The VS Code extension against a stand-in of the editor's API: it registers the doeff debug
// type, starts the adapter named by the launch configuration, the setting or PATH, and fills in
// or refuses launch configurations. The manifest contributes every launch argument.
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const { describe, it } = require('node:test');

const root = process.env.DOEFF_VSCODE_EXTENSION ?? path.join(__dirname, '..', '..', 'packaging', 'vscode');

function fakeVscode(settings = {}) {
  const registered = { factories: {}, providers: {}, errors: [] };
  const api = {
    DebugAdapterExecutable: class {
      constructor(command, args) {
        this.command = command;
        this.args = args;
      }
    },
    workspace: { getConfiguration: (section) => ({ get: (key) => settings[`${section}.${key}`] }) },
    window: {
      showErrorMessage: (message) => {
        registered.errors.push(message);
        return Promise.resolve(undefined);
      },
    },
    debug: {
      registerDebugAdapterDescriptorFactory: (type, factory) => {
        registered.factories[type] = factory;
        return { dispose() {} };
      },
      registerDebugConfigurationProvider: (type, provider) => {
        registered.providers[type] = provider;
        return { dispose() {} };
      },
    },
  };
  return { api, registered };
}

function loadExtension(settings) {
  const { api, registered } = fakeVscode(settings);
  const load = Module._load;
  Module._load = function (request, ...rest) {
    return request === 'vscode' ? api : load.call(this, request, ...rest);
  };
  try {
    const file = require.resolve(path.join(root, 'extension.js'));
    delete require.cache[file];
    const extension = require(file);
    const context = { subscriptions: [] };
    extension.activate(context);
    return { extension, registered, context };
  } finally {
    Module._load = load;
  }
}

describe('extension.js', () => {
  it('registers the doeff adapter factory and configuration provider', () => {
    const { registered, context } = loadExtension();
    assert.ok(registered.factories.doeff);
    assert.ok(registered.providers.doeff);
    assert.equal(context.subscriptions.length, 2);
  });

  it('starts doeff-dap from PATH by default', () => {
    const { registered } = loadExtension();
    const exe = registered.factories.doeff.createDebugAdapterDescriptor({ configuration: { program: 'counter' } });
    assert.equal(exe.command, 'doeff-dap');
    assert.deepEqual(exe.args, []);
  });

  it('the doeff.adapterPath setting names the adapter', () => {
    const { registered } = loadExtension({ 'doeff.adapterPath': '/opt/doeff/bin/doeff-dap' });
    const exe = registered.factories.doeff.createDebugAdapterDescriptor({ configuration: {} });
    assert.equal(exe.command, '/opt/doeff/bin/doeff-dap');
  });

  it("a launch configuration's adapterPath wins over the setting", () => {
    const { registered } = loadExtension({ 'doeff.adapterPath': '/opt/doeff/bin/doeff-dap' });
    const exe = registered.factories.doeff.createDebugAdapterDescriptor({
      configuration: { adapterPath: '/home/ada/build/app/doeff-dap/doeff-dap' },
    });
    assert.equal(exe.command, '/home/ada/build/app/doeff-dap/doeff-dap');
  });

  it('F5 without launch.json debugs counter; a launch without program or trace is refused', async () => {
    const { registered } = loadExtension();
    const provider = registered.providers.doeff;
    const filled = provider.resolveDebugConfiguration(undefined, {});
    assert.equal(filled.type, 'doeff');
    assert.equal(filled.program, 'counter');
    const refused = await provider.resolveDebugConfiguration(undefined, { type: 'doeff', request: 'launch', name: 'x' });
    assert.equal(refused, undefined);
    assert.match(registered.errors[0], /program/);
    const trace = { type: 'doeff', request: 'launch', name: 't', trace: '/tmp/run.doefftrace' };
    assert.equal(provider.resolveDebugConfiguration(undefined, trace), trace);
  });
});

describe('package.json', () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const [debuggerEntry] = manifest.contributes.debuggers;

  it('contributes the doeff debug type with every launch argument', () => {
    assert.equal(debuggerEntry.type, 'doeff');
    const props = Object.keys(debuggerEntry.configurationAttributes.launch.properties).sort();
    const expected = ['adapterPath', 'args', 'clock', 'cwd', 'env', 'program', 'programName', 'runner', 'stopOnEntry',
      'store', 'trace'].sort();
    assert.deepEqual(props, expected);
    assert.deepEqual(debuggerEntry.configurationAttributes.launch.properties.runner.enum, ['sync', 'async']);
    assert.deepEqual(debuggerEntry.configurationAttributes.launch.properties.clock.enum, ['real', 'simulated']);
  });

  it('initial configurations and snippets are doeff launches', () => {
    assert.ok(debuggerEntry.initialConfigurations.length >= 1);
    for (const c of debuggerEntry.initialConfigurations) {
      assert.equal(c.type, 'doeff');
      assert.equal(c.request, 'launch');
    }
    assert.ok(debuggerEntry.configurationSnippets.length >= 3);
    for (const s of debuggerEntry.configurationSnippets) {
      assert.equal(s.body.type, 'doeff');
      assert.ok(s.body.program || s.body.trace, `snippet ${s.label} names neither program nor trace`);
    }
  });

  it('declares the adapterPath setting, defaulting to doeff-dap', () => {
    assert.equal(manifest.contributes.configuration.properties['doeff.adapterPath'].default, 'doeff-dap');
  });
});
