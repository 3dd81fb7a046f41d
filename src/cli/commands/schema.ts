import { Command, Option } from 'commander';
import { ContainerKind, cperJsonSchema } from '../../cper';
import { writeOutput } from '../io';

/** `rasgw schema`: prints the JSON Schema of the JSON input form of a status block or CPER record. */
export function registerSchema(program: Command): void {
  program
    .command('schema')
    .description('print the JSON Schema of the status block (default) or CPER record JSON form')
    .addOption(new Option('--as <container>', 'container type').choices(['gesb', 'cper']).default('gesb'))
    .action((o: { as: ContainerKind }) => {
      writeOutput(JSON.stringify(cperJsonSchema(o.as), null, 2) + '\n');
    });
}
