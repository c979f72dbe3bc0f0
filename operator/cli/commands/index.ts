/**
 * Every `tern` command, one file each. To add a command: write commands/<name>.ts exporting a Command,
 * then add it to this list (one line).
 */
import type { Command } from '../command.js';
import { registryRender } from './registry-render.js';
import { registryValidate } from './registry-validate.js';
import { validate } from './validate.js';

export const COMMANDS: readonly Command[] = [
  registryValidate,
  registryRender,
  validate,
];
