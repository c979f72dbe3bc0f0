/**
 * Manual control: what `tern promote [--full] | abort | retry | pause | resume | undo` do to a release.
 * Each command carries a nonce; the planner handles a nonce once and records it in
 * status.lastCommandNonce, so the annotation never needs clearing (see operator/api/command-annotation.ts).
 */
import type { Pass } from './pass.js';
import { nextStep } from './canary.js';
import { undo } from './restore.js';
import { enterPromoting, isFirstRelease, rollBack, startRelease } from './transitions.js';
import type { Command } from './types.js';

function ignore(pass: Pass, command: Command, why: string): void {
  pass.event('Warning', 'CommandIgnored', `${command.name} ignored: ${why}`);
}

/** Apply `command` if it has not been handled yet. */
export function applyCommand(pass: Pass, command: Command | undefined): void {
  const st = pass.status;
  if (!command || command.nonce === st.lastCommandNonce) return;
  st.lastCommandNonce = command.nonce;
  const phase = st.phase ?? 'Pending';
  const inCanary = phase === 'Canary' || phase === 'Paused';
  const inFlight = inCanary || phase === 'Staging' || phase === 'Promoting';
  switch (command.name) {
    case 'promote':
      if (!inCanary) return ignore(pass, command, `promote moves a canary step forward; the release is ${phase} (use promote --full to skip every step)`);
      pass.event('Normal', 'ManualPromote', 'the step in force was ended by `tern promote`');
      return nextStep(pass);
    case 'promote-full':
      if (!inCanary && !(phase === 'Staging' && !isFirstRelease(pass))) return ignore(pass, command, `nothing to promote in phase ${phase}`);
      pass.event('Normal', 'ManualPromote', 'every remaining step skipped by `tern promote --full`');
      return enterPromoting(pass);
    case 'abort':
      if (!inFlight) return ignore(pass, command, `no rollout in flight (phase ${phase})`);
      return rollBack(pass, { conditionReason: 'ManualAbort', metricReason: 'Manual', message: `${st.candidate?.version ?? 'the candidate'} was aborted by \`tern abort\`.` });
    case 'retry':
      if (phase !== 'RolledBack' && phase !== 'Failed') return ignore(pass, command, `retry restarts a rolled back or failed release; the release is ${phase}`);
      return startRelease(pass, '`tern retry`');
    case 'pause':
      if (phase !== 'Canary') return ignore(pass, command, `only a canary step can be paused; the release is ${phase}`);
      pass.enter('Paused', `Paused by \`tern pause\` at ${st.canaryWeight ?? 0}%; \`tern resume\` continues, \`tern promote\` moves on, \`tern abort\` rolls back.`);
      pass.event('Normal', 'Paused', `paused at ${st.canaryWeight ?? 0}% by \`tern pause\``);
      return;
    case 'undo':
      if (phase !== 'Healthy' || !st.previousStable) return ignore(pass, command, phase === 'Healthy' ? 'no previous stable model is known' : `undo restores the previous stable model after a promotion; the release is ${phase} (use tern abort for a rollout in flight)`);
      return undo(pass);
    case 'resume':
      if (phase !== 'Paused') return ignore(pass, command, `the release is ${phase}, not Paused`);
      // The step's pause starts again and the hold clock restarts: a person has looked at it.
      st.stepSince = pass.nowIso;
      delete st.heldSince;
      pass.enter('Canary', `Resumed at ${st.canaryWeight ?? 0}%.`);
      pass.event('Normal', 'Resumed', `resumed at ${st.canaryWeight ?? 0}% by \`tern resume\``);
      return;
  }
}
