import type { Command } from 'commander';
import { registerDecode } from './decode';
import { registerDump } from './dump';
import { registerEncode } from './encode';
import { registerSchema } from './schema';
import { registerSimulate } from './simulate';
import { registerServe } from './serve';
import { registerInject } from './inject';
import { registerEvents } from './events';
import { registerConvert } from './convert';

/** Every CLI command registers itself here: one import and one entry per command file. */
export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [registerDecode, registerEncode, registerSchema, registerDump, registerSimulate, registerServe, registerInject, registerEvents, registerConvert];
