/**
 * Every `tern` command, one file each. To add a command: write commands/<name>.ts exporting a Command,
 * then add it to this list (one line).
 */
import type { Command } from '../command.js';
import { registryRecord } from './registry-record.js';
import { registryRender } from './registry-render.js';
import { registryValidate } from './registry-validate.js';
import { validate } from './validate.js';
import { status } from './status.js';
import { abort, pause, promote, resume, retry, undo } from './control.js';

export const COMMANDS: readonly Command[] = [
  registryValidate,
  registryRender,
  registryRecord,
  validate,
  status,
  promote,
  abort,
  retry,
  pause,
  resume,
  undo,
];
