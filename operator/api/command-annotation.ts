/**
 * The command contract between the `tern` CLI and the operator (part of the API, like the schema):
 * how `tern promote|abort|retry|pause|resume|undo` reach the operator without touching spec (so Argo CD
 * never sees drift) and without a custom subresource: two annotations on the ModelRelease,
 *
 *   serving.tern.dev/command: promote | promote-full | abort | retry | pause | resume | undo
 *   serving.tern.dev/command-nonce: <unique string, e.g. a timestamp and random hex>
 *
 * written together by one merge patch. The operator handles a nonce once and records it in
 * status.lastCommandNonce, so nothing needs clearing and a repeated reconcile never repeats a command;
 * a new command (even the same name again) gets a new nonce.
 */
import { randomBytes } from 'node:crypto';

/** Manual commands a person gives through `tern promote|abort|retry|pause|resume|undo` (planner/commands.ts applies them). */
export type CommandName = 'promote' | 'promote-full' | 'abort' | 'retry' | 'pause' | 'resume' | 'undo';

export interface Command {
  name: CommandName;
  /** Unique per command; the planner records the last handled one in status.lastCommandNonce. */
  nonce: string;
}

export const ANNOTATION_COMMAND = 'serving.tern.dev/command';
export const ANNOTATION_COMMAND_NONCE = 'serving.tern.dev/command-nonce';
export const COMMAND_NAMES: readonly CommandName[] = ['promote', 'promote-full', 'abort', 'retry', 'pause', 'resume', 'undo'];

/** The command the annotations carry, if any (an unknown name or a missing nonce is no command). */
export function readCommand(annotations: Record<string, string> | undefined): Command | undefined {
  const name = annotations?.[ANNOTATION_COMMAND];
  const nonce = annotations?.[ANNOTATION_COMMAND_NONCE];
  if (!name || !nonce || !COMMAND_NAMES.includes(name as CommandName)) return undefined;
  return { name: name as CommandName, nonce };
}

/** The merge patch that gives `name` as a new command. */
export function commandPatch(name: CommandName, now = new Date()): { metadata: { annotations: Record<string, string> } } {
  const nonce = `${now.toISOString()}-${randomBytes(4).toString('hex')}`;
  return { metadata: { annotations: { [ANNOTATION_COMMAND]: name, [ANNOTATION_COMMAND_NONCE]: nonce } } };
}
