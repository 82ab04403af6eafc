// The doeff debug type: VS Code starts doeff-dap (the Debug Adapter Protocol server of Doeff
// Studio) on stdin/stdout for every `"type": "doeff"` session. Everything else (launching the
// program, breakpoints, stepping back) is the adapter's.
'use strict';

const vscode = require('vscode');

// The adapter program: the launch configuration's adapterPath, else the doeff.adapterPath
// setting, else doeff-dap on PATH.
function adapterCommand(configuration, settings) {
  const fromLaunch = configuration && typeof configuration.adapterPath === 'string' ? configuration.adapterPath.trim() : '';
  if (fromLaunch) return fromLaunch;
  const fromSettings = settings ? String(settings.get('adapterPath') ?? '').trim() : '';
  return fromSettings || 'doeff-dap';
}

class DoeffAdapterFactory {
  createDebugAdapterDescriptor(session) {
    const command = adapterCommand(session.configuration, vscode.workspace.getConfiguration('doeff'));
    return new vscode.DebugAdapterExecutable(command, []);
  }
}

// F5 without a launch.json debugs the example `counter`; a launch that names neither a program
// nor a trace is refused with a message instead of reaching the adapter.
class DoeffConfigurationProvider {
  resolveDebugConfiguration(folder, configuration) {
    if (!configuration.type && !configuration.request && !configuration.name) {
      return { type: 'doeff', request: 'launch', name: 'Debug a doeff example', program: 'counter', stopOnEntry: true };
    }
    if (!configuration.program && !configuration.trace) {
      return vscode.window.showErrorMessage('A doeff launch needs "program" (an example name, a .so or an executable) or "trace" (a .doefftrace).').then(() => undefined);
    }
    return configuration;
  }
}

function activate(context) {
  context.subscriptions.push(
    vscode.debug.registerDebugAdapterDescriptorFactory('doeff', new DoeffAdapterFactory()),
    vscode.debug.registerDebugConfigurationProvider('doeff', new DoeffConfigurationProvider()),
  );
}

function deactivate() {}

module.exports = { activate, deactivate, adapterCommand };
